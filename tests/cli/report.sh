#!/bin/sh
# How a report reads (TAP): the verdict leads each input, the closing
# summary counts inputs/crashes/buckets/rules, --summary prints one line per
# bucket, --format md, --width wraps, --ascii is plain ASCII, Markdown
# escapes log text. Inputs are the golden tests' own logs (tests/golden).
# Usage: report.sh KTRIAGE SOURCE_ROOT
. "$(dirname "$0")/lib.sh"
g="$src/tests/golden"
# three crashes in two buckets: the same dmesg crash twice, then another
cat "$g/xs-enic-jumbo-dmesg/input.log" "$g/xs-enic-jumbo-dmesg/input.log" \
    "$g/linux-6.1-ip-do-fragment/input.log" > "$tmp/three.log"

"$kt" analyze --color never "$tmp/three.log" > "$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ]; check "crashes found: exit 1" $? "rc=$rc $(cat "$tmp/err")"
sed -n 3p "$tmp/out" | grep -q '^Verdict: '; check "the verdict leads the input" $? "$(head -5 "$tmp/out")"
grep -q '^  First step: ' "$tmp/out"; check "the verdict gives the first remedy step" $? ""
grep -q 'in [0-9]* of 3 crashes' "$tmp/out"; check "the verdict counts the crashes" $? "$(head -6 "$tmp/out")"
tail -3 "$tmp/out" | grep -q '^Summary: 1 input read, 3 crashes in 2 distinct buckets\.$'
check "closing summary: inputs, crashes, buckets" $? "$(tail -3 "$tmp/out")"
tail -2 "$tmp/out" | grep -q '^  findings by rule: .*[a-z] [0-9]'; check "closing summary: findings by rule" $? "$(tail -3 "$tmp/out")"

# a crash of a bucket already shown: one line
[ "$(grep -c ' again \[.*shown above' "$tmp/out")" -eq 1 ]; check "a repeated bucket is one line" $? "$(grep again "$tmp/out")"
[ "$(grep -c '^Call trace' "$tmp/out")" -eq 2 ]; check "two buckets: two reports in full" $? ""
"$kt" analyze --color never --verbose "$tmp/three.log" > "$tmp/v" 2>&1
[ "$(grep -c '^Call trace' "$tmp/v")" -eq 3 ] && ! grep -q ' again ' "$tmp/v"
check "--verbose: every report in full" $? ""

# medium confidence: what would raise it, and the commands that gather it
# (a test rule, tests/cli/raise-rule/, on a WARNING no other rule matches)
cat > "$tmp/w.log" <<'LOG'
[   10.000000] ------------[ cut here ]------------
[   10.000001] WARNING: CPU: 1 PID: 0 at drivers/net/kt_test.c:42 kt_test_xmit+0x10/0x20
[   10.000002] Call Trace:
[   10.000003]  kt_test_xmit+0x10/0x20
[   10.000004]  dev_hard_start_xmit+0x1/0x2
[   10.000005] ---[ end trace 0000000000000000 ]---
LOG
rr="$src/tests/cli/raise-rule"
"$kt" analyze --color never --rules "$rr" "$tmp/w.log" > "$tmp/med" 2>&1
sed -n 3p "$tmp/med" | grep -q '^Verdict: Test cause that host facts confirm' &&
	grep -q 'confidence medium' "$tmp/med" && grep -q 'this evidence would raise it' "$tmp/med" &&
	grep -q -- '- host facts: ... runs above MTU 1500' "$tmp/med" &&
	grep -q 'ktriage net audit --format json > facts.json' "$tmp/med" &&
	grep -q "ktriage analyze --host-facts facts.json $tmp/w.log" "$tmp/med"
check "not high: the evidence and the commands that raise it" $? "$(head -14 "$tmp/med")"
"$kt" net audit --sysfs-root "$src/tests/host/enic-ixgbe-jumbo" --format json > "$tmp/facts.json" 2>/dev/null
"$kt" analyze --color never --rules "$rr" --host-facts "$tmp/facts.json" "$tmp/w.log" > "$tmp/high" 2>&1
grep -q 'confidence high (rule test-raise)' "$tmp/high" && ! grep -q 'would raise' "$tmp/high"
check "with the host facts: high, nothing left to raise" $? "$(head -8 "$tmp/high")"

# --summary: one line per bucket, most crashes first
"$kt" analyze --summary "$tmp/three.log" > "$tmp/sum" 2>&1
[ "$(grep -c '=>' "$tmp/sum")" -eq 2 ]; check "--summary: one line per bucket" $? "$(cat "$tmp/sum")"
head -1 "$tmp/sum" | grep -q '^ *2  .* => '; check "--summary: the biggest bucket first, with its count" $? "$(cat "$tmp/sum")"
! grep -q 'Call trace' "$tmp/sum"; check "--summary: no report bodies" $? ""
"$kt" analyze --summary --format json "$tmp/three.log" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ]; check "--summary with json: usage error" $? "rc=$rc"

# Markdown
"$kt" analyze --format md "$tmp/three.log" > "$tmp/md" 2>&1
grep -q '^\*\*Verdict:\*\* ' "$tmp/md" && grep -q '^### ' "$tmp/md" && grep -q '^```' "$tmp/md"
check "md: verdict, headings, code blocks" $? "$(head -20 "$tmp/md")"
[ $(( $(grep -c '^```' "$tmp/md") % 2 )) -eq 0 ]; check "md: code fences balanced" $? ""
printf '[ 1.0] kernel BUG at fs/<script>alert(1)</script>.c:12!\n[ 1.1] invalid opcode: 0000 [#1] SMP\n[ 1.2] Call Trace:\n[ 1.4]  foo+0x1/0x2\n' > "$tmp/evil.log"
"$kt" analyze --format md "$tmp/evil.log" > "$tmp/evil.md" 2>&1
grep -q '&lt;script&gt;' "$tmp/evil.md" && ! grep -v '^ \|^=>\|^```' "$tmp/evil.md" | grep -q '<script>'; check "md: no HTML from the log outside code" $? "$(grep script "$tmp/evil.md")"

# --width wraps (continuation lines indented); --ascii is plain ASCII
"$kt" analyze --color never --width 72 "$tmp/three.log" > "$tmp/w" 2>&1
long=$(awk 'length($0) > 72' "$tmp/w" | grep -c ' ')
[ "$long" -eq 0 ]; check "--width 72: no line with a space is longer" $? "$(awk 'length($0) > 72' "$tmp/w" | head -3)"
"$kt" analyze --color never --ascii "$tmp/three.log" > "$tmp/a" 2>&1
! LC_ALL=C grep -q '[^ -~]' "$tmp/a"; check "--ascii: only printable ASCII" $? "$(LC_ALL=C grep -n '[^ -~]' "$tmp/a" | head -3)"
grep -q ' - x86_64 - bucket ' "$tmp/a"; check "--ascii: separators as ASCII" $? ""

# no crash: a summary that says so, exit 0
echo "nothing here" > "$tmp/none.log"
"$kt" analyze "$tmp/none.log" > "$tmp/none" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q 'no crash found' "$tmp/none"; check "no crash: exit 0, said so" $? "rc=$rc $(cat "$tmp/none")"

tap_done
