#!/usr/bin/env python3
"""Generate a fleet for the crash-store benchmark (docs/store.md).

gen-store.py OUTDIR [--hosts 1000] [--crashes 100000] [--seed 1]

Writes OUTDIR/logs/hNNNN.log (one kern.log per host in syslog format, so the
host name and wall-clock time come from the lines; its crashes in time order) and OUTDIR/facts/hNNNN.json (a host-facts snapshot in the
format of `ktriage net audit --format json`). Crash texts are the repository's
rule fixtures (tests/golden/rules/*/fire.log and miss.log, each written from a
public source named in its rule), re-timestamped; which fixture a crash uses
follows a Zipf law, so a few issues hold most crashes, as in real fleets.
One host in eight has an enic NIC at MTU 9000 and draws the enic jumbo crash
more often, so `db show` has a lift to state. Xen hypervisor fixtures are
left out (a hypervisor crash ends a log). Same seed, same bytes.
"""
import argparse
import json
import os
import random
import re
import time

BASE = 1767225600  # 2026-01-01T00:00:00Z

TS = re.compile(r'^\[\s*\d+\.\d+\]\s?')
XEN_TS = re.compile(r'^\(XEN\) \[\s*\d+\.\d+\]\s?')


def templates(root):
    out = []
    rules = os.path.join(root, 'tests', 'golden', 'rules')
    for d in sorted(os.listdir(rules)):
        for f in ('fire.log', 'miss.log'):
            p = os.path.join(rules, d, f)
            if os.path.exists(p):
                with open(p, encoding='utf-8', errors='replace') as fh:
                    lines = [l.rstrip('\n') for l in fh]
                # a hypervisor crash ends the machine's log: later crashes
                # in the same file would be read as part of it
                if any(l.startswith('(XEN)') for l in lines):
                    continue
                out.append((d + '/' + f, lines))
    return out


def stamp(lines, t, host, boot):
    """Syslog lines (RFC 3164, as rsyslog writes kern.log): wall-clock time,
    host name, 'kernel:', then the printk time since boot."""
    res = []
    for i, l in enumerate(lines):
        up = t - boot + i * 0.000137
        wall = time.strftime('%b %e %H:%M:%S', time.gmtime(BASE + t))
        res.append('%s %s kernel: [%12.6f] %s' % (wall, host, up, TS.sub('', l)))
    return res


def facts(host, enic):
    ifs = [{"host": None, "name": "eth0", "kind": "physical",
            "driver": "enic" if enic else "ixgbe", "mtu": 9000 if enic else 1500,
            "max_mtu": 9000, "jumbo": "no" if enic else "yes", "master": None,
            "lower": None, "management": True},
           {"host": None, "name": "xenbr0", "kind": "bridge", "driver": None, "mtu": 1500,
            "max_mtu": -1, "jumbo": "unknown", "master": None, "lower": None,
            "management": False}]
    return {"source": "bench:" + host, "interfaces": ifs, "networks": [], "findings": []}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('outdir')
    ap.add_argument('--hosts', type=int, default=1000)
    ap.add_argument('--crashes', type=int, default=100000)
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tpl = templates(root)
    enic_tpl = [i for i, (n, _) in enumerate(tpl) if n.startswith('enic-jumbo-frames/fire')]
    weights = [1.0 / (k + 1) for k in range(len(tpl))]
    order = list(range(len(tpl)))
    rnd.shuffle(order)
    os.makedirs(os.path.join(a.outdir, 'logs'), exist_ok=True)
    os.makedirs(os.path.join(a.outdir, 'facts'), exist_ok=True)
    per_host = [a.crashes // a.hosts] * a.hosts
    for i in range(a.crashes - sum(per_host)):
        per_host[i] += 1
    for h in range(a.hosts):
        name = 'h%04d' % h
        enic = h % 8 == 0
        with open(os.path.join(a.outdir, 'facts', name + '.json'), 'w') as fh:
            json.dump(facts(name, enic), fh)
        t = 100.0 + rnd.random() * 50
        out = []
        span = 300 * 86400 / max(per_host[h], 1)	# the crashes spread over 300 days
        for _ in range(per_host[h]):
            if enic and enic_tpl and rnd.random() < 0.3:
                k = enic_tpl[0]
            else:
                k = order[rnd.choices(range(len(tpl)), weights)[0]]
            boot = t - 100 - rnd.random() * 1000	# each crash ends a boot
            out.extend(stamp(['bench: host %s up' % name], t - 1, name, boot))
            out.extend(stamp(tpl[k][1], t, name, boot))
            t += span * (0.5 + rnd.random())
        with open(os.path.join(a.outdir, 'logs', name + '.log'), 'w') as fh:
            fh.write('\n'.join(out) + '\n')


if __name__ == '__main__':
    main()
