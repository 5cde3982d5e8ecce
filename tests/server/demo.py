#!/usr/bin/env python3
"""Fill a running `ktriage serve` with a small invented fleet, through the
HTTP API only: a XenServer pool whose enic storage network runs at MTU 9000
(the seed crash folder examples/xenserver-enic-jumbo on one host, the host
facts of tests/host/xe-pool-enic for both, so the second host is "at risk"),
and a pool of Linux web hosts with synthetic oopses spread over 30 days
(syslog wallclock times; format as in ktlib.oops_log). Used by the browser
test, the screenshots and bench/server-bench.py.

usage: demo.py KTRIAGE_EXE SOURCE_ROOT PORT
"""
import io
import json
import os
import random
import subprocess
import sys
import tarfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktlib  # noqa: E402

FUNCS = [  # (function, module, caller): invented crash sites
    ("i40e_clean_rx_irq", "i40e", "i40e_napi_poll"),
    ("xfs_buf_item_unpin", "xfs", "xfs_trans_committed_bulk"),
    ("nf_ct_delete", "nf_conntrack", "nf_ct_gc_expired"),
    ("blk_mq_dispatch_rq_list", "nvme", "blk_mq_do_dispatch_sched"),
    ("tcp_rearm_rto", "demo_tcp", "tcp_ack"),
]


def syslog(log, host, when):
    stamp = time.strftime("%b %e %H:%M:%S", time.gmtime(when))
    return b"".join(b"%s %s kernel: %s\n" % (stamp.encode(), host.encode(), l)
                    for l in log.rstrip(b"\n").split(b"\n"))


def crash_folder_tgz(root, name):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        tf.add(os.path.join(root, "examples", "xenserver-enic-jumbo"), name)
    return buf.getvalue()


def populate(exe, root, srv, seed=7):
    """srv: a ktlib.Server (or anything with .request). Returns ids worth
    looking at: {"enic_issue", "enic_crash", "web_issue", "web_crash"}."""
    rnd = random.Random(seed)
    now = time.time()
    ids = {}
    hdr = {"Content-Type": "application/octet-stream"}

    def up(body, host, pool, source="file", name=None):
        h = dict(hdr, **{"X-Ktriage-Host": host, "X-Ktriage-Pool": pool,
                         "X-Ktriage-Source": source})
        if name:
            h["X-Ktriage-Name"] = name
        st, _, data = srv.request("POST", "/api/v1/uploads", body, h)
        assert st in (200, 201), (st, data[:300])
        return json.loads(data)

    # XenServer pool: facts for both hosts, then xs-a crashes
    facts = subprocess.run([exe, "net", "audit", "--xe-dir",
                            os.path.join(root, "tests/host/xe-pool-enic"), "--format", "json"],
                           capture_output=True).stdout	# exit 1: findings
    # xs-a ran its storage network at 1500 until three days ago
    before = json.loads(facts)
    for i in before.get("interfaces", []):
        if i.get("mtu") == 9000:
            i["mtu"] = 1500
    before["findings"] = []
    st, _, data = srv.request("POST", "/api/v1/facts", json.dumps(before).encode(),
                              {"Content-Type": "application/json", "X-Ktriage-Host": "xs-a",
                               "X-Ktriage-Pool": "pool-ucs",
                               "X-Ktriage-Collected-At": time.strftime(
                                   "%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 20 * 86400))})
    assert st in (200, 201), (st, data)
    for host in ("xs-a", "xs-b"):
        st, _, data = srv.request("POST", "/api/v1/facts", facts,
                                  {"Content-Type": "application/json", "X-Ktriage-Host": host,
                                   "X-Ktriage-Pool": "pool-ucs",
                                   "X-Ktriage-Collected-At": time.strftime(
                                       "%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 3 * 86400))})
        assert st in (200, 201), (st, data)
    a = up(crash_folder_tgz(root, "20261201-101112-UTC"), "xs-a", "pool-ucs", "crash-folder")
    ids["enic_issue"] = a["crashes"][0]["issue"]["id"]
    ids["enic_crash"] = a["crashes"][0]["id"]

    # Linux web pool: crashes over 30 days, more of them lately for the first sites
    for n in range(60):
        f = rnd.choices(range(len(FUNCS)), weights=[8, 5, 3, 2, 1])[0]
        func, mod, caller = FUNCS[f]
        host = "web-%02d" % rnd.randrange(1, 13)
        when = now - rnd.triangular(0, 30, 2 if f == 0 else 15) * 86400
        log = ktlib.oops_log(func, ts=5000.0 + n * 7.5, module=mod, caller=caller, pid=300 + n,
                             comm="kworker/%d:%d" % (n % 8, n % 3), cpu=n % 8,
                             kernel="6.1.0-%d-amd64" % (17 + (n % 2)), oot=mod.startswith("demo"))
        j = up(syslog(log, host, when), host, "pool-web", "journal", "kern.log")
        if f == 0 and "web_issue" not in ids:
            ids["web_issue"] = j["crashes"][0]["issue"]["id"]
            ids["web_crash"] = j["crashes"][0]["id"]
    for i in range(1, 13):      # 8..19 boots per host over the month
        for k in range(7 + i):
            srv.request("POST", "/api/v1/heartbeat",
                        json.dumps({"host": "web-%02d" % i, "boot_id": "boot-%d-%d" % (i, k),
                                    "kernel": "6.1.0-18-amd64", "uptime": 3600 * k}).encode(),
                        {"Content-Type": "application/json"})
    return ids


if __name__ == "__main__":
    s = ktlib.Server(sys.argv[1], "unused")
    s.port = int(sys.argv[3])
    print(json.dumps(populate(sys.argv[1], sys.argv[2], s)))
