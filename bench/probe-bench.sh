#!/bin/bash
# bench: how long `ktriage net probe` takes on a clean path and on a
# black-holed one, in network namespaces this script creates and removes
# (topology: tests/net/probe-lib.sh). Needs root. Prints seconds (wall
# clock of the whole command, including process start) per case.
#
# Usage: bench/probe-bench.sh PROBE_CMD... [-- RUNS]
#   e.g. bench/probe-bench.sh build/tests/net/probe_driver
#        bench/probe-bench.sh build/cli/ktriage net probe -- 10
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/net/probe-lib.sh"

PROBE=()
RUNS=5
while [ $# -gt 0 ]; do
	if [ "$1" = -- ]; then RUNS=${2:-5}; break; fi
	PROBE+=("$1")
	shift
done
[ ${#PROBE[@]} -ge 1 ] || { echo "usage: $0 PROBE_CMD... [-- RUNS]" >&2; exit 2; }
if ! why=$(probe_have_tools); then
	echo "skipped: $why" >&2
	exit 77
fi
trap probe_topo_down EXIT
trap 'exit 1' INT TERM
probe_topo_up || { echo "could not build the topology" >&2; exit 1; }

# bench_case NAME ARGS...: RUNS timed runs; prints min / median / max seconds
bench_case() {
	local name=$1
	shift
	local times=() i t0 t1 pmtu
	for i in $(seq "$RUNS"); do
		probe_flush_pmtu
		t0=$(date +%s.%N)
		pmtu=$(ip netns exec "$NS_A" "${PROBE[@]}" --format json "$@" 2>/dev/null |
			jq -r '"\(.verdict) \(.path_mtu)"')
		t1=$(date +%s.%N)
		times+=("$(echo "$t1 - $t0" | bc -l)")
	done
	printf '%s\n' "${times[@]}" | sort -n | awk -v name="$name" -v res="$pmtu" '
		{ t[NR] = $1 }
		END { printf "%-38s %-18s min %.3f s  median %.3f s  max %.3f s\n",
			name, res, t[1], t[int((NR + 1) / 2)], t[NR] }'
}

echo "runs per case: $RUNS"
for fam in 4 6; do
	if [ $fam = 4 ]; then B=$B4 D=$D4; else B=$B6 D=$D6; fi
	bench_case "IPv$fam clean, direct 9000" -$fam $D
	bench_case "IPv$fam clean, router announces 1500" -$fam $B
	probe_blackhole_on
	bench_case "IPv$fam black hole at 1500" -$fam $B
	probe_rb_mtu 4321
	bench_case "IPv$fam black hole at 4321 (bisection)" -$fam $B
	probe_rb_mtu 1500
	probe_loss_on 10
	bench_case "IPv$fam black hole at 1500, 10% loss" -$fam $B
	probe_loss_off
	probe_blackhole_off
done
