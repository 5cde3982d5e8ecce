#!/bin/bash
# tests/net: `ktriage net probe` against real paths in network namespaces
# this script creates (and removes in an EXIT trap, also on failure).
# TAP output; skips when not root or without `ip netns` / nft.
#
# Usage: probe-netns.sh [--fallback DRIVER] PROBE_CMD...
#   e.g. probe-netns.sh build/cli/ktriage net probe, or build/tests/net/probe_driver;
#   run via `meson test -C BUILD net-probe-netns`.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/probe-lib.sh"

fallback=
if [ "${1:-}" = --fallback ]; then
	fallback=$2
	shift 2
fi
[ $# -ge 1 ] || { echo "usage: $0 [--fallback DRIVER] PROBE_CMD..." >&2; exit 2; }
PROBE=("$@")
# Until `ktriage net probe` is dispatched, use the stand-alone driver.
if ! "${PROBE[@]}" --help >/dev/null 2>&1 && [ -n "$fallback" ]; then
	PROBE=("$fallback")
fi
echo "# probing with: ${PROBE[*]}"

if ! why=$(probe_have_tools); then
	echo "1..0 # SKIP $why"
	exit 0
fi
command -v jq >/dev/null || { echo "1..0 # SKIP no jq"; exit 0; }

trap probe_topo_down EXIT
trap 'exit 1' INT TERM
if ! probe_topo_up; then
	echo "Bail out! could not build the namespace topology"
	exit 1
fi

n=0
failed=0
ok() {	# ok COND-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

# probe OUTVAR ARGS...: run the probe in A, JSON in $OUTVAR, exit status in $rc.
probe() {
	local var=$1
	shift
	local out
	out=$(ip netns exec "$NS_A" "${PROBE[@]}" --format json "$@" 2>/tmp/kt-probe-$PROBE_P.err)
	rc=$?
	printf -v "$var" '%s' "$out"
	if [ -z "$out" ]; then
		sed 's/^/# /' /tmp/kt-probe-$PROBE_P.err
	fi
	rm -f /tmp/kt-probe-$PROBE_P.err
}

# field JSON JQ-EXPR
field() { printf '%s' "$1" | jq -r "$2" 2>/dev/null; }

# show JSON as TAP comments when a check fails
diag() { printf '%s\n' "$1" | jq -c '{verdict,path_mtu,smallest_failed,hop_mtu,hop_address,method,elapsed_ms,steps:[.steps[]|[.size,.outcome,.attempts]]}' 2>/dev/null | sed 's/^/# /'; }

# expect_probe DESC EXPECTED-RC VERDICT PMTU HOP-ADDR-OR-null ARGS...
expect_probe() {
	local desc=$1 want_rc=$2 verdict=$3 pmtu=$4 hop=$5
	shift 5
	local j
	probe j "$@"
	local got="rc=$rc verdict=$(field "$j" .verdict) pmtu=$(field "$j" .path_mtu) hop=$(field "$j" .hop_address)"
	local want="rc=$want_rc verdict=$verdict pmtu=$pmtu hop=$hop"
	[ "$got" = "$want" ]
	ok $? "$desc ($got)"
	[ "$got" = "$want" ] || { echo "# wanted $want"; diag "$j"; }
	LAST=$j
}

for fam in 4 6; do
	if [ $fam = 4 ]; then B=$B4 D=$D4 R=$R_A4; else B=$B6 D=$D6 R=$R_A6; fi
	probe_flush_pmtu
	expect_probe "IPv$fam via router: PMTU 1500 announced by R" 0 limited 1500 $R -$fam $B
	[ "$(field "$LAST" '.steps[0].size')" = 9000 ] && [ "$(field "$LAST" .interface_mtu)" = 9000 ]
	ok $? "IPv$fam first guess is the interface MTU 9000"
	expect_probe "IPv$fam direct jumbo link: 9000" 0 full 9000 null -$fam $D
	[ "$(field "$LAST" .probes_sent)" = 1 ]
	ok $? "IPv$fam healthy path takes one probe"
	expect_probe "IPv$fam --expect 9000 via router fails" 1 limited 1500 $R -$fam --expect 9000 $B
	expect_probe "IPv$fam --expect 1500 via router holds" 0 limited 1500 $R -$fam --expect 1500 $B
	expect_probe "IPv$fam udp method via router" 0 limited 1500 $R -$fam --method udp $B

	probe_blackhole_on
	probe_flush_pmtu
	expect_probe "IPv$fam black hole: R drops its ICMP" 1 black-hole 1500 null -$fam $B
	[ "$(field "$LAST" .smallest_failed)" = 1501 ] &&
		[ "$(field "$LAST" '.steps[] | select(.size == 9000) | .outcome')" = lost ]
	ok $? "IPv$fam black hole: 1500 passes, 1501 and 9000 lost"
	echo "# IPv$fam black hole found in $(field "$LAST" .elapsed_ms) ms, $(field "$LAST" .probes_sent) probes"

	# Not a common MTU: found by bisection.
	probe_rb_mtu 4321
	probe_flush_pmtu
	expect_probe "IPv$fam black hole at 4321 (bisection)" 1 black-hole 4321 null -$fam $B
	echo "# IPv$fam black hole at 4321 found in $(field "$LAST" .elapsed_ms) ms, $(field "$LAST" .probes_sent) probes"
	probe_rb_mtu 1500

	probe_loss_on 10
	expect_probe "IPv$fam black hole with 10% loss" 1 black-hole 1500 null -$fam $B
	probe_blackhole_off
	probe_flush_pmtu
	expect_probe "IPv$fam via router with 10% loss" 0 limited 1500 $R -$fam $B
	expect_probe "IPv$fam direct with 10% loss" 0 full 9000 null -$fam $D
	probe_loss_off
done

# Without root: no raw socket; AUTO takes a ping socket if the group may
# (net.ipv4.ping_group_range), else UDP like tracepath.
unpriv() {	# unpriv RANGE WANT-METHOD
	ip netns exec "$NS_A" sysctl -qw net.ipv4.ping_group_range="$1"
	local j
	j=$(ip netns exec "$NS_A" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"${PROBE[@]}" --format json -4 $B4 2>&1)
	[ "$(field "$j" .method) $(field "$j" .path_mtu)" = "$2 1500" ]
	ok $? "unprivileged user, ping_group_range $1: $2 method finds 1500"
}
if command -v setpriv >/dev/null && setpriv --reuid=65534 "${PROBE[@]}" --help >/dev/null 2>&1
then
	unpriv "1 0" udp
	unpriv "0 2147483647" ping
fi

# Ping sockets forced as root (range left open by the test above).
ip netns exec "$NS_A" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
expect_probe "IPv4 ping socket via router" 0 limited 1500 $R_A4 -4 --method ping $B4
expect_probe "IPv6 ping socket via router" 0 limited 1500 $R_A6 -6 --method ping $B6

# Agreement with iputils `ping -M do -s PAYLOAD` (payload = size - 28 / 48).
pingable() {	# pingable FAM HOST SIZE
	local hdr=28
	[ "$1" = 6 ] && hdr=48
	ip netns exec "$NS_A" ping -$1 -M do -c 3 -i 0.2 -W 1 -s $(($3 - hdr)) "$2" >/dev/null 2>&1
}
for fam in 4 6; do
	if [ $fam = 4 ]; then B=$B4 D=$D4; else B=$B6 D=$D6; fi
	for bh in off on; do
		probe_blackhole_$bh
		for host in $B $D; do
			probe_flush_pmtu
			probe j -$fam $host
			p=$(field "$j" .path_mtu)
			probe_flush_pmtu
			pingable $fam $host "$p" && ! pingable $fam $host $((p + 1))
			ok $? "IPv$fam black hole $bh: ping -M do agrees $host carries $p, not $((p + 1))"
		done
	done
	probe_blackhole_off
done

# Options that shape the search.
expect_probe "--interface d0 --max 4000: 4000 is all we ask" 0 full 4000 null -4 -I d0 --max 4000 $D4
[ "$(field "$LAST" .interface)" = d0 ] && [ "$(field "$LAST" .probes_sent)" = 1 ]
ok $? "--interface is reported and one probe suffices"
expect_probe "--max above the interface MTU stops at the interface" 0 limited 1500 $R_A4 \
	-4 --max 12000 $B4

# Errors and usage.
probe j -4 no-such-host.invalid
[ $rc = 3 ]
ok $? "unknown host: exit 3"
probe j -4 --interface kt-nonexist0 $B4
[ $rc = 3 ]
ok $? "unknown interface: exit 3"
probe j --max 12 $B4
[ $rc = 2 ]
ok $? "bad --max: exit 2"
probe j -6 --max 1000 $B6
[ $rc = 2 ]
ok $? "--max below the IPv6 minimum: exit 2"
probe j -4 --timeout 200 198.51.100.77
[ $rc = 3 ] && [ "$(field "$j" .verdict)" = no-reply ]
ok $? "silent host: no-reply, exit 3"
ip netns exec "$NS_A" "${PROBE[@]}" -4 $B4 | grep -q '^Path MTU: 1500'
ok $? "text output names the path MTU"

echo "1..$n"
[ $failed = 0 ]
