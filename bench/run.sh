#!/bin/sh
# bench/run.sh: how fast is `ktriage scan` (one thread per CPU, and -j 1)? Generates a seeded synthetic log
# (bench/gen_log) into bench/out/ (git-ignored) if missing, then prints MB/s
# for `ktriage scan`, `grep -c -E` with the crash-header keywords and
# `cat > /dev/null` on the same file (page cache warm, best of N runs, by
# wall clock and by CPU time: user+sys), and the time of
# `ktriage analyze --format jsonl` over the syzkaller-dev logs in one process
# (default jobs and -j 1).
#
# Usage: bench/run.sh [-b BUILD_DIR] [-s SIZE] [-S STYLE] [-e EVERY] [-n RUNS] [-c CORPUS]
#   SIZE like 2G (default), STYLE mixed|dmesg|syslog|journal|ring (default dmesg),
#   EVERY: mean bytes between crashes (default 256M: rare crashes; 16M: frequent)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build="$root/build"
size=2G
style=dmesg
every=256M
runs=3
corpus="$root/../shared/corpora/syzkaller-dev"
while getopts b:s:S:e:n:c: o; do
	case $o in
	b) build=$OPTARG ;;
	s) size=$OPTARG ;;
	S) style=$OPTARG ;;
	e) every=$OPTARG ;;
	n) runs=$OPTARG ;;
	c) corpus=$OPTARG ;;
	*) echo "usage: $0 [-b BUILD] [-s SIZE] [-S STYLE] [-e EVERY] [-n RUNS] [-c CORPUS]" >&2; exit 2 ;;
	esac
done
ktriage="$build/cli/ktriage"
gen="$build/bench/gen_log"
[ -x "$ktriage" ] && [ -x "$gen" ] || { echo "build first: ninja -C $build" >&2; exit 2; }

mkdir -p "$here/out"
log="$here/out/kern-$style-$size-every$every.log"
if [ ! -s "$log" ]; then
	"$gen" --size "$size" --style "$style" --crash-every "$every" --seed 1 -o "$log"
fi
bytes=$(stat -L -c %s "$log")
cat "$log" > /dev/null		# warm the page cache

# grep pattern: the literal header keywords of data/parse/headers.txt.
kw=$(grep '^header | ' "$root/data/parse/headers.txt" | awk -F' [|] ' '{print $3}' |
	sed 's/[][\.*^$()+?{}|]/\\&/g' | paste -sd'|')

# best_of NAME CMD...: runs CMD $runs times, prints the best wall and CPU MB/s.
best_of() {
	name=$1; shift
	best_w=999999; best_c=999999
	i=0
	while [ $i -lt "$runs" ]; do
		# Not > /dev/null: GNU grep stops at the first match when its
		# output is /dev/null.
		if [ "$1" = cat ]; then
			/usr/bin/time -f '%e %U %S' -o /tmp/kt-bench-time.$$ "$@" > /dev/null 2>&1 || true
		else
			/usr/bin/time -f '%e %U %S' -o /tmp/kt-bench-time.$$ "$@" > /tmp/kt-bench-out.$$ 2>&1 || true
		fi
		read -r w u s <<EOT
$(tail -n 1 /tmp/kt-bench-time.$$)
EOT
		c=$(echo "$u + $s" | bc)
		best_w=$(echo "if ($w < $best_w) $w else $best_w" | bc)
		best_c=$(echo "if ($c < $best_c) $c else $best_c" | bc)
		i=$((i + 1))
	done
	rm -f /tmp/kt-bench-time.$$ /tmp/kt-bench-out.$$
	printf '%-22s %8.0f MB/s wall (%6.2f s)  %8.0f MB/s cpu (%6.2f s)\n' "$name" \
		"$(echo "$bytes / 1000000 / ($best_w + 0.001)" | bc -l)" "$best_w" \
		"$(echo "$bytes / 1000000 / ($best_c + 0.001)" | bc -l)" "$best_c"
}

echo "file: $log ($bytes bytes, $(nproc) cpus, load $(cut -d' ' -f1 /proc/loadavg))"
"$ktriage" scan --stats --no-progress "$log" 2>&1 >/dev/null | sed 's/^/  /'
best_of "cat > /dev/null" cat "$log"
best_of "ktriage scan" "$ktriage" scan --no-progress "$log"
best_of "ktriage scan -j 1" "$ktriage" scan -j 1 --no-progress "$log"
best_of "ktriage scan (hs)" "$ktriage" scan --engine vectorscan --no-progress "$log"
best_of "grep -c -E" grep -c -E "$kw" "$log"
# median and spread of 7 runs (bench/median.py)
python3 "$here/median.py" -n 7 -b "$bytes" --label "ktriage scan (median)" -- \
	"$ktriage" scan --no-progress "$log"
python3 "$here/median.py" -n 7 -b "$bytes" --label "ktriage scan -j 1 (median)" -- \
	"$ktriage" scan -j 1 --no-progress "$log"

# analyze over the corpus logs in one process (bench/analyze-corpus.sh)
if [ -d "$corpus" ]; then
	sh "$here/analyze-corpus.sh" "$ktriage" "$corpus"
fi
