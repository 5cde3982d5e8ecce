#!/usr/bin/env python3
# Writes the storage-pool fixtures of tests/host/ for `net plan` (invented
# pools, documentation addresses only) in the layout `xe <class>-list
# params=all` prints (xen-api ocaml/xapi-cli-server/cli_printer.ml: "key ( RO):
# value", first line of a record left-aligned, the rest right-aligned,
# records separated by an empty line; field names from records.ml).
#   python3 gen-xe-storage-pool.py xe-pool-storage
#   CLUSTER=1 python3 gen-xe-storage-pool.py xe-pool-clustered
#   SMALL=1 python3 gen-xe-storage-pool.py xe-pool-storage-2   (xs-a, xs-b only)
# Pool "pool-s", three hosts (xs-a master, xs-b, xs-c), HA on (statefile on the
# iSCSI SR, failures to tolerate 1):
#   - "Bond 0" (bond0 = eth0+eth1, igb, MTU 1500) with the management
#     interface as VLAN 50 on it ("Management VLAN 50");
#   - "Storage" (bond1 = eth2+eth3, ixgbe, MTU 9000, 198.51.100.0/24,
#     disallow-unplug) with VLAN 100 "VM VLAN 100" (MTU 1500) on top;
#   - "Storage 2" (eth4, ixgbe, MTU 9000, 203.0.113.0/24): the second iSCSI path;
#   - an NFS SR (server 198.51.100.60), an iSCSI multipath SR (targets
#     198.51.100.50 and 203.0.113.51, multihomelist with ports), an SMB SR
#     (\\203.0.113.70\isos);
#   - running VMs: db-server (PV, xs-a, VIF on Storage), legacy-win (no PV
#     drivers, xs-b, VIF on Storage), app-2 (PV, xs-c, VIF on Storage), web-1
#     (PV, xs-b, VIF on VM VLAN 100), and a halted VM with a VIF on Storage;
#   - a private network (no PIFs), a tunnel network and an SR-IOV network.
# CLUSTER=1: GFS2 clustering on the Storage network (cluster-host-list).
import os, sys
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
CLUSTER = bool(os.environ.get("CLUSTER"))
SMALL = bool(os.environ.get("SMALL"))   # two hosts, no app-2 (for the failure loops)

def rec(fields):
    keys = [k + " " + a for k, a, v in fields]
    w = 4 + max(len(k) for k in keys)
    lines = []
    for i, (k, (_, _, v)) in enumerate(zip(keys, fields)):
        lines.append((k.ljust(w) if i == 0 else k.rjust(w)) + ": " + v)
    return "\n".join(lines) + "\n"

def write(name, recs):
    with open(os.path.join(out, name), "w") as f:
        f.write("\n\n".join(r.rstrip("\n") for r in recs) + "\n\n\n")

U = {}
def u(tag):
    if tag not in U:
        n = len(U) + 1
        U[tag] = "%08x-%04x-4%03x-9%03x-%012x" % (0x6b000000 + n * 0x1111, n, n, n, 0x2000 + n)
    return U[tag]

hosts = [("xs-a", "h1"), ("xs-b", "h2")] + ([] if SMALL else [("xs-c", "h3")])
write("host-list.txt", [rec([("uuid", "( RO)", u(t)), ("name-label", "( RW)", n),
                             ("name-description", "( RW)", "Default install"),
                             ("enabled", "( RO)", "true")]) for n, t in hosts])
write("pool-list.txt", [rec([("uuid", "( RO)", u("pool")), ("name-label", "( RW)", "pool-s"),
                             ("master", "( RO)", u("h1")), ("ha-enabled", "( RO)", "true"),
                             ("ha-statefiles", "( RO)", u("statefile")),
                             ("ha-host-failures-to-tolerate", "( RW)", "1"),
                             ("redo-log-enabled", "( RO)", "false")])])
# tag, name, bridge, MTU
nets = [("bond0net", "Bond 0", "xapi0", 1500), ("mgmt", "Management VLAN 50", "xapi1", 1500),
        ("stor", "Storage", "xapi2", 9000), ("vlan", "VM VLAN 100", "xapi3", 1500),
        ("stor2", "Storage 2", "xapi4", 9000), ("priv", "Private", "xapi5", 1500),
        ("tun", "Tunnel", "xapi6", 1500), ("sriov", "SR-IOV", "xapi7", 1500)]
for dev in ("eth0", "eth1", "eth2", "eth3"):
    nets.append((dev + "net", "Pool-wide network associated with " + dev, "xenbr" + dev[3], 1500))
netname = {t: n for t, n, b, m in nets}
pifs_of = {}

def pif(tag, h, hname, dev, net, mtu, *, vlan=-1, physical="true", mgmt="false", mode="None",
        ip="", mask="", vendor="", device="", bond_master="", bond_slave="", disallow="false",
        attached="true", tunnel="", sriov=""):
    pifs_of.setdefault(net, []).append(u(tag))
    return rec([("uuid", "( RO)", u(tag)), ("device", "( RO)", dev),
                ("MAC", "( RO)", "02:00:5e:00:%02x:%02x" % (int(h[1]), len(U) % 256)),
                ("physical", "( RO)", physical), ("managed", "( RO)", "true"),
                ("currently-attached", "( RO)", attached), ("MTU", "( RO)", str(mtu)),
                ("VLAN", "( RO)", str(vlan)), ("bond-master-of", "( RO)", bond_master),
                ("bond-slave-of", "( RO)", bond_slave),
                ("sriov-logical-PIF-of", "( RO)", sriov),
                ("tunnel-access-PIF-of", "( RO)", tunnel), ("management", "( RO)", mgmt),
                ("network-uuid", "( RO)", u(net)), ("network-name-label", "( RO)", netname[net]),
                ("host-uuid", "( RO)", u(h)), ("host-name-label", "( RO)", hname),
                ("IP-configuration-mode", "( RO)", mode), ("IP", "( RO)", ip),
                ("netmask", "( RO)", mask), ("gateway", "( RO)", ""), ("DNS", "( RO)", ""),
                ("carrier", "( RO)", "true"), ("vendor-id", "( RO)", vendor),
                ("device-id", "( RO)", device), ("disallow-unplug", "( RW)", disallow),
                ("other-config", "(MRW)", "")])

recs, bonds, vlans = [], [], []
for i, (hname, h) in enumerate(hosts):
    n = i + 1
    for dev in ("eth0", "eth1"):
        recs.append(pif(dev + h, h, hname, dev, dev + "net", 1500, vendor="8086", device="1521",
                        bond_slave=u("bond0" + h), attached="false"))
    recs.append(pif("bond0" + h + "pif", h, hname, "bond0", "bond0net", 1500, physical="false",
                    bond_master=u("bond0" + h)))
    recs.append(pif("mgmt" + h, h, hname, "bond0", "mgmt", 1500, vlan=50, physical="false",
                    mgmt="true", mode="Static", ip="192.0.2.%d" % (10 + n), mask="255.255.255.0"))
    for dev in ("eth2", "eth3"):
        recs.append(pif(dev + h, h, hname, dev, dev + "net", 9000, vendor="8086", device="10fb",
                        bond_slave=u("bond1" + h), attached="false"))
    recs.append(pif("stor" + h, h, hname, "bond1", "stor", 9000, physical="false", mode="Static",
                    ip="198.51.100.%d" % (10 + n), mask="255.255.255.0",
                    bond_master=u("bond1" + h), disallow="true"))
    recs.append(pif("vlan" + h, h, hname, "bond1", "vlan", 1500, vlan=100, physical="false"))
    recs.append(pif("stor2" + h, h, hname, "eth4", "stor2", 9000, vendor="8086", device="10fb",
                    mode="Static", ip="203.0.113.%d" % (10 + n), mask="255.255.255.0"))
    recs.append(pif("tun" + h, h, hname, "tunnel0", "tun", 1500, physical="false",
                    tunnel=u("tunobj" + h)))
    recs.append(pif("sriov" + h, h, hname, "eth4", "sriov", 1500, physical="false",
                    sriov=u("sriovobj" + h)))
    for b, m, s1, s2 in (("bond0", "bond0" + h + "pif", "eth0", "eth1"),
                         ("bond1", "stor" + h, "eth2", "eth3")):
        bonds.append(rec([("uuid", "( RO)", u(b + h)), ("master", "( RO)", u(m)),
                          ("slaves", "( RO)", u(s1 + h) + "; " + u(s2 + h)),
                          ("mode", "( RW)", "active-backup")]))
    for t, parent, tag in (("mgmt", "bond0" + h + "pif", "50"), ("vlan", "stor" + h, "100")):
        vlans.append(rec([("uuid", "( RO)", u("vlanobj" + t + h)),
                          ("tagged-PIF", "( RO)", u(parent)),
                          ("untagged-PIF", "( RO)", u(t + h)), ("tag", "( RO)", tag)]))
write("pif-list.txt", recs)
write("bond-list.txt", bonds)
write("vlan-list.txt", vlans)
write("network-list.txt", [rec([("uuid", "( RO)", u(t)), ("name-label", "( RW)", n),
                                ("PIF-uuids", "(SRO)", "; ".join(pifs_of.get(t, []))),
                                ("MTU", "( RW)", str(m)), ("bridge", "( RO)", b),
                                ("other-config", "(MRW)", "")])
                           for t, n, b, m in nets])

# VMs: tag, name, host, PV drivers, power state
vms = [("vm1", "db-server", "h1", True, "running"), ("vm2", "web-1", "h2", True, "running"),
       ("vm3", "legacy-win", "h2", False, "running")] + \
      ([] if SMALL else [("vm4", "app-2", "h3", True, "running")]) + [("vm5", "spare", None, True, "halted")]
write("vm-list.txt", [rec([("uuid", "( RO)", u(t)), ("name-label", "( RW)", n),
                           ("power-state", "( RO)", ps),
                           ("resident-on", "( RO)", u(h) if h else "<not in database>"),
                           ("is-control-domain", "( RO)", "false"),
                           ("PV-drivers-detected", "( RO)", "true" if pv else "false")])
                      for t, n, h, pv, ps in vms] +
                     [rec([("uuid", "( RO)", u("dom0" + h)), ("name-label", "( RW)", "Control domain on host: " + n),
                           ("power-state", "( RO)", "running"), ("resident-on", "( RO)", u(h)),
                           ("is-control-domain", "( RO)", "true"),
                           ("PV-drivers-detected", "( RO)", "true")]) for n, h in hosts])
vifs = [("vif1", "vm1", "stor"), ("vif2", "vm2", "vlan"), ("vif3", "vm3", "stor")] + \
       ([] if SMALL else [("vif4", "vm4", "stor")]) + [("vif5", "vm5", "stor")]
mtu_of = {t: m for t, n, b, m in nets}
write("vif-list.txt", [rec([("uuid", "( RO)", u(t)), ("vm-uuid", "( RO)", u(vm)),
                            ("vm-name-label", "( RO)", [n for x, n, *_ in vms if x == vm][0]),
                            ("device", "( RO)", "0"), ("MTU", "( RO)", str(mtu_of[net])),
                            ("currently-attached", "( RO)", "false" if vm == "vm5" else "true"),
                            ("network-uuid", "( RO)", u(net)),
                            ("network-name-label", "( RO)", netname[net]),
                            ("other-config", "(MRW)", "")]) for t, vm, net in vifs])
# SRs and PBDs
srs = [("nfs", "NFS VMs", "nfs", "server: 198.51.100.60; serverpath: /export/vms"),
       ("iscsi", "iSCSI multipath", "lvmoiscsi",
        "target: 198.51.100.50,203.0.113.51; multihomelist: 198.51.100.50:3260,203.0.113.51:3260; "
        "targetIQN: iqn.2026-12.example:array; SCSIid: 36001405abcdef"),
       ("smb", "ISO library", "smb", "server: \\\\203.0.113.70\\isos; username: iso")]
write("sr-list.txt", [rec([("uuid", "( RO)", u(t)), ("name-label", "( RW)", n), ("type", "( RO)", ty),
                           ("shared", "( RW)", "true")]) for t, n, ty, dc in srs] +
                     [rec([("uuid", "( RO)", u("local" + h)), ("name-label", "( RW)", "Local storage"),
                           ("type", "( RO)", "lvm"), ("shared", "( RW)", "false")]) for _, h in hosts])
write("pbd-list.txt", [rec([("uuid", "( RO)", u("pbd" + t + h)), ("host-uuid", "( RO)", u(h)),
                            ("sr-uuid", "( RO)", u(t)), ("device-config", "(MRO)", dc),
                            ("currently-attached", "( RO)", "true")])
                       for t, n, ty, dc in srs for _, h in hosts] +
                      [rec([("uuid", "( RO)", u("pbdlocal" + h)), ("host-uuid", "( RO)", u(h)),
                            ("sr-uuid", "( RO)", u("local" + h)),
                            ("device-config", "(MRO)", "device: /dev/sda3"),
                            ("currently-attached", "( RO)", "true")]) for _, h in hosts])
write("vdi-list.txt", [rec([("uuid", "( RO)", u("statefile")), ("name-label", "( RW)", "Statefile for HA"),
                            ("sr-uuid", "( RO)", u("iscsi"))])])
if CLUSTER:
    write("cluster-host-list.txt", [rec([("uuid", "( RO)", u("ch" + h)), ("cluster", "( RO)", u("cluster")),
                                         ("host", "( RO)", u(h)), ("enabled", "( RO)", "true"),
                                         ("PIF", "( RO)", u("stor" + h))]) for _, h in hosts])
