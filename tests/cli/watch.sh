#!/bin/sh
# `ktriage watch` (TAP): a log appended to by this test; each crash is
# reported once and in time: at its end marker, after the quiet period when
# it has none, and across a rotation (mv + new file) and a truncation. A
# saved /dev/kmsg copy with a gap in the sequence numbers: the loss is
# reported. Inputs are the golden tests' logs. Usage: watch.sh KTRIAGE SRC
. "$(dirname "$0")/lib.sh"
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
g="$src/tests/golden"
# wait_lines FILE N SECONDS: until FILE has N lines; 0 if in time
wait_lines() {
	i=0
	while [ "$i" -lt $(($3 * 10)) ]; do
		[ "$(wc -l < "$1")" -ge "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
log="$tmp/kern.log"
: > "$log"
"$kt" watch --follow "$log" --format jsonl --quiet-period 3 --count 4 --duration 60 \
	--exec "cat >> '$tmp/exec.out'" > "$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 0.5

# 1. a report with an end marker: out as soon as it is complete
cat "$g/rules/list-corruption/fire.log" >> "$log"
wait_lines "$tmp/out" 1 2; check "end marker: reported within 2 s (quiet period 3 s)" $? "$(cat "$tmp/out" "$tmp/err")"

# 2. no end marker: out after the quiet period (3 s)
cat "$g/rules/hung-task-jbd2/fire.log" >> "$log"
sleep 1.5
[ "$(wc -l < "$tmp/out")" -eq 1 ]; check "no end marker: not before the quiet period" $? "$(cat "$tmp/out" | cut -c1-100)"
wait_lines "$tmp/out" 2 4; check "no end marker: reported after the quiet period" $? "$(cat "$tmp/err")"

# 3. rotation: the old file gets its last lines, then a new file
mv "$log" "$log.1"
cat "$g/rules/xfs-corruption/fire.log" >> "$log.1"
sleep 0.3
cat "$g/rules/scheduling-while-atomic/fire.log" > "$log"
wait_lines "$tmp/out" 4 8; check "rotation: the old file's last crash and the new file's crash" $? "$(cat "$tmp/err")"
wait "$pid"; rc=$?
pid=
[ $rc -eq 1 ]; check "--count 4: stops, exit 1" $? "rc=$rc"
python3 - "$tmp/out" <<'PY'
import json, sys
titles = [json.loads(l)["title"] for l in open(sys.argv[1])]
assert len(titles) == 4 and len(set(titles)) == 4, titles
PY
check "each report once (4 distinct titles)" $? "$(cut -c1-200 "$tmp/out")"
grep -q 'rotated' "$tmp/err"; check "rotation noticed" $? "$(cat "$tmp/err")"
[ "$(grep -c '"title"' "$tmp/exec.out")" -eq 4 ]; check "--exec got each report's JSON" $? "$(cut -c1-100 "$tmp/exec.out")"

# 4. truncation (copytruncate): read again from the start
: > "$log"
"$kt" watch --follow "$log" --format jsonl --quiet-period 1 --count 2 --duration 30 > "$tmp/out2" 2>"$tmp/err2" &
pid=$!
sleep 0.5
cat "$g/rules/list-corruption/fire.log" "$g/rules/xfs-corruption/fire.log" >> "$log"
wait_lines "$tmp/out2" 1 3
: > "$log"
sleep 0.5
cat "$g/rules/jbd2-bug-on/fire.log" >> "$log"
wait "$pid"; rc=$?
pid=
[ "$(wc -l < "$tmp/out2")" -eq 2 ] && grep -q truncated "$tmp/err2"
check "truncation: read again from the start" $? "$(cat "$tmp/err2")"

# 5. kmsg (a saved copy): records with a gap of 5 sequence numbers
python3 - "$g/linux-6.1-ip-do-fragment/input.log" > "$tmp/kmsg" <<'PY'
import re, sys
seq = 100
for i, l in enumerate(open(sys.argv[1])):
    m = re.match(r"\[\s*(\d+)\.(\d+)\]\s?(.*)", l.rstrip("\n"))
    if not m:
        continue
    if i == 3:
        seq += 5          # five records overwritten before they were read
    us = int(m.group(1)) * 1000000 + int(m.group(2))
    print("4,%d,%d,-;%s" % (seq, us, m.group(3).replace("\\", "\\x5c")))
    print(" SUBSYSTEM=net")
    seq += 1
PY
"$kt" watch --kmsg-path "$tmp/kmsg" --from-start --format jsonl --duration 2 > "$tmp/out3" 2>"$tmp/err3"; rc=$?
[ $rc -eq 1 ] && grep -q 'skb_copy_bits' "$tmp/out3"; check "kmsg records: the crash is reported" $? "rc=$rc $(cat "$tmp/err3")"
grep -q '5 kernel messages lost' "$tmp/err3"; check "kmsg: lost messages counted from the sequence gap" $? "$(cat "$tmp/err3")"

# 5b. --db: each report into the crash store, when ktriage has one
if "$kt" db --help >/dev/null 2>&1; then
	"$kt" watch --kmsg-path "$tmp/kmsg" --from-start --duration 2 -q --db "sqlite:$tmp/w.db" >/dev/null 2>&1
	"$kt" db issues --db "sqlite:$tmp/w.db" 2>/dev/null | grep -q 'skb_copy_bits'
	check "--db: the report imported into the store" $? ""
else
	"$kt" watch --kmsg-path "$tmp/kmsg" --duration 1 --db "sqlite:$tmp/w.db" >/dev/null 2>"$tmp/e5"; rc=$?
	[ $rc -eq 3 ] && grep -q 'no crash store' "$tmp/e5"; check "--db without the crash store: exit 3, said" $? "rc=$rc"
fi

# 6. the real /dev/kmsg, when readable: starts, follows, stops cleanly
if [ -r /dev/kmsg ]; then
	"$kt" watch --duration 1 >/dev/null 2>"$tmp/err4"; rc=$?
	[ $rc -le 1 ]; check "/dev/kmsg: followed for 1 s, stops cleanly" $? "rc=$rc $(cat "$tmp/err4")"
else
	n=$((n + 1)); echo "ok $n - /dev/kmsg # SKIP not readable"
fi

tap_done
