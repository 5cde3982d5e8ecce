#!/bin/sh
# Big logs through `ktriage analyze` (docs/analyze-speed.md "Big logs"):
# for each style, a bench/gen_log log of SIZE (default 1G, seed 1) in
# bench/out/, then RUNS (default 5) runs of `analyze -q --format jsonl`
# with the page cache warm. Prints per style the lowest CPU time
# (user+sys), the lowest wall time, the GB/s of each, and the crashes
# found. CPU time is the figure to quote on a loaded machine.
#   bench/analyze-big.sh [-s SIZE] [-r RUNS] [-b BUILD] [STYLE...]
# STYLE: dmesg syslog journal ring mixed (default: dmesg syslog mixed).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
size=1G runs=5 build="$here/../build"
while getopts s:r:b: o; do
	case $o in
	s) size=$OPTARG ;;
	r) runs=$OPTARG ;;
	b) build=$OPTARG ;;
	*) echo "usage: $0 [-s SIZE] [-r RUNS] [-b BUILD] [STYLE...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- dmesg syslog mixed
out="$here/out"
mkdir -p "$out"
kt="$build/cli/ktriage"
for style in "$@"; do
	log="$out/big-$style-$size.log"
	[ -s "$log" ] || "$build/bench/gen_log" --size "$size" --style "$style" --seed 1 -o "$log"
	bytes=$(wc -c < "$log")
	cat "$log" > /dev/null	# warm the page cache
	best_cpu=1e9 best_wall=1e9
	i=0
	while [ $i -lt "$runs" ]; do
		t=$( { /usr/bin/time -f '%U %S %e' "$kt" analyze -q --format jsonl "$log" \
			> "$out/big-$style.jsonl"; } 2>&1 | tail -n 1) || true
		cpu=$(echo "$t" | awk '{ printf "%.3f", $1 + $2 }')
		wall=$(echo "$t" | awk '{ printf "%.3f", $3 }')
		best_cpu=$(echo "$best_cpu $cpu" | awk '{ print ($2 < $1) ? $2 : $1 }')
		best_wall=$(echo "$best_wall $wall" | awk '{ print ($2 < $1) ? $2 : $1 }')
		i=$((i + 1))
	done
	crashes=$(grep -o '"first_line"' "$out/big-$style.jsonl" | wc -l)
	echo "$style $bytes $best_cpu $best_wall $crashes" | awk '{
		printf "%-7s %5.2f GB  cpu %6.3f s %5.2f GB/s  wall %6.3f s %5.2f GB/s  %d reports\n",
			$1, $2 / 1e9, $3, $2 / 1e9 / $3, $4, $2 / 1e9 / $4, $5 }'
done
