#!/bin/sh
# bench/memory.sh KTRIAGE GEN_LOG [SIZE]: peak resident memory of
# `ktriage analyze --max-reports 100000` per output format on a generated
# dmesg log with a crash every 6 KB (SIZE, default 64M: about 9,700
# crashes), and on a 100 KB one for the floor; /usr/bin/time -v's "Maximum
# resident set size" (GNU time). The table in docs/analyze-speed.md
# ("Memory") comes from it.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 KTRIAGE GEN_LOG [SIZE]" >&2; exit 2; }
kt=$1 gen=$2 size=${3:-64M}
out=$(dirname "$0")/out
mkdir -p "$out"
"$gen" --size "$size" --crash-every 6k --style dmesg -o "$out/mem-big.log" 2>/dev/null
"$gen" --size 100k --crash-every 6k --style dmesg -o "$out/mem-small.log" 2>/dev/null
rss() { # FORMAT LOG
	/usr/bin/time -v "$kt" analyze -q --max-reports 100000 --format "$1" "$2" 2>&1 >/dev/null |
		sed -n 's/.*Maximum resident set size (kbytes): //p'
}
printf '%-6s %12s %12s\n' format "$size" 100k
for f in jsonl json text md html; do
	printf '%-6s %9s KB %9s KB\n' "$f" "$(rss "$f" "$out/mem-big.log")" "$(rss "$f" "$out/mem-small.log")"
done
