#!/bin/sh
# `ktriage net plan` against the fake pool of tests/host/fake-xe.py: the order
# of a storage-safe MTU change, the refusals, --format json, --apply on live
# state only (re-read before each host, DF-ping check after it), step numbers,
# timeouts, SIGINT, the journal, --resume, and --rollback after a failure at
# every step restoring the starting state exactly.
# usage: net-plan.sh KTRIAGE SOURCE_ROOT        (TAP output)
KT=$1
SRC=$2
HOST=$SRC/tests/host
TMP=$(mktemp -d /tmp/kt-net-plan.XXXXXX) || exit 99
trap 'rm -rf "$TMP"' EXIT INT TERM
mkdir "$TMP/bin"
ln -s "$HOST/fake-xe.sh" "$TMP/bin/xe"
ln -s "$HOST/fake-xe.py" "$TMP/bin/ping"
PATH=$TMP/bin:$PATH
export PATH
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }

# A fresh fake pool in $TMP/NAME from fixture FIXTURE.
pool() {
	D=$TMP/$1
	rm -rf "$D"
	mkdir -p "$D"
	XE_STATE=$D/state.json XE_FIXTURES=$HOST/$2 XE_LOG=$D/log XE_VIOLATIONS=$D/viol
	export XE_STATE XE_FIXTURES XE_LOG XE_VIOLATIONS
	unset XE_FAIL_AT XE_FAIL_ON XE_SLEEP_AT XE_SLEEP XE_INJECT_AT XE_PING_MAX
	: > "$D/log"
	: > "$D/viol"
}
dump() { XE_DUMP=1 xe; }
# uuid of the record of CLASS in FIXTURE whose KEY is VALUE
uuid_of() {
	python3 - "$HOST/$1/$2-list.txt" "$3" "$4" <<'PY'
import re, sys
recs, cur = [], None
for line in open(sys.argv[1]).read().split("\n"):
    m = re.match(r'^\s*(\S+) \([ SM]R[OW]\)\s*: ?(.*)$', line)
    if not m:
        cur = None
        continue
    if cur is None:
        cur = {}
        recs.append(cur)
    cur[m.group(1)] = m.group(2)
print(" ".join(r["uuid"] for r in recs if r.get(sys.argv[2]) == sys.argv[3]))
PY
}
# "N<TAB>command" for every step with a command, from plan text
steps() { awk '/^ *[0-9]+\. \[/ { num = $1; sub(/\./, "", num); next }
	/^       \$ / && num { line = $0; sub(/^       \$ /, "", line); print num "\t" line; num = 0 }' "$1"; }
# step number of the first/last command matching a regex
first() { steps "$1" | grep -E "$2" | head -n 1 | cut -f1; }
last() { steps "$1" | grep -E "$2" | tail -n 1 | cut -f1; }
lt() { [ -n "$1" ] && [ -n "$2" ] && [ "$1" -lt "$2" ]; }

echo "1..41"
S=xe-pool-storage
STOR=$(uuid_of $S network name-label Storage)
A=$(uuid_of $S host name-label xs-a)
B=$(uuid_of $S host name-label xs-b)
PIF_A=$(uuid_of $S pif network-uuid "$STOR" | tr ' ' '\n' | head -n 1)
NFS=$(uuid_of $S sr name-label "NFS VMs")
ISCSI=$(uuid_of $S sr name-label "iSCSI multipath")
SMB=$(uuid_of $S sr name-label "ISO library")
LEGACY=$(uuid_of $S vm name-label legacy-win)

# ---- the plan, print-only ----
pool p $S
"$KT" net plan --xe-dir "$HOST/$S" --network Storage --mtu 1500 > "$TMP/low" 2>&1
check "storage plan exits 0 and runs nothing" "[ $? -eq 0 ] && [ ! -s '$D/log' ] && [ -n '$STOR' ]"
runs=$(steps "$TMP/low" | grep -v '	ping\|	ktriage\|pif-list')
check "HA disabled first, enabled (and its failures to tolerate restored) last" \
	"[ \"\$(echo \"\$runs\" | head -n 1 | cut -f2)\" = 'xe pool-ha-disable' ] &&
	 echo \"\$runs\" | tail -n 2 | head -n 1 | grep -q 'pool-ha-enable heartbeat-sr-uuids=$ISCSI' &&
	 echo \"\$runs\" | tail -n 1 | grep -q 'ha-host-failures-to-tolerate=1'"
order_ok=true
for H in $A $B; do
	P=$(uuid_of $S pif host-uuid "$H")
	for p in $P; do echo "$(uuid_of $S pif network-uuid "$STOR")" | grep -q "$p" && PIF=$p; done
	for sr in $NFS $ISCSI; do
		pbd=$(uuid_of $S pbd sr-uuid "$sr")
		for x in $pbd; do uuid_of $S pbd host-uuid "$H" | grep -q "$x" && PBD=$x; done
		lt "$(first "$TMP/low" "pbd-unplug uuid=$PBD")" "$(first "$TMP/low" "pif-unplug uuid=$PIF")" || order_ok=false
		lt "$(first "$TMP/low" "pif-plug uuid=$PIF")" "$(first "$TMP/low" "pbd-plug uuid=$PBD")" || order_ok=false
		lt "$(first "$TMP/low" "host-disable uuid=$H")" "$(first "$TMP/low" "pbd-unplug uuid=$PBD")" || order_ok=false
	done
done
PIF_B=$PIF
check "per host: maintenance mode and pbd-unplug (NFS and iSCSI) before the PIF re-plug, pbd-plug after" "$order_ok"
check "the SMB and local SRs (not on this network) are left alone" \
	"! grep -q \"\$(uuid_of $S pbd sr-uuid $SMB | cut -c1-36)\" '$TMP/low'"
check "lowering: VIFs re-plugged before any PIF, and the no-PV VM shut down before, started after" \
	"lt \$(last '$TMP/low' 'vif-plug') \$(first '$TMP/low' 'pif-unplug') &&
	 lt \$(first '$TMP/low' 'vm-shutdown uuid=$LEGACY') \$(first '$TMP/low' 'pif-unplug') &&
	 lt \$(first '$TMP/low' 'pif-plug uuid=$PIF_B') \$(first '$TMP/low' 'vm-start uuid=$LEGACY') &&
	 [ \$(steps '$TMP/low' | grep -c 'vif-unplug') -eq 2 ]"
check "Linux guests are told to set their MTU (netfront ignores xenstore) before the change" \
	"grep -q '\[manual\] Linux guests.*1500.*netfront' '$TMP/low' &&
	 [ \$(grep -n 'Linux guests' '$TMP/low' | cut -d: -f1) -lt \$(grep -n 'network-param-set' '$TMP/low' | head -n 1 | cut -d: -f1) ]"
check "disallow-unplug is flipped in its own step, after the clustering pre-check" \
	"grep -q 'allow bond1 to be unplugged: disallow-unplug=true marks it a storage interface (checked above: no clustering' '$TMP/low' &&
	 [ \$(steps '$TMP/low' | grep -c 'disallow-unplug=') -eq 6 ]"
check "switches and array are lowered after every host" \
	"[ \$(grep -n 'switch ports and the storage array may be lowered' '$TMP/low' | cut -d: -f1) -gt \$(grep -n 'pif-plug' '$TMP/low' | tail -n 1 | cut -d: -f1) ]"

"$KT" net plan --xe-dir "$HOST/$S" --network "VM VLAN 100" --mtu 9000 > "$TMP/raise" 2>&1
rc=$?
check "raising: switches first, per-PIF override before each re-plug, network MTU after the last PIF, VIFs last" \
	"[ $rc -eq 0 ] && [ \$(grep -n 'raise the MTU on every switch port' '$TMP/raise' | cut -d: -f1) -lt \$(grep -n '\\$ xe pif-unplug' '$TMP/raise' | head -n 1 | cut -d: -f1) ] &&
	 lt \$(first '$TMP/raise' 'other-config:mtu=9000') \$(first '$TMP/raise' 'pif-unplug') &&
	 lt \$(last '$TMP/raise' 'pif-plug') \$(first '$TMP/raise' 'network-param-set .* MTU=9000') &&
	 lt \$(first '$TMP/raise' 'network-param-set') \$(last '$TMP/raise' 'vif-plug')"

"$KT" net plan --xe-dir "$HOST/$S" --network "Storage 2" --mtu 1500 > "$TMP/s2" 2>&1
check "Storage 2: the iSCSI second path (multihomelist) and the SMB server are found, NFS is not" \
	"[ \$(steps '$TMP/s2' | grep -c 'pbd-unplug') -eq 6 ] && grep -q 'iSCSI multipath (storage 203.0.113.51' '$TMP/s2' &&
	 grep -q 'ISO library (storage 203.0.113.70' '$TMP/s2' && ! grep -q 'NFS VMs' '$TMP/s2'"

# ---- refusals ----
refused() { # ID FIXTURE NETWORK MTU
	"$KT" net plan --xe-dir "$2" --network "$3" --mtu "$4" > "$TMP/ref" 2>&1
	rc=$?
	[ $rc -eq 1 ] && grep -q "REFUSED.*\[$1\]" "$TMP/ref" && grep -A1 "\[$1\]" "$TMP/ref" | grep -q 'source: [a-z]' &&
		grep -q 'This plan is REFUSED' "$TMP/ref"
}
check "refused: MTU above the bond members' maximum (ixgbe 9710)" "refused above-nic-max '$HOST/$S' Storage 9800"
check "refused: jumbo on the bond carrying the management VLAN" "refused management-jumbo '$HOST/$S' 'Bond 0' 9000"
check "refused: jumbo on the management network" "refused management-jumbo '$HOST/$S' 'Management VLAN 50' 9000"
check "refused: a no-op" "refused no-op '$HOST/$S' Storage 9000"
check "refused: private, tunnel and SR-IOV networks" \
	"refused private-network '$HOST/$S' Private 9000 && refused tunnel-network '$HOST/$S' Tunnel 9000 &&
	 refused sriov-network '$HOST/$S' SR-IOV 9000"
check "refused: a VLAN network above its parent's MTU (the crash configuration)" \
	"refused vlan-above-parent '$HOST/$S' 'VM VLAN 100' 9216"
mkdir "$TMP/pin" "$TMP/dns"
cp "$HOST/$S"/*.txt "$TMP/pin/"
cp "$HOST/$S"/*.txt "$TMP/dns/"
python3 - "$TMP/pin/vif-list.txt" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read().replace("other-config (MRW): \n", "other-config (MRW): mtu: 9000\n", 1)
open(p, "w").write(s)
PY
sed -i 's/server: 198.51.100.60/server: nfs.invalid/' "$TMP/dns/pbd-list.txt"
check "refused: a VIF pinned above the new PIF MTU (the crash configuration)" "refused vif-above-pif '$TMP/pin' Storage 1500"
check "refused: a storage hostname that does not resolve" "refused storage-unresolved '$TMP/dns' Storage 1500"
check "refused: GFS2 clustering on the network (CLUSTERING_ENABLED)" "refused clustering '$HOST/xe-pool-clustered' Storage 1500"
pool refused xe-pool-clustered
"$KT" net plan --xe --network Storage --mtu 1500 --apply --yes --journal "$D/j" > "$TMP/out" 2>&1
check "a refused plan is not applied (--apply runs nothing)" "[ $? -eq 1 ] && grep -q 'Not applied: the plan is refused' '$TMP/out' && [ ! -s '$D/log' ]"
"$KT" net plan --xe-dir "$HOST/$S" --network Storage --mtu 9800 --force > "$TMP/forced" 2>&1
check "--force keeps the reasons as FORCED and plans anyway" "[ $? -eq 0 ] && grep -q 'FORCED.*above-nic-max' '$TMP/forced'"

# ---- JSON ----
"$KT" net plan --xe-dir "$HOST/$S" --network Storage --mtu 1500 --format json > "$TMP/json"
check "--format json: the plan as data (numbered steps, argv, undo, checks)" \
	"[ $? -eq 0 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"direction\"] == \"lower\" and d[\"refused\"] is False and d[\"old_mtu\"] == 9000
assert [s[\"n\"] for s in d[\"steps\"]] == list(range(1, len(d[\"steps\"]) + 1))
assert d[\"steps\"][0][\"argv\"] == [\"xe\", \"pool-ha-disable\"] and d[\"steps\"][0][\"undo\"]
u = [s for s in d[\"steps\"] if s.get(\"argv\", [None, None])[1] == \"pif-unplug\"]
assert len(u) == 3 and all(len(s[\"undo\"]) == 3 for s in u)
assert any(s[\"kind\"] == \"check\" and s[\"check\"][\"pings\"] for s in d[\"steps\"])
' '$TMP/json'"
"$KT" net plan --xe-dir "$HOST/$S" --network Storage --mtu 9800 --format json > "$TMP/json2"
check "--format json lists refusals with their source" "[ $? -eq 1 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"refused\"] and all(r[\"source\"] for r in d[\"refusals\"]) and d[\"refusals\"][0][\"id\"] == \"above-nic-max\"
' '$TMP/json2'"

# ---- --apply ----
pool p $S
"$KT" net plan --xe-dir "$HOST/$S" --network Storage --mtu 1500 --apply --yes > "$TMP/out" 2>&1
check "--apply refuses a saved dump (--xe-dir) and runs nothing" "[ $? -eq 2 ] && [ ! -s '$D/log' ] && grep -q 'live pool only' '$TMP/out'"

pool full $S
dump > "$TMP/start.json"
"$KT" net plan --xe --network Storage --mtu 1500 --apply --yes --journal "$D/j" > "$TMP/apply" 2>&1
check "--apply --xe runs the plan to the end without breaking an invariant" \
	"[ $? -eq 0 ] && [ ! -s '$D/viol' ] && tail -n 1 '$D/j' | grep -q complete"
dump > "$TMP/end.json"
check "end state: storage PIFs at 1500 and attached, PBDs plugged, HA on, running Storage VIFs at 1500" "python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
g = lambda r, k: [f[2] for f in r if f[0] == k][0]
stor = [g(n, \"uuid\") for n in c[\"network\"] if g(n, \"name-label\") == \"Storage\"][0]
pifs = [p for p in c[\"pif\"] if g(p, \"network-uuid\") == stor]
assert len(pifs) == 3 and all(g(p, \"MTU\") == \"1500\" and g(p, \"currently-attached\") == \"true\" for p in pifs)
assert all(g(p, \"currently-attached\") == \"true\" for p in c[\"pbd\"])
assert g(c[\"pool\"][0], \"ha-enabled\") == \"true\"
v = [x for x in c[\"vif\"] if g(x, \"network-uuid\") == stor and g(x, \"currently-attached\") == \"true\"]
assert len(v) == 3 and all(g(x, \"MTU\") == \"1500\" for x in v)
assert all(g(h, \"enabled\") == \"true\" for h in c[\"host\"])
' '$TMP/end.json'"
steps "$TMP/apply" > "$TMP/planned"
grep '^\[step [0-9]*\] \$ ' "$TMP/apply" | sed 's/^\[step \([0-9]*\)\] \$ \(.*\) \.\.\. ok$/\1	\2/' > "$TMP/ran"
check "progress step numbers are the plan's numbers" \
	"[ -s '$TMP/ran' ] && grep -qF \"\$(head -n 1 '$TMP/ran')\" '$TMP/planned' && ! grep -vxFf '$TMP/planned' '$TMP/ran' >&2"
check "each host is checked before and after (re-read, PIF MTU, PBDs, DF ping)" \
	"[ \$(grep -c '^\[step [0-9]*\] check: the pool is as planned.* ok$' '$TMP/apply') -eq 3 ] &&
	 [ \$(grep -c '^\[step [0-9]*\] check: the host is done.*DF ping.* ok$' '$TMP/apply') -eq 3 ]"

"$KT" net plan --xe --network Storage --mtu 9000 --apply --yes --journal "$D/j" > "$TMP/out" 2>&1
check "--apply will not append to an existing journal" "[ $? -eq 2 ] && grep -q 'already exists' '$TMP/out'"
for c in '' 'garbage' '{"journal":"x"}' '{"journal":"ktriage-net-plan","version":1,"plan":{"steps":[]}}'; do
	printf '%s\n' "$c" > "$TMP/bad.journal"
	"$KT" net plan --rollback "$TMP/bad.journal" --yes > "$TMP/out" 2>&1
	[ $? -eq 3 ] || echo bad >> "$TMP/badj"
done
check "--rollback rejects malformed journals" "[ ! -s '$TMP/badj' ]"

pool inject $S
XE_INJECT_AT=12 "$KT" net plan --xe --network Storage --mtu 1500 --apply --yes --journal "$D/j" > "$TMP/out" 2>&1
check "the pool changing under the plan stops it before the next host" \
	"[ $? -eq 3 ] && grep -q 'not as planned: VIF .* of VM spare runs on this host' '$TMP/out' && ! grep -q 'host-disable uuid=$B' '$D/log'"

pool ping $S
XE_PING_MAX=1400 "$KT" net plan --xe --network Storage --mtu 1500 --apply --yes --journal "$D/j" > "$TMP/out" 2>&1
check "a failing DF ping after a host stops the run before the next host" \
	"[ $? -eq 3 ] && grep -q 'DF ping of 1472 bytes to 198.51.100.60 fails' '$TMP/out' && ! grep -q 'host-disable uuid=$B' '$D/log'"

pool slow $S
XE_SLEEP_AT=2 XE_SLEEP=4 "$KT" net plan --xe --network Storage --mtu 1500 --apply --yes --step-timeout 1 --journal "$D/j" > "$TMP/out" 2>&1
check "an xe call that hangs is stopped by the step timeout" "[ $? -eq 3 ] && grep -q 'FAILED (timed out)' '$TMP/out'"
pool fail $S
XE_FAIL_AT=3 "$KT" net plan --xe --network Storage --mtu 1500 --apply --yes --journal "$D/j" > "$TMP/out" 2>&1
check "a failing xe: its stderr is shown, resume and rollback commands are printed" \
	"[ $? -eq 3 ] && grep -q '| fake xe: failing call 3 on request' '$TMP/out' && grep -q -- '--rollback $D/j' '$TMP/out'"
XE_FAIL_AT= "$KT" net plan --resume "$D/j" --yes > "$TMP/out" 2>&1
dump > "$TMP/resumed.json"
check "--resume after a failure finishes the plan: the same end state as an uninterrupted run" \
	"[ $? -eq 0 ] && cmp -s '$TMP/resumed.json' '$TMP/end.json' && [ ! -s '$D/viol' ]"

pool cosm $S
XE_FAIL_ON="disallow-unplug=true" "$KT" net plan --xe --network Storage --mtu 1500 --apply --yes --journal "$D/j" > "$TMP/out" 2>&1
check "a failed step that changes no MTU says resume, not roll back to the old MTU" \
	"[ $? -eq 3 ] && grep -q 'changes no MTU.*resume' '$TMP/out' && ! grep -q 'To roll back what was done' '$TMP/out'"

# SIGINT: the step under way finishes and is recorded, nothing after it runs
pool sig $S
XE_SLEEP_AT=5 XE_SLEEP=2 "$KT" net plan --xe --network Storage --mtu 1500 --apply --yes --journal "$D/j" > "$TMP/out" 2>&1 &
pid=$!
i=0
while [ "$(wc -l < "$D/log")" -lt 5 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
kill -INT $pid
wait $pid
rc=$?
check "SIGINT finishes the current step, records it and stops cleanly" \
	"[ $rc -eq 3 ] && [ \$(wc -l < '$D/log') -eq 5 ] && grep -q 'interrupted: stopped cleanly' '$TMP/out' &&
	 tail -n 1 '$D/j' | grep -q stopped && tail -n 2 '$D/j' | head -n 1 | grep -q '\"ok\"'"
"$KT" net plan --resume "$D/j" --yes > "$TMP/out" 2>&1
dump > "$TMP/resumed.json"
check "--resume after SIGINT reaches the same end state" "[ $? -eq 0 ] && cmp -s '$TMP/resumed.json' '$TMP/end.json'"
"$KT" net plan --rollback "$D/j" --yes > "$TMP/out" 2>&1
dump > "$TMP/back.json"
check "--rollback of a completed run restores the starting state" "[ $? -eq 0 ] && cmp -s '$TMP/back.json' '$TMP/start.json' && [ ! -s '$D/viol' ]"

# ---- an xe that fails at every step: rollback restores the start exactly ----
# (two-host pool, lowering the storage network and raising a VLAN network)
fault_loop() { # NAME NETWORK MTU
	pool "$1-count" xe-pool-storage-2
	"$KT" net plan --xe --network "$2" --mtu "$3" --apply --yes --journal "$D/j" > /dev/null 2>&1 || return 1
	total=$(wc -l < "$D/log")
	bad=0
	for half in 0 1; do
		(
			i=$((1 + half))
			while [ $i -le "$total" ]; do
				pool "$1-$i" xe-pool-storage-2
				dump > "$D/start.json"
				XE_FAIL_AT=$i "$KT" net plan --xe --network "$2" --mtu "$3" --apply --yes --journal "$D/j" > "$D/out" 2>&1
				a=$?
				"$KT" net plan --rollback "$D/j" --yes > "$D/rb" 2>&1
				r=$?
				dump > "$D/end.json"
				if [ $a -ne 3 ] || [ $r -ne 0 ] || ! cmp -s "$D/start.json" "$D/end.json" || [ -s "$D/viol" ]; then
					echo "# $1: failure at xe call $i: apply $a, rollback $r, state $(cmp -s "$D/start.json" "$D/end.json" && echo same || echo DIFFERS), violations $(wc -l < "$D/viol")"
					echo bad >> "$TMP/$1-bad"
				fi
				rm -rf "$D"
				i=$((i + 2))
			done
		) &
	done
	wait
	[ ! -s "$TMP/$1-bad" ] && echo "# $1: $total failure points" && [ "$total" -gt 10 ]
}
check "lowering Storage: a failure at every xe call, then --rollback: the starting state exactly" \
	"fault_loop low Storage 1500"
check "raising a VLAN network: a failure at every xe call, then --rollback: the starting state exactly" \
	"fault_loop raise 'VM VLAN 100' 9000"

[ $fails -eq 0 ]
