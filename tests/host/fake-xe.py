#!/usr/bin/python3 -S
# A fake `xe` (and `ping`) for the `net plan --apply/--resume/--rollback`
# tests: a small model of a XenServer pool kept in a JSON state file, with
# the refusals xapi makes (xen-api ocaml/xapi/xapi_pif.ml unplug: HA on,
# management PIF, VIFs in use, disallow-unplug; set_disallow_unplug:
# CLUSTERING_ENABLED), the MTU a PIF or VIF takes when plugged (nm.ml
# determine_mtu: PIF other-config:mtu, else the network MTU; VIF: its
# other-config:mtu, else the network MTU) and records of what must never
# happen (a storage PIF unplugged under a plugged PBD; a running VIF above
# its host's PIF MTU).
#
# Environment:
#   XE_STATE       state file (JSON); created from XE_FIXTURES on first use
#   XE_FIXTURES    directory of `xe <class>-list params=all` outputs
#   XE_LOG         every state-changing command line is appended here
#   XE_FAIL_AT=N   the N-th state-changing command fails (before changing anything)
#   XE_FAIL_ON=S   state-changing commands containing S fail
#   XE_VIOLATIONS  file the broken invariants are appended to
#   XE_DUMP=1      print the canonical state (for comparisons) and exit
#   XE_SLEEP_AT=N  the N-th state-changing command sleeps XE_SLEEP seconds first
#   XE_INJECT_AT=N after the N-th state-changing command, the halted VM
#                  "spare" starts on the second host (someone else changed the pool)
#   XE_PING_MAX=M  the path to the storage carries at most M bytes
# Called as `ping -M do -s SIZE ... ADDR` (a symlink named ping): succeeds
# when SIZE+28 fits the pool master's attached PIF on ADDR's subnet.
import ipaddress, json, os, re, sys

LINE = re.compile(r'^\s*(\S+) \(((?: R[OW])|(?:[SM]R[OW]))\)(?: \[DEPRECATED\])?\s*: ?(.*)$')
CLASSES = ["host", "pool", "network", "pif", "bond", "vlan", "vif", "vm", "pbd", "sr", "vdi",
           "cluster-host"]


def parse(text):
    recs, cur = [], None
    for line in text.split("\n"):
        if not line.strip():
            cur = None
            continue
        m = LINE.match(line)
        if not m:
            continue
        if cur is None:
            cur = []
            recs.append(cur)
        cur.append([m.group(1), "(" + m.group(2) + ")", m.group(3)])
    return recs


def render(recs, params=None):
    out = []
    for r in recs:
        fields = [f for f in r if params is None or f[0] in params]
        if not fields:
            continue
        keys = [f[0] + " " + f[1] for f in fields]
        w = 4 + max(len(k) for k in keys)
        out.append("\n".join((k.ljust(w) if i == 0 else k.rjust(w)) + ": " + f[2]
                             for i, (k, f) in enumerate(zip(keys, fields))))
    return "\n\n".join(out) + "\n\n\n" if out else ""


def load():
    path = os.environ["XE_STATE"]
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    st = {"calls": 0, "classes": {}}
    fx = os.environ.get("XE_FIXTURES", "")
    for c in CLASSES:
        p = os.path.join(fx, c + "-list.txt")
        st["classes"][c] = parse(open(p).read()) if os.path.exists(p) else []
    save(st)
    return st


def save(st):
    path = os.environ["XE_STATE"]
    with open(path + ".tmp", "w") as f:
        json.dump(st, f, separators=(",", ":"))
    os.replace(path + ".tmp", path)
    # the lists as `xe CLASS-list params=all` prints them, for fake-xe.sh
    os.makedirs(path + ".lists", exist_ok=True)
    for c, recs in st["classes"].items():
        with open(path + ".lists/%s-list.txt" % c, "w") as f:
            f.write(render(recs))


def get(r, k, d=""):
    for f in r:
        if f[0] == k:
            return f[2]
    return d


def put(r, k, v, acc="( RO)"):
    for f in r:
        if f[0] == k:
            f[2] = v
            return
    r.append([k, acc, v])


def map_get(r, k, key):
    for item in get(r, k).split("; "):
        if ": " in item and item.split(": ", 1)[0] == key:
            return item.split(": ", 1)[1]
    return None


def map_put(r, k, key, val):
    items = [i for i in get(r, k).split("; ") if i and i.split(": ", 1)[0] != key]
    if val is not None:
        items.append("%s: %s" % (key, val))
    put(r, k, "; ".join(items), "(MRW)")


def find(st, cls, uuid):
    for r in st["classes"][cls]:
        if get(r, "uuid") == uuid:
            return r
    return None


class Refused(Exception):
    pass


def violation(msg):
    p = os.environ.get("XE_VIOLATIONS")
    if p:
        with open(p, "a") as f:
            f.write(msg + "\n")


def net_mtu(st, net):
    n = find(st, "network", net)
    return int(get(n, "MTU", "1500")) if n else 1500


def vif_effective_mtu(st, vif):
    o = map_get(vif, "other-config", "mtu")
    return int(o) if o else net_mtu(st, get(vif, "network-uuid"))


def host_pif(st, host, net):
    for p in st["classes"]["pif"]:
        if get(p, "host-uuid") == host and get(p, "network-uuid") == net:
            return p
    return None


def vm_of(st, vif):
    return find(st, "vm", get(vif, "vm-uuid"))


def running_vifs(st, vm):
    return [v for v in st["classes"]["vif"] if get(v, "vm-uuid") == get(vm, "uuid")]


def plug_vifs(st, vm):
    for v in running_vifs(st, vm):
        put(v, "currently-attached", "true")
        put(v, "MTU", str(vif_effective_mtu(st, v)))


def subnets_down_with(st, pif):
    """IPv4 networks that stop when this PIF is unplugged: its own and VLANs on it."""
    nets = []
    for p in st["classes"]["pif"]:
        if p is not pif and not (get(p, "host-uuid") == get(pif, "host-uuid") and
                                 get(p, "device") == get(pif, "device") and get(p, "VLAN") != "-1"
                                 and get(pif, "VLAN") == "-1"):
            continue
        if get(p, "IP") and get(p, "netmask"):
            nets.append(ipaddress.ip_network(get(p, "IP") + "/" + get(p, "netmask"), strict=False))
    return nets


def pbd_addrs(pbd):
    out = []
    for key in ("target", "multihomelist", "server"):
        v = map_get(pbd, "device-config", key)
        for a in (v or "").split(","):
            a = a.strip().lstrip("\\").split("\\")[0].split("/")[0].split(":")[0]
            try:
                out.append(ipaddress.ip_address(a))
            except ValueError:
                pass
    return out


def check_invariants(st, cmd):
    for vm in st["classes"]["vm"]:
        if get(vm, "power-state") != "running" or get(vm, "is-control-domain") == "true":
            continue
        for v in running_vifs(st, vm):
            if get(v, "currently-attached") != "true":
                continue
            p = host_pif(st, get(vm, "resident-on"), get(v, "network-uuid"))
            if p is None:
                continue
            if get(p, "currently-attached") != "true":
                violation("%s: VIF %s of %s runs on an unplugged PIF" % (cmd, get(v, "uuid"),
                                                                     get(vm, "name-label")))
            elif int(get(v, "MTU")) > int(get(p, "MTU")):
                violation("%s: VIF %s of %s has MTU %s above PIF MTU %s" % (
                    cmd, get(v, "uuid"), get(vm, "name-label"), get(v, "MTU"), get(p, "MTU")))


def args_of(argv):
    a = {}
    for x in argv:
        if "=" in x:
            k, v = x.split("=", 1)
            a[k] = v
    return a


def need(st, cls, a):
    r = find(st, cls, a.get("uuid", ""))
    if r is None:
        raise Refused("UUID_INVALID %s %s" % (cls, a.get("uuid")))
    return r


def enabled_hosts(st):
    return [h for h in st["classes"]["host"] if get(h, "enabled", "true") == "true"]


def do(st, cmd, a):
    cl = st["classes"]
    pool = cl["pool"][0] if cl["pool"] else []
    if cmd == "network-param-set":
        put(need(st, "network", a), "MTU", a["MTU"])
    elif cmd == "pif-param-set":
        p = need(st, "pif", a)
        if "disallow-unplug" in a:
            for ch in cl["cluster-host"]:
                if get(ch, "PIF") == get(p, "uuid"):
                    raise Refused("CLUSTERING_ENABLED")
            put(p, "disallow-unplug", a["disallow-unplug"])
        if "other-config:mtu" in a:
            map_put(p, "other-config", "mtu", a["other-config:mtu"])
    elif cmd == "pif-param-remove":
        map_put(need(st, "pif", a), "other-config", a["param-key"], None)
    elif cmd == "pif-unplug":
        p = need(st, "pif", a)
        if get(pool, "ha-enabled") == "true":
            raise Refused("HA_IS_ENABLED")
        if get(p, "management") == "true":
            raise Refused("PIF_IS_MANAGEMENT_INTERFACE")
        if get(p, "disallow-unplug") == "true":
            raise Refused("PIF_DOES_NOT_ALLOW_UNPLUG")
        for v in cl["vif"]:
            vm = vm_of(st, v)
            if (get(v, "network-uuid") == get(p, "network-uuid") and vm and
                    get(v, "currently-attached") == "true" and get(vm, "power-state") == "running" and
                    get(vm, "resident-on") == get(p, "host-uuid")):
                raise Refused("VIF_IN_USE %s" % get(v, "uuid"))
        if get(p, "currently-attached") == "true":
            nets = subnets_down_with(st, p)
            for pbd in cl["pbd"]:
                if get(pbd, "host-uuid") != get(p, "host-uuid") or get(pbd, "currently-attached") != "true":
                    continue
                if any(ip in n for ip in pbd_addrs(pbd) for n in nets):
                    violation("pif-unplug %s: PBD %s is plugged and uses it" % (get(p, "uuid"), get(pbd, "uuid")))
        put(p, "currently-attached", "false")
    elif cmd == "pif-plug":
        p = need(st, "pif", a)
        if get(p, "currently-attached") != "true":
            o = map_get(p, "other-config", "mtu")
            put(p, "MTU", o if o else str(net_mtu(st, get(p, "network-uuid"))))
            put(p, "currently-attached", "true")
    elif cmd in ("vif-unplug", "vif-plug"):
        v = need(st, "vif", a)
        vm = vm_of(st, v)
        if not vm or get(vm, "power-state") != "running":
            raise Refused("VM_BAD_POWER_STATE")
        if get(vm, "PV-drivers-detected") != "true":
            raise Refused("VM_MISSING_PV_DRIVERS")
        up = cmd == "vif-plug"
        if (get(v, "currently-attached") == "true") == up:
            raise Refused("DEVICE_ALREADY_ATTACHED" if up else "DEVICE_ALREADY_DETACHED")
        put(v, "currently-attached", "true" if up else "false")
        if up:
            put(v, "MTU", str(vif_effective_mtu(st, v)))
    elif cmd == "vif-param-set":
        map_put(need(st, "vif", a), "other-config", "mtu", a["other-config:mtu"])
    elif cmd == "vif-param-remove":
        map_put(need(st, "vif", a), "other-config", a["param-key"], None)
    elif cmd in ("pbd-plug", "pbd-unplug"):
        put(need(st, "pbd", a), "currently-attached", "true" if cmd == "pbd-plug" else "false")
    elif cmd in ("host-disable", "host-enable"):
        put(need(st, "host", a), "enabled", "true" if cmd == "host-enable" else "false")
    elif cmd == "host-evacuate":
        h = need(st, "host", a)
        vms = [vm for vm in cl["vm"] if get(vm, "resident-on") == get(h, "uuid") and
               get(vm, "power-state") == "running" and get(vm, "is-control-domain") != "true"]
        for vm in vms:
            if get(vm, "PV-drivers-detected") != "true":
                raise Refused("VM_LACKS_FEATURE %s" % get(vm, "name-label"))
        targets = [x for x in enabled_hosts(st) if x is not h]
        if vms and not targets:
            raise Refused("HOST_NOT_ENOUGH_FREE_MEMORY")
        for vm in vms:
            put(vm, "resident-on", get(targets[0], "uuid"))
            plug_vifs(st, vm)
    elif cmd == "vm-migrate":
        vm = need(st, "vm", a)
        h = find(st, "host", a.get("host-uuid", ""))
        if h is None or get(vm, "power-state") != "running":
            raise Refused("VM_BAD_POWER_STATE")
        if get(h, "enabled", "true") != "true":
            raise Refused("HOST_DISABLED")
        if get(vm, "resident-on") == get(h, "uuid"):
            raise Refused("HOST_IS_SAME")
        put(vm, "resident-on", get(h, "uuid"))
        plug_vifs(st, vm)
    elif cmd == "vm-shutdown":
        vm = need(st, "vm", a)
        if get(vm, "power-state") != "running":
            raise Refused("VM_BAD_POWER_STATE")
        put(vm, "power-state", "halted")
        put(vm, "resident-on", "<not in database>")
        for v in running_vifs(st, vm):
            put(v, "currently-attached", "false")
    elif cmd == "vm-start":
        vm = need(st, "vm", a)
        h = None
        for x in cl["host"]:
            if a.get("on") in (get(x, "uuid"), get(x, "name-label")):
                h = x
        if get(vm, "power-state") != "halted" or h is None:
            raise Refused("VM_BAD_POWER_STATE")
        if get(h, "enabled", "true") != "true":
            raise Refused("HOST_DISABLED")
        put(vm, "power-state", "running")
        put(vm, "resident-on", get(h, "uuid"))
        plug_vifs(st, vm)
    elif cmd == "vm-reboot":
        vm = need(st, "vm", a)
        if get(vm, "power-state") != "running":
            raise Refused("VM_BAD_POWER_STATE")
        plug_vifs(st, vm)
    elif cmd == "pool-ha-disable":
        if get(pool, "ha-enabled") != "true":
            raise Refused("HA_NOT_ENABLED")
        put(pool, "ha-enabled", "false")
    elif cmd == "pool-ha-enable":
        if get(pool, "ha-enabled") == "true":
            raise Refused("HA_IS_ENABLED")
        put(pool, "ha-enabled", "true")
    elif cmd == "pool-param-set":
        for k, v in a.items():
            if k != "uuid":
                put(pool, k, v)
    else:
        raise Refused("UNKNOWN_COMMAND %s" % cmd)


def ping(argv):
    st = load()
    size = int(argv[argv.index("-s") + 1])
    addr = ipaddress.ip_address(argv[-1])
    pool = st["classes"]["pool"][0]
    master = get(pool, "master")
    for p in st["classes"]["pif"]:
        if get(p, "host-uuid") != master or not get(p, "IP") or get(p, "currently-attached") != "true":
            continue
        if addr in ipaddress.ip_network(get(p, "IP") + "/" + get(p, "netmask"), strict=False):
            if size + 28 <= min(int(get(p, "MTU")), int(os.environ.get("XE_PING_MAX", "65535"))):
                print("3 packets transmitted, 3 received")
                return 0
            print("ping: local error: message too long, mtu=%s" % get(p, "MTU"), file=sys.stderr)
            return 1
    print("ping: connect: Network is unreachable", file=sys.stderr)
    return 2


def main():
    if os.path.basename(sys.argv[0]) == "ping":
        return ping(sys.argv[1:])
    st = load()
    if os.environ.get("XE_DUMP"):
        print(json.dumps(st["classes"], indent=1, sort_keys=True))
        return 0
    if len(sys.argv) < 2:
        return 1
    cmd, rest = sys.argv[1], sys.argv[2:]
    if cmd.endswith("-list"):
        cls = cmd[:-5]
        if cls not in st["classes"]:
            return 1
        a = args_of(rest)
        params = a.pop("params", "all")
        recs = [r for r in st["classes"][cls] if all(get(r, k) == v for k, v in a.items())]
        sys.stdout.write(render(recs, None if params == "all" else params.split(",")))
        return 0
    line = " ".join(sys.argv[1:])
    if os.environ.get("XE_LOG"):
        with open(os.environ["XE_LOG"], "a") as f:
            f.write(line + "\n")
    st["calls"] += 1
    fail_at = os.environ.get("XE_FAIL_AT")
    fail_on = os.environ.get("XE_FAIL_ON")
    if (fail_at and st["calls"] == int(fail_at)) or (fail_on and fail_on in line):
        save(st)
        print("fake xe: failing call %d on request" % st["calls"], file=sys.stderr)
        return 1
    if os.environ.get("XE_SLEEP_AT") and st["calls"] == int(os.environ["XE_SLEEP_AT"]):
        import time
        time.sleep(float(os.environ.get("XE_SLEEP", "1")))
    try:
        do(st, cmd, args_of(rest))
    except Refused as e:
        save(st)
        print("The operation could not be performed: %s" % e, file=sys.stderr)
        return 1
    if os.environ.get("XE_INJECT_AT") and st["calls"] == int(os.environ["XE_INJECT_AT"]):
        for vm in st["classes"]["vm"]:
            if get(vm, "name-label") == "spare":
                put(vm, "power-state", "running")
                put(vm, "resident-on", get(st["classes"]["host"][1], "uuid"))
                plug_vifs(st, vm)
    check_invariants(st, line)
    save(st)
    return 0


sys.exit(main())
