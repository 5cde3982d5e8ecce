#!/bin/sh
# `ktriage net audit` and `net plan` end to end on the fixtures in tests/host/,
# with a fake `xe` on PATH that records what --apply runs and fails on demand.
# usage: net-cli.sh KTRIAGE SOURCE_ROOT        (TAP output)
KT=$1
SRC=$2
FIX=$SRC/tests/host/xe-pool-enic
TMP=$(mktemp -d /tmp/kt-net-cli.XXXXXX) || exit 99
trap 'rm -rf "$TMP"' EXIT INT TERM
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }

# "key ( RO): value" records -> "key=value" lines, records separated by "--"
records() { sed -e 's/^ *\([^ ]*\) ([ SM]R[OW])\( \[DEPRECATED\]\)\{0,1\} *: \{0,1\}\(.*\)$/\1=\3/' -e 's/^$/--/' "$1"; }
# uuid of the record where KEY=VALUE
uuid_where() { records "$1" | awk -v kv="$2=$3" -F'\n' '
	/^--$/ { if (hit) print u; hit = 0; u = ""; next }
	/^uuid=/ { u = substr($0, 6) } $0 == kv { hit = 1 } END { if (hit) print u }'; }

# fake xe: logs its arguments; "xe CLASS-list params=all" prints the fixture
# (nothing for a class without one, as xe does for an empty class);
# exits 1 when its command line contains $XE_FAIL_ON
mkdir "$TMP/bin"
cat > "$TMP/bin/xe" <<'XE'
#!/bin/sh
case "$1" in
*-list) [ -f "$XE_FIXTURES/$1.txt" ] && cat "$XE_FIXTURES/$1.txt"; exit 0 ;;
esac
echo "$*" >> "$XE_LOG"
if [ -n "$XE_FAIL_ON" ]; then
	case "$*" in *"$XE_FAIL_ON"*) echo "fake xe: failing on request" >&2; exit 1 ;; esac
fi
exit 0
XE
chmod +x "$TMP/bin/xe"
export XE_LOG="$TMP/xe.log" XE_FIXTURES="$FIX"

echo "1..18"

# 1-3: sysfs tree (offline: platform unknown): enic at 9000 "depends" on the
# vNIC MTU set in UCS (low, with the checks to make), not "cannot do jumbo"
# (issue #11: ENIC_MAX_MTU is 9000); ixgbe at 9000 is fine
"$KT" net audit --sysfs-root "$SRC/tests/host/enic-ixgbe-jumbo" > "$TMP/out" 2>&1
check "audit sysfs exits 1 on findings" "[ $? -eq 1 ]"
check "enic NIC at 9000 depends on the vNIC (low), not high" "grep -q '\[low\] jumbo-depends: eth0' '$TMP/out' && grep -q 'remedy: .*ping -M do -s 8972' '$TMP/out' && ! grep -q '\[high\]' '$TMP/out'"
check "ixgbe NIC at 9000 is not flagged" "! grep -q '\] [a-z-]*: eth1' '$TMP/out'"

# 4: JSON output is JSON and has the three arrays
"$KT" net audit --sysfs-root "$SRC/tests/host/enic-ixgbe-jumbo" --format json > "$TMP/json"
check "audit json is valid" "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d[\"interfaces\"] and d[\"findings\"] and \"networks\" in d' '$TMP/json'"

STOR=$(uuid_where "$FIX/network-list.txt" name-label "Storage (bond1)")
MGMT=$(uuid_where "$FIX/network-list.txt" name-label "Pool-wide network associated with eth0")
STOR_PIFS=$(uuid_where "$FIX/pif-list.txt" network-uuid "$STOR")
MGMT_PIFS=$(uuid_where "$FIX/pif-list.txt" network-uuid "$MGMT")

# 5-7: print-only plan
: > "$XE_LOG"
PATH="$TMP/bin:$PATH" "$KT" net plan --xe-dir "$FIX" --network "Storage (bond1)" --mtu 1500 > "$TMP/plan"
check "plan exits 0" "[ $? -eq 0 ] && [ -n '$STOR' ]"
check "plan sets the storage network MTU once" "[ \$(grep -c 'xe network-param-set uuid=$STOR MTU=1500' '$TMP/plan') -eq 1 ]"
allpifs=true
for p in $STOR_PIFS; do
	grep -q "xe pif-unplug uuid=$p" "$TMP/plan" && grep -q "xe pif-plug uuid=$p" "$TMP/plan" || allpifs=false
done
for p in $MGMT_PIFS; do grep -q "\\$ xe .*$p" "$TMP/plan" && allpifs=false; done
npifs=$(echo $STOR_PIFS | wc -w)
check "unplug/plug for every storage PIF, no command for management PIFs, nothing run" \
	"$allpifs && [ $npifs -eq 2 ] && [ ! -s '$XE_LOG' ]"

# 8-9: --apply acts on live state only: a saved dump (--xe-dir) is refused
# (the live runs are tests/net/net-plan.sh, against a stateful fake pool)
: > "$XE_LOG"
PATH="$TMP/bin:$PATH" "$KT" net plan --xe-dir "$FIX" --network "$STOR" --mtu 1500 --apply --yes > "$TMP/apply" 2>&1
check "apply on --xe-dir is a usage error" "[ $? -eq 2 ] && grep -q 'live pool only' '$TMP/apply'"
check "apply on --xe-dir runs nothing" "[ ! -s '$XE_LOG' ]"

# 10-11: the plan is numbered without gaps; warnings are not steps
nums=$(grep -E '^ *[0-9]+\. \[' "$TMP/plan" | awk '{ sub(/\./, "", $1); print $1 }' | tr '\n' ' ')
check "plan steps are numbered 1..N" "[ \"$nums\" = \"\$(seq -s ' ' 1 \$(echo $nums | wc -w)) \" ]"
check "warnings carry a source" "grep -q '^  WARNING' '$TMP/plan' && ! grep -A1 '^  WARNING' '$TMP/plan' | grep -v '^  WARNING\|^--' | grep -qv 'source: '"

# 12: --apply without --yes asks; "no" applies nothing
: > "$XE_LOG"
echo no | PATH="$TMP/bin:$PATH" "$KT" net plan --xe --network "$STOR" --mtu 1500 --apply > "$TMP/out" 2>&1
check "declined confirmation runs nothing" "[ $? -eq 1 ] && [ ! -s '$XE_LOG' ]"

# 13: names are validated before anything runs
PATH="$TMP/bin:$PATH" "$KT" net plan --xe --network "no such network" --mtu 1500 --apply --yes > "$TMP/out" 2>&1
check "unknown network is a usage error" "[ $? -eq 2 ] && [ ! -s '$XE_LOG' ]"

# 14: live --xe through the fake xe gives the same findings as --xe-dir
PATH="$TMP/bin:$PATH" "$KT" net audit --xe > "$TMP/live" 2>&1
"$KT" net audit --xe-dir "$FIX" > "$TMP/dir" 2>&1
sed -n '/^Findings/,$p' "$TMP/live" > "$TMP/live.f"
sed -n '/^Findings/,$p' "$TMP/dir" > "$TMP/dir.f"
# (a XenServer pool: enic at 9000 is "depends", medium, on all four NICs)
check "audit --xe equals audit --xe-dir" "[ \$(grep -c '\[medium\] jumbo-depends' '$TMP/live.f') -eq 4 ] && cmp -s '$TMP/live.f' '$TMP/dir.f'"

# 15-16: audit facts -> analyze (issue #11): the seed crash is the bridge
# refragmenting a guest frame (high, any driver); its remedy is the exact
# plan command for the jumbo network of the facts; enic without evidence of a
# smaller vNIC stays below high
"$KT" net audit --xe-dir "$FIX" --format json > "$TMP/facts.json"
"$KT" analyze --host-facts "$TMP/facts.json" "$SRC/examples/xenserver-enic-jumbo/" > "$TMP/an" 2>&1
check "analyze: general cause high, remedy names the network and MTU" \
	"grep -q 'confidence high; rule bridge-refragment-guest-vif' '$TMP/an' && grep -q \"ktriage net plan --network 'Storage (bond1)' --mtu 1500 --xe\" '$TMP/an'"
check "analyze: enic is not the cause without evidence" \
	"grep -q 'confidence medium; rule enic-jumbo-frames' '$TMP/an' && grep -q 'is not the cause' '$TMP/an'"

# 17-18: a status report whose kernel log shows the enic vNIC at 1500 under MTU
# 9000 (enic_res.c "vNIC ... mtu N" format; values invented): the audit says
# so (high), and analyze with those facts is confident about the enic case
SR="$TMP/sr/bug-report-20260101000000"
mkdir -p "$SR/var/log"
printf '2: eth2: <BROADCAST,MULTICAST,UP> mtu 9000 qdisc mq state UP\n' > "$SR/ip-s-addr.out"
printf 'driver: enic\nbus-info: 0000:06:00.0\n' > "$SR/ethtool-i-eth2.out"
printf 'Jan  1 00:00:01 xs-a kernel: [    3.1] enic 0000:06:00.0: vNIC MAC addr 00:25:b5:00:00:1f wq/rq 256/512 mtu 1500\n' \
	> "$SR/var/log/kern.log"
(cd "$TMP/sr" && tar cjf ../sr.tar.bz2 bug-report-20260101000000)
"$KT" net audit --status-report "$TMP/sr.tar.bz2" > "$TMP/sra" 2>&1
"$KT" net audit --status-report "$TMP/sr.tar.bz2" --format json > "$TMP/srf.json" 2>/dev/null
check "status report: vNIC below the MTU is high" "grep -q '\[high\] port-mtu-below: eth2' '$TMP/sra'"
"$KT" analyze --host-facts "$TMP/srf.json" "$SRC/examples/xenserver-enic-jumbo/" > "$TMP/an2" 2>&1
check "analyze with those facts: the enic case is high" \
	"grep -q 'confidence high; rule enic-jumbo-frames' '$TMP/an2' && grep -q 'carries 1500' '$TMP/an2'"

[ $fails -eq 0 ]
