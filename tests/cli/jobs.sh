#!/bin/sh
# `analyze -j N`: parallel analysis gives byte-for-byte the output of the
# sequential run (same order, same separators, same stderr, same exit
# status) for every format, with failing inputs, directories, stdin and a
# job whose output is larger than the per-job buffer. Usage: jobs.sh KTRIAGE SOURCE_ROOT
. "$(dirname "$0")/lib.sh"

seed="$src/examples/xenserver-enic-jumbo/dom0.log"
: > "$tmp/empty.log"
echo "nothing to see here" > "$tmp/quiet.log"
# a big input: the seed's oops many times (several MB of JSON output)
i=0
while [ $i -lt 400 ]; do cat "$seed"; i=$((i + 1)); done > "$tmp/many.log"
inputs="$tmp/empty.log $seed $tmp/missing.log $src/tests/golden $tmp/many.log $tmp/quiet.log $src/examples/xenserver-enic-jumbo"

for fmt in text json jsonl; do
	"$kt" analyze -j 1 --format "$fmt" $inputs >"$tmp/seq.out" 2>"$tmp/seq.err"; seq_rc=$?
	for j in 2 3 8; do
		"$kt" analyze -j "$j" --format "$fmt" $inputs >"$tmp/par.out" 2>"$tmp/par.err"; rc=$?
		if cmp -s "$tmp/seq.out" "$tmp/par.out" && cmp -s "$tmp/seq.err" "$tmp/par.err" &&
		   [ "$rc" -eq "$seq_rc" ]; then
			ok "$fmt -j $j equals -j 1"
		else
			notok "$fmt -j $j equals -j 1" "rc $rc vs $seq_rc" \
				"$(cmp "$tmp/seq.out" "$tmp/par.out" 2>&1)" "$(diff "$tmp/seq.err" "$tmp/par.err" 2>&1 | head -5)"
		fi
	done
done

# a slow first job while the next one outgrows the per-job buffer (JSON of
# 400 oopses is over 4 MB): the second waits, the output is unchanged
cat "$tmp/many.log" "$tmp/many.log" > "$tmp/many2.log"
# (standard output, standard error and exit status compared apart: a
# message on standard error is not mistaken for different output, and a
# failure shows what differed)
"$kt" analyze -j 1 --format json "$tmp/many2.log" "$tmp/many.log" "$seed" >"$tmp/cap1.out" 2>"$tmp/cap1.err"
rc1=$?
"$kt" analyze -j 3 --format json "$tmp/many2.log" "$tmp/many.log" "$seed" >"$tmp/cap3.out" 2>"$tmp/cap3.err"
rc3=$?
if cmp -s "$tmp/cap1.out" "$tmp/cap3.out" && cmp -s "$tmp/cap1.err" "$tmp/cap3.err" &&
   [ $rc1 -eq 1 ] && [ $rc3 -eq 1 ]; then
	ok "a job over the buffer cap waits its turn"
else
	notok "a job over the buffer cap waits its turn" "exit $rc3 (-j 3) vs $rc1 (-j 1), want 1" \
		"$(cmp "$tmp/cap1.out" "$tmp/cap3.out" 2>&1)" \
		"stderr -j 1: $(head -c 400 "$tmp/cap1.err")" "stderr -j 3: $(head -c 400 "$tmp/cap3.err")" \
		"$(diff "$tmp/cap1.out" "$tmp/cap3.out" 2>&1 | head -20)"
fi
rm -f "$tmp/cap1.out" "$tmp/cap3.out"

# a directory argument is split into its pieces: same output as naming them
"$kt" analyze -j 1 --format jsonl "$src/tests/golden" >"$tmp/seq.out" 2>/dev/null
"$kt" analyze -j 4 --format jsonl "$src/tests/golden" >"$tmp/par.out" 2>/dev/null
[ "$(wc -l < "$tmp/seq.out")" -gt 20 ] && cmp -s "$tmp/seq.out" "$tmp/par.out" &&
	ok "a directory is split into jobs, same output" ||
	notok "a directory is split into jobs, same output" "$(wc -l < "$tmp/seq.out") lines"

# the missing input still makes the run exit 3 and is named once
grep -c "missing.log" "$tmp/par.err" | grep -qx 1 && ok "missing input named once" ||
	notok "missing input named once" "$(cat "$tmp/par.err")"

# JSON stays one valid document with every input, in order
"$kt" analyze -j 4 --format json $inputs 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(len(d["inputs"]))' > "$tmp/count" 2>&1 && [ "$(cat "$tmp/count")" -gt 5 ] &&
	ok "json -j 4 is one valid document" || notok "json -j 4 is one valid document" "$(cat "$tmp/count")"

# stdin among files; '-' twice is a usage error
"$kt" analyze -j 2 --format jsonl "$tmp/quiet.log" - < "$seed" | grep -q ip_fragment &&
	ok "stdin is a job like the others" || notok "stdin is a job like the others"
"$kt" analyze -j 2 - - < "$seed" >/dev/null 2>&1; [ $? -eq 2 ] && ok "'-' twice exits 2" ||
	notok "'-' twice exits 2"
# a bad --rules directory: one message, nothing on standard output, exit 3
mkdir "$tmp/badrules"
echo "id: [" > "$tmp/badrules/broken.yaml"
"$kt" analyze -j 3 --rules "$tmp/badrules" --format json "$seed" "$src/tests/golden" \
	>"$tmp/bad.out" 2>"$tmp/bad.err"; rc=$?
if [ $rc -eq 3 ] && [ ! -s "$tmp/bad.out" ] && [ "$(grep -c broken.yaml "$tmp/bad.err")" -eq 1 ]; then
	ok "bad --rules with -j 3: one message, no output, exit 3"
else
	notok "bad --rules with -j 3: one message, no output, exit 3" "rc=$rc" "$(cat "$tmp/bad.err")"
fi
for bad in 0 -1 x 65; do
	"$kt" analyze -j "$bad" "$seed" >/dev/null 2>&1
	[ $? -eq 2 ] && ok "-j $bad is a usage error" || notok "-j $bad is a usage error"
done

tap_done
