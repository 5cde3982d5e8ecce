#!/bin/sh
# Repeats the command of tests/cli/jobs.sh "a job over the buffer cap waits
# its turn" (analyze -j 3 --format json many2.log many.log seed) under one
# nice'd busy loop and counts the runs whose exit status is not 1 or whose
# output differs from -j 1. On 2 cores it found a heap corruption at exit
# (glibc "corrupted size vs. prev_size while consolidating", abort in
# kt_signer_free -> kt_rx_free, the stdout tail lost) in about 1 run of 40;
# the same abort hit tests/cli/jobs.sh "text -j 8 equals -j 1" once.
# Bounded: RUNS runs (default 60), then stops. Not a test.
# Usage: scripts/stress-analyze-jobs.sh KTRIAGE [RUNS]
set -u
kt=${1:?usage: stress-analyze-jobs.sh KTRIAGE [RUNS]}
runs=${2:-60}
src=$(cd "$(dirname "$0")/.." && pwd)
seed="$src/examples/xenserver-enic-jumbo/dom0.log"
tmp=$(mktemp -d)
busy=
trap '[ -n "$busy" ] && kill "$busy" 2>/dev/null; rm -rf "$tmp"' EXIT
i=0
while [ $i -lt 400 ]; do cat "$seed"; i=$((i + 1)); done > "$tmp/many.log"
cat "$tmp/many.log" "$tmp/many.log" > "$tmp/many2.log"
"$kt" analyze -j 1 --format json "$tmp/many2.log" "$tmp/many.log" "$seed" > "$tmp/one.out" 2>/dev/null
nice -n 19 sh -c 'while :; do :; done' &
busy=$!
bad=0
i=0
while [ $i -lt "$runs" ]; do
	i=$((i + 1))
	(ulimit -c 0; exec nice -n 10 "$kt" analyze -j 3 --format json "$tmp/many2.log" \
		"$tmp/many.log" "$seed" > "$tmp/par.out" 2> "$tmp/par.err")
	rc=$?
	if [ $rc -ne 1 ] || ! cmp -s "$tmp/one.out" "$tmp/par.out"; then
		bad=$((bad + 1))
		echo "run $i: exit $rc; $(cmp "$tmp/one.out" "$tmp/par.out" 2>&1); $(head -c 200 "$tmp/par.err")"
	fi
done
echo "$bad of $runs runs differed or failed"
[ $bad -eq 0 ]
