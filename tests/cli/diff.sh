#!/bin/sh
# `ktriage diff A B` (TAP): the same crash in two log formats is the same
# bucket; a deeper frame changed keeps the title (same bug, bucket differs);
# two different crashes differ, with the fields named; JSON is valid;
# exit statuses. Inputs are the golden tests' logs. Usage: diff.sh KTRIAGE SRC
. "$(dirname "$0")/lib.sh"
g="$src/tests/golden"

"$kt" diff "$g/xs-enic-jumbo-dmesg/input.log" "$g/xs-enic-jumbo-kernlog/input.log" > "$tmp/o1" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q '^Same bug: yes: the same bucket' "$tmp/o1" && grep -q 'No difference' "$tmp/o1"
check "dmesg vs kern.log of one crash: the same bucket, exit 0" $? "rc=$rc $(head -3 "$tmp/o1")"

sed 's/br_nf_dev_queue_xmit/br_nf_dev_queue_xmit_v2/' "$g/xs-enic-jumbo-dmesg/input.log" > "$tmp/alt.log"
"$kt" diff "$g/xs-enic-jumbo-dmesg/input.log" "$tmp/alt.log" > "$tmp/o2" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q 'the same title' "$tmp/o2" && grep -q 'bucket' "$tmp/o2"
check "a frame below the guilty one changed: same title, buckets differ" $? "rc=$rc $(cat "$tmp/o2")"
grep -q 'Only in B: br_nf_dev_queue_xmit_v2' "$tmp/o2"; check "the frame only in B is named" $? "$(grep Only "$tmp/o2")"

"$kt" diff "$g/xs-enic-jumbo-dmesg/input.log" "$g/linux-6.1-ip-do-fragment/input.log" > "$tmp/o3" 2>&1; rc=$?
[ $rc -eq 1 ] && grep -q '^Same bug: no' "$tmp/o3" && grep -q '^  kernel  *A: 3.10.0' "$tmp/o3"
check "two crashes: not the same bug, the kernels shown" $? "rc=$rc $(cat "$tmp/o3")"
grep -q 'the same known cause: ' "$tmp/o1"; check "the shared known cause is said" $? "$(head -5 "$tmp/o1")"
grep -q '^Frames in common: [1-9]' "$tmp/o3"; check "frames in common counted" $? ""

"$kt" diff --format json "$g/xs-enic-jumbo-dmesg/input.log" "$g/rules/xfs-corruption/fire.log" > "$tmp/o4"; rc=$?
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["same"] == "different" and d["frames_common"] == [] and "title" in d["differ"], d
' "$tmp/o4"
[ $? -eq 0 ] && [ $rc -eq 1 ]; check "json: valid, different, fields that differ" $? "rc=$rc $(head -c 300 "$tmp/o4")"

"$kt" diff --a-index 2 "$g/xs-enic-jumbo-dmesg/input.log" "$tmp/alt.log" >/dev/null 2>"$tmp/e5"; rc=$?
[ $rc -eq 3 ] && grep -q 'has 1 crash, not 2' "$tmp/e5"; check "--a-index past the crashes: exit 3, said" $? "rc=$rc $(cat "$tmp/e5")"
echo "no crash" > "$tmp/none.log"
"$kt" diff "$tmp/none.log" "$tmp/alt.log" >/dev/null 2>&1; rc=$?
[ $rc -eq 3 ]; check "an input without a crash: exit 3" $? "rc=$rc"
"$kt" diff - - </dev/null >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ]; check "stdin twice: usage error" $? "rc=$rc"
"$kt" diff "$tmp/alt.log" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ]; check "one input: usage error" $? "rc=$rc"
"$kt" diff - "$tmp/alt.log" < "$g/xs-enic-jumbo-kernlog/input.log" >/dev/null 2>&1; rc=$?
[ $rc -eq 0 ]; check "A from standard input" $? "rc=$rc"

tap_done
