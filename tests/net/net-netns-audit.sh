#!/bin/sh
# Live `ktriage net audit` inside a network namespace this test creates:
# veth pair, Linux bridge, and bond/VLAN when the kernel offers them; MTUs
# set and changed. Needs root and `ip netns`: skips (TAP) otherwise. Only
# interfaces inside the namespace are touched; it is removed on exit.
# usage: net-netns-audit.sh KTRIAGE
KT=$1
NS=ktnet-audit-$$
NS2=ktnet-peer-$$
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1 ||
   ! ip netns add "$NS" 2>/dev/null; then
	echo "1..0 # SKIP needs root, ip netns and python3"
	exit 0
fi
TMP=$(mktemp -d /tmp/kt-net-ns.XXXXXX)
trap 'ip netns del "$NS" 2>/dev/null; ip netns del "$NS2" 2>/dev/null; rm -rf "$TMP"' EXIT INT TERM
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }
nsip() { ip -n "$NS" "$@"; }
# exit status 0 (no findings) or 1 (findings) both mean "audited"
audit() { ip netns exec "$NS" "$KT" net audit --format json > "$TMP/a.json"; [ $? -le 1 ]; }
# jq-like check: python expression over d (the audit) and i (interfaces by name)
q() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); i={x['name']: x for x in d['interfaces']}; sys.exit(0 if ($1) else 1)" "$TMP/a.json"; }
check() { if q "$2"; then ok "$1"; else not_ok "$1"; cat "$TMP/a.json" >&2; fi; }

echo "1..10"
nsip link add v0 type veth peer name v1 &&
nsip link add br0 type bridge &&
nsip link set v1 master br0 &&
nsip link set v0 mtu 4000 && nsip link set v1 mtu 4000 &&
nsip link set v0 up && nsip link set v1 up && nsip link set br0 up || {
	echo "Bail out! cannot create veth/bridge in $NS"; exit 1; }

audit
check "veth pair with its MTU and netlink max" \
	"i['v0']['kind'] == 'veth' and i['v0']['mtu'] == 4000 and i['v0']['max_mtu_from'] == 'netlink' and i['v0']['max_mtu'] > 9000"
check "bridge lists its port, port knows its master" \
	"i['br0']['kind'] == 'bridge' and 'v1' in i['br0']['members'] and i['v1']['master'] == 'br0'"
check "bridge follows its port's MTU" "i['br0']['mtu'] == 4000"

nsip link set v0 mtu 9000
audit
check "changed MTU is seen" "i['v0']['mtu'] == 9000"

if nsip link set br0 mtu 9000 2>/dev/null && audit &&
   q "i['br0']['mtu'] == 9000 and i['v1']['mtu'] == 4000"; then
	check "bridge above its port is a finding" \
		"any(f['id'] == 'bridge-port-mtu' and f['subject'] == 'v1' for f in d['findings'])"
else
	skip "kernel keeps the bridge MTU at its ports'"
fi
nsip link set br0 mtu 4000 2>/dev/null

have_vlan=false
if nsip link add link v0 name v0.100 type vlan id 100 2>/dev/null; then
	have_vlan=true
	nsip link set v0.100 mtu 1500
	audit
	check "VLAN on its parent" "i['v0.100']['kind'] == 'vlan' and i['v0.100']['lower'] == 'v0' and i['v0.100']['mtu'] == 1500"
else
	skip "no 802.1Q (8021q) in this kernel"
fi

if nsip link add bond0 type bond 2>/dev/null; then
	nsip link add d0 type veth peer name d1
	nsip link set d0 master bond0 && nsip link set bond0 mtu 9000 && nsip link set bond0 up
	audit
	check "bond with its member and MTU" "i['bond0']['kind'] == 'bond' and 'd0' in i['bond0']['members'] and i['d0']['master'] == 'bond0' and i['d0']['mtu'] == 9000"
	if $have_vlan && nsip link add link bond0 name bond0.200 type vlan id 200 2>/dev/null; then
		audit
		check "VLAN over bond over veth chain" "i['bond0.200']['lower'] == 'bond0' and i['bond0.200']['mtu'] == 9000 and i['d0']['master'] == 'bond0'"
	else
		skip "no 802.1Q for VLAN over bond"
	fi
else
	skip "no bonding in this kernel"
	skip "no bonding in this kernel"
fi

# --probe: a peer namespace behind a veth whose far end has MTU 1500 while
# ours has 9000: big packets vanish silently (a black hole)
if ip netns add "$NS2" 2>/dev/null && nsip link add p0 type veth peer name p1 netns "$NS2" &&
   nsip addr add 198.51.100.1/24 dev p0 && nsip link set p0 mtu 9000 && nsip link set p0 up &&
   ip -n "$NS2" addr add 198.51.100.2/24 dev p1 && ip -n "$NS2" link set p1 up &&
   ip -n "$NS2" link set lo up; then
	ip netns exec "$NS" "$KT" net audit --probe 198.51.100.2 --format json > "$TMP/a.json"
	check "--probe finds the black hole to the peer" \
		"any(f['id'] == 'path-mtu-black-hole' and f['subject'] == '198.51.100.2' for f in d['findings'])"
	nsip link del p0
else
	skip "cannot create the peer namespace"
fi

ip netns exec "$NS" "$KT" net audit > "$TMP/a.txt"
if grep -q '^  br0 \[bridge\] mtu 4000' "$TMP/a.txt" && grep -q '`- v1 \[veth\] mtu 4000' "$TMP/a.txt"; then
	ok "text tree shows the bridge chain"
else
	not_ok "text tree shows the bridge chain"; cat "$TMP/a.txt" >&2
fi
[ $fails -eq 0 ]
