#!/usr/bin/env python3
# Writes the xe fixtures of tests/host/ (invented pools, documentation
# addresses only) in the layout `xe <class>-list params=all` prints
# (xen-api ocaml/xapi-cli-server/cli_printer.ml: "key ( RO): value", first line of a record
# left-aligned, the rest right-aligned, records separated by an empty line).
#   python3 gen-xe-fixtures.py xe-pool-enic                 two hosts
#   THIRD=1 python3 gen-xe-fixtures.py xe-pool-3-out-of-line  + xs-c, storage PIF
#                                                   not re-plugged, ixgbe NICs
# Pool: management network (igb, 1500), storage network "Storage (bond1)" at
# MTU 9000 on an enic active-backup bond with an NFS SR at 198.51.100.50, and
# VLAN 100 on the bond. It also writes uuids.txt (tag -> uuid), not committed.
import os, sys
out = sys.argv[1]
os.makedirs(out, exist_ok=True)

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
        U[tag] = "%08x-%04x-4%03x-8%03x-%012x" % (0x5a000000 + n * 0x1111, n, n, n, 0x1000 + n)
    return U[tag]

hosts = [("xs-a", "h1"), ("xs-b", "h2")] + ([("xs-c", "h3")] if os.environ.get("THIRD") else [])
write("host-list.txt", [rec([("uuid", "( RO)", u(t)), ("name-label", "( RW)", n),
                             ("name-description", "( RW)", "Default install"),
                             ("enabled", "( RO)", "true")]) for n, t in hosts])
write("pool-list.txt", [rec([("uuid", "( RO)", u("pool")), ("name-label", "( RW)", "pool-1"),
                             ("master", "( RO)", u("h1")), ("ha-enabled", "( RO)", "false"),
                             ("redo-log-enabled", "( RO)", "false")])])
nets = [("mgmt", "Pool-wide network associated with eth0", "xenbr0", 1500),
        ("stor", "Storage (bond1)", "xapi1", 9000),
        ("vlan", "VM VLAN 100", "xapi2", 1500)]
def pifs_of(net):
    return "; ".join(u(net + h) for _, h in hosts)
write("network-list.txt", [rec([("uuid", "( RO)", u(t)), ("name-label", "( RW)", n),
                                ("name-description", "( RW)", ""), ("VIF-uuids", "(SRO)", ""),
                                ("PIF-uuids", "(SRO)", pifs_of(t)), ("MTU", "( RW)", str(m)),
                                ("bridge", "( RO)", b), ("managed", "( RO)", "true"),
                                ("other-config", "(MRW)", ""), ("tags", "(SRW)", "")])
                           for t, n, b, m in nets])

def pif(tag, host, hname, dev, net, mtu, *, vlan=-1, physical="true", mgmt="false", mode="None",
        ip="", mask="", gw="", vendor="", device="", bond_master="", bond_slave="",
        disallow="false", other=""):
    return rec([("uuid", "( RO)", u(tag)), ("device", "( RO)", dev), ("MAC", "( RO)", "00:25:b5:00:00:%02x" % (len(U) % 256)),
                ("physical", "( RO)", physical), ("managed", "( RO)", "true"),
                ("currently-attached", "( RO)", "true"), ("MTU", "( RO)", str(mtu)),
                ("VLAN", "( RO)", str(vlan)), ("bond-master-of", "( RO)", bond_master),
                ("bond-slave-of", "( RO)", bond_slave), ("management", "( RO)", mgmt),
                ("network-uuid", "( RO)", u(net)), ("network-name-label", "( RO)", [n for t, n, b, m in nets if t == net][0] if net in ("mgmt", "stor", "vlan") else "Pool-wide network associated with " + dev),
                ("host-uuid", "( RO)", u(host)), ("host-name-label", "( RO)", hname),
                ("IP-configuration-mode", "( RO)", mode), ("IP", "( RO)", ip),
                ("netmask", "( RO)", mask), ("gateway", "( RO)", gw), ("DNS", "( RO)", ""),
                ("properties", "(MRO)", "gro: on"), ("io_read_kbs", "( RO)", "<expensive field>"),
                ("carrier", "( RO)", "true"), ("vendor-id", "( RO)", vendor),
                ("vendor-name", "( RO)", "Cisco Systems Inc" if vendor == "1137" else ("Intel Corporation" if vendor else "")),
                ("device-id", "( RO)", device), ("speed", "( RO)", "10000 Mbit/s" if vendor else ""),
                ("disallow-unplug", "( RW)", disallow), ("other-config", "(MRW)", other)])

recs = []
bonds = []
vlans = []
for i, (hname, h) in enumerate(hosts):
    n = i + 1
    recs.append(pif("mgmt" + h, h, hname, "eth0", "mgmt", 1500, mgmt="true", mode="Static",
                    ip="192.0.2.%d" % (10 + n), mask="255.255.255.0", gw="192.0.2.1",
                    vendor="8086", device="1521"))
    odd = h == "h3"
    vend, dev, smtu = ("8086", "10fb", 1500) if odd else ("1137", "0043", 9000)
    recs.append(pif("eth2" + h, h, hname, "eth2", "eth2net" + h, smtu, vendor=vend, device=dev,
                    bond_slave=u("bond" + h)))
    recs.append(pif("eth3" + h, h, hname, "eth3", "eth3net" + h, smtu, vendor=vend, device=dev,
                    bond_slave=u("bond" + h)))
    recs.append(pif("stor" + h, h, hname, "bond1", "stor", smtu, physical="false", mode="Static",
                    ip="198.51.100.%d" % (10 + n), mask="255.255.255.0",
                    bond_master=u("bond" + h), disallow="true"))
    recs.append(pif("vlan" + h, h, hname, "bond1", "vlan", 1500, vlan=100, physical="false"))
    bonds.append(rec([("uuid", "( RO)", u("bond" + h)), ("master", "( RO)", u("stor" + h)),
                      ("slaves", "( RO)", u("eth2" + h) + "; " + u("eth3" + h)),
                      ("mode", "( RW)", "active-backup"), ("properties", "(MRO)", ""),
                      ("primary-slave", "( RO)", u("eth2" + h)), ("links-up", "( RO)", "2")]))
    vlans.append(rec([("uuid", "( RO)", u("vlanobj" + h)), ("tagged-PIF", "( RO)", u("stor" + h)),
                      ("untagged-PIF", "( RO)", u("vlan" + h)), ("tag", "( RO)", "100")]))
write("pif-list.txt", recs)
write("bond-list.txt", bonds)
write("vlan-list.txt", vlans)
write("vif-list.txt", [rec([("uuid", "( RO)", u("vif1")), ("vm-uuid", "( RO)", u("vm1")),
                            ("vm-name-label", "( RO)", "db-server"), ("device", "( RO)", "0"),
                            ("network-uuid", "( RO)", u("stor")),
                            ("network-name-label", "( RO)", "Storage (bond1)"),
                            ("currently-attached", "( RO)", "true")]),
                       rec([("uuid", "( RO)", u("vif2")), ("vm-uuid", "( RO)", u("vm2")),
                            ("vm-name-label", "( RO)", "web-1"), ("device", "( RO)", "0"),
                            ("network-uuid", "( RO)", u("vlan")),
                            ("network-name-label", "( RO)", "VM VLAN 100"),
                            ("currently-attached", "( RO)", "true")])])
write("pbd-list.txt", [rec([("uuid", "( RO)", u("pbd" + h)), ("host-uuid", "( RO)", u(h)),
                            ("sr-uuid", "( RO)", u("sr1")),
                            ("device-config", "(MRO)", "server: 198.51.100.50; serverpath: /export/xs; type: nfs"),
                            ("currently-attached", "( RO)", "true")]) for _, h in hosts])
with open(os.path.join(out, "uuids.txt"), "w") as f:
    for k, v in U.items():
        f.write("%s\t%s\n" % (k, v))
