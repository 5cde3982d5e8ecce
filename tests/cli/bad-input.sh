#!/bin/sh
# CLI behaviour on hostile and broken inputs (TAP): never a crash or hang,
# a clear message naming the input, the other inputs still analysed, and the
# documented exit statuses. Usage: bad-input.sh KTRIAGE SOURCE_ROOT
. "$(dirname "$0")/lib.sh"
seed="$src/examples/xenserver-enic-jumbo/dom0.log"

# 1. a missing file: exit 3, message names it, other inputs still analysed
out=$("$kt" analyze --format jsonl "$tmp/nope.log" "$seed" 2>"$tmp/err"); rc=$?
[ $rc -eq 3 ]; check "missing file exits 3" $? "rc=$rc"
grep -q "nope.log" "$tmp/err"; check "missing file is named on stderr" $? "$(cat "$tmp/err")"
echo "$out" | grep -q 'paging request in ip_fragment'; check "the other input is still analysed" $? "$out"

# 2. an empty file and a directory without logs: no crash, exit 0
: > "$tmp/empty.log"
"$kt" analyze "$tmp/empty.log" >/dev/null 2>&1; rc=$?
[ $rc -eq 0 ]; check "empty file exits 0" $? "rc=$rc"
mkdir "$tmp/nologs"
"$kt" analyze "$tmp/nologs" >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 0 ]; check "directory without logs exits 0" $? "rc=$rc $(cat "$tmp/out")"

# 3. binary garbage with NUL bytes and broken UTF-8 around a real oops
head -c 200000 /dev/urandom > "$tmp/garbage.log"
printf '\n' >> "$tmp/garbage.log"
cat "$seed" >> "$tmp/garbage.log"
printf '\377\376\000\000 BUG: unable to handle kernel \300\200 paging request at\n' >> "$tmp/garbage.log"
head -c 100000 /dev/urandom >> "$tmp/garbage.log"
out=$(timeout 60 "$kt" analyze --format jsonl "$tmp/garbage.log" 2>/dev/null); rc=$?
[ $rc -eq 0 ] || [ $rc -eq 1 ]; check "garbage: no crash of the tool (exit $rc)" $? "rc=$rc"
echo "$out" | python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' 2>/dev/null
check "garbage: output is valid JSON Lines" $? "$(echo "$out" | head -c 300)"
echo "$out" | grep -q 'paging request in ip_fragment'; check "garbage: the oops inside is still found" $? ""

# 4. a 100 MB line, then an oops: bounded time and memory
python3 -c "import sys; sys.stdout.write('A' * (100 << 20) + '\n')" > "$tmp/huge.log"
cat "$seed" >> "$tmp/huge.log"
# (peak RSS, not an address-space limit: sanitizer builds reserve terabytes)
out=$(python3 - "$kt" "$tmp/huge.log" "$tmp/rss" <<'PY'
import resource, subprocess, sys
p = subprocess.run([sys.argv[1], "analyze", "--format", "jsonl", sys.argv[2]],
                   capture_output=True, text=True, errors="replace", timeout=120)
open(sys.argv[3], "w").write("%d %d" % (p.returncode,
                             resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.stdout.write(p.stdout)
PY
)
read rc rss < "$tmp/rss"
# the cut line is a 'limit' problem: exit 3 (some input not read fully)
[ "$rc" -eq 3 ] && [ "$rss" -lt 600000 ]; check "100 MB line: exit 3 (line cut) with peak RSS under 600 MB (${rss} KiB)" $? "rc=$rc rss=${rss}KiB"
echo "$out" | grep -q '"kind": *"limit"'; check "100 MB line: the cut is a 'limit' problem" $? "$(echo "$out" | head -c 300)"
echo "$out" | grep -q 'paging request in ip_fragment'; check "100 MB line: the oops after it is found" $? ""
rm -f "$tmp/huge.log"

# 5. a truncated report: reported, marked corrupted or with what it has
head -n 12 "$seed" > "$tmp/cut.log"
out=$("$kt" analyze --format jsonl "$tmp/cut.log" 2>/dev/null); rc=$?
[ $rc -eq 1 ]; check "truncated report is still reported" $? "rc=$rc"

# 6. usage errors exit 2; --help exits 0 and documents the exit status
"$kt" analyze - - >/dev/null 2>&1; [ $? -eq 2 ]; check "stdin twice is a usage error (2)" $? ""
"$kt" analyze < "$seed" | grep -q 'ip_fragment'; check "no PATH and piped input: stdin is read" $? ""
"$kt" analyze --format xml "$seed" >/dev/null 2>&1; [ $? -eq 2 ]; check "bad --format is a usage error (2)" $? ""
"$kt" bogus >/dev/null 2>&1; [ $? -eq 2 ]; check "unknown command is a usage error (2)" $? ""
"$kt" analyze --help | grep -q "Exit status"; check "analyze --help documents the exit status" $? ""

# 7. stdin and compressed input
"$kt" analyze --format jsonl - < "$seed" | grep -q 'ip_fragment'; check "stdin ('-') is read" $? ""
gzip -c "$seed" > "$tmp/dom0.log.gz"
"$kt" analyze --format jsonl "$tmp/dom0.log.gz" | grep -q 'ip_fragment'; check "gzip input is read" $? ""

# 8. colour: never on a pipe, NO_COLOR honoured even when asked for auto
"$kt" analyze "$seed" | grep -q "$(printf '\033')"; [ $? -ne 0 ]; check "no colour on a pipe" $? ""
"$kt" analyze --color always "$seed" | grep -q "$(printf '\033')"; check "--color always colours" $? ""

tap_done
