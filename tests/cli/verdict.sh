#!/bin/sh
# The verdict and summary in JSON (TAP): each input object's "verdict" and
# --format json's closing "summary" say what the text's "Verdict:" and
# "Summary:" lines say (docs/report-json.md, VERDICT and SUMMARY), jsonl
# keeps one line per input, -j does not change them, an unreadable input is
# counted. Inputs are the golden tests' own logs (tests/golden).
# Usage: verdict.sh KTRIAGE SOURCE_ROOT
. "$(dirname "$0")/lib.sh"
g="$src/tests/golden"

# 1. every golden case: the JSON verdict is the text verdict
python3 - "$kt" "$g" > "$tmp/cases" 2>&1 <<'PY'
import json, os, re, subprocess, sys
kt, g = os.path.abspath(sys.argv[1]), sys.argv[2]
bad = 0
for case in sorted(os.listdir(g)):
    d = os.path.join(g, case)
    if case == "rules" or not os.path.isdir(d):
        continue
    ins = sorted(x for x in os.listdir(d) if x.startswith("input"))
    if not ins:
        continue
    txt = subprocess.run([kt, "analyze", "--color", "never", "--width", "0"] + ins, cwd=d,
                         capture_output=True, text=True, errors="replace").stdout
    doc = json.loads(subprocess.run([kt, "analyze", "--format", "json"] + ins, cwd=d,
                                    capture_output=True, text=True).stdout)
    # the text's verdicts, in input order: "Verdict: TITLE" then
    # "  SEV, confidence CONF (rule RULE)"
    lines = txt.splitlines()
    tv = []
    for i, l in enumerate(lines):
        if l.startswith("Verdict: "):
            m = re.match(r"  (\S+), confidence (\S+) \(rule (\S+)\)", lines[i + 1]) \
                if i + 1 < len(lines) else None
            tv.append((l[9:], m.groups() if m else None))
    jv = [u["verdict"] for u in doc["inputs"] if u["verdict"]["crashes"]]
    if len(tv) != len(jv):
        print("%s: %d text verdicts, %d JSON verdicts with crashes" % (case, len(tv), len(jv)))
        bad += 1
        continue
    for (title, sev), v in zip(tv, jv):
        if sev:
            want = (title, sev[0], sev[1], sev[2])
            got = (v["title"], v["severity"], v["confidence"], v["rule"])
        else:   # no rule matched: "N crashes in M buckets; ... The first: TITLE"
            want = (True, None)
            got = (title.endswith("The first: " + v["crash_title"]), v["rule"])
        if want != got:
            print("%s: text %r, JSON %r" % (case, want, got))
            bad += 1
    s = doc["summary"]
    m = re.search(r"^Summary: (\d+) inputs? read, (?:no crash found|(\d+) crash(?:es)? in "
                  r"(?:over )?(\d+) distinct)", txt, re.M)
    got = (s["inputs_read"], s["crashes"], s["buckets"])
    want = m and (int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0))
    if got != want:
        print("%s: summary text %r, JSON %r" % (case, want, got))
        bad += 1
    if s["crashes"] != sum(len(u["reports"]) for u in doc["inputs"]):
        print("%s: summary crashes %d, reports %d" % (case, s["crashes"],
              sum(len(u["reports"]) for u in doc["inputs"])))
        bad += 1
    print("case", case)
sys.exit(1 if bad else 0)
PY
rc=$?
cases=$(grep -c '^case ' "$tmp/cases")
[ $rc -eq 0 ] && [ "$cases" -ge 20 ]
check "golden cases ($cases): each JSON verdict and summary says what the text says" $? "$(grep -v '^case ' "$tmp/cases" | head -20)"

# 2. three crashes in two buckets, one input
cat "$g/xs-enic-jumbo-dmesg/input.log" "$g/xs-enic-jumbo-dmesg/input.log" \
    "$g/linux-6.1-ip-do-fragment/input.log" > "$tmp/three.log"
"$kt" analyze --color never "$tmp/three.log" > "$tmp/text" 2>/dev/null
"$kt" analyze --format json "$tmp/three.log" > "$tmp/json" 2>/dev/null; rc=$?
[ $rc -eq 1 ]; check "json with crashes: exit 1 as before" $? "rc=$rc"
of=$(grep -o 'in [0-9]* of 3 crashes' "$tmp/text" | head -1)
python3 - "$tmp/json" "$of" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
v = d["inputs"][0]["verdict"]
s = d["summary"]
assert sorted(d) == ["inputs", "ktriage", "summary"], sorted(d)
assert v["crashes"] == 3 and v["buckets"] == 2, v
assert "in %d of 3 crashes" % v["rule_crashes"] == sys.argv[2], (v, sys.argv[2])
assert v["first_step"] and v["severity"] and v["bucket"] and len(v["bucket"]) == 16, v
assert s["crashes"] == 3 and s["buckets"] == 2 and s["inputs"] == 1, s
assert [b["crashes"] for b in s["by_bucket"]] == [2, 1], s["by_bucket"]
assert s["by_bucket"][0]["input"].endswith("three.log"), s["by_bucket"]
assert s["verdict"]["rule"] == v["rule"] and s["verdict"]["input"].endswith("three.log"), s
PY
check "3 crashes, 2 buckets: verdict counts (as the text's '$of'), summary, by_bucket" $? ""
fr=$(sed -n 's/^  findings by rule: //p' "$tmp/text")
python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
got = ", ".join("%s %d" % (r["rule"], r["crashes"]) for r in s["findings_by_rule"])
sys.exit(0 if got == sys.argv[2] else 1)' "$tmp/json" "$fr"
check "findings_by_rule lists what the text's 'findings by rule' lists" $? "text: $fr"

# 3. jsonl: one line per input, each with its verdict, no summary line
cp "$g/xs-enic-jumbo-dmesg/input.log" "$tmp/a.log"
printf 'nothing to see\n' > "$tmp/quiet.log"
"$kt" analyze --format jsonl "$tmp/a.log" "$tmp/quiet.log" "$tmp/three.log" > "$tmp/jsonl" 2>/dev/null
python3 - "$tmp/jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 3, lines
u = [json.loads(l) for l in lines]
assert [x["input"].rsplit("/", 1)[1] for x in u] == ["a.log", "quiet.log", "three.log"]
assert [x["verdict"]["crashes"] for x in u] == [1, 0, 3], [x["verdict"] for x in u]
q = u[1]["verdict"]
assert q["rule"] is None and q["title"] is None and q["raise"] == [] and q["commands"] == [], q
assert list(u[0])[:2] == ["input", "reports"], list(u[0])
PY
check "jsonl: one line per input with its verdict (crashes 1, 0, 3), no summary line" $? "$(cut -c1-200 "$tmp/jsonl")"

# 4. -j does not change the verdicts or the summary
"$kt" analyze -j 1 --format json "$g" > "$tmp/j1" 2>/dev/null
"$kt" analyze -j 3 --format json "$g" > "$tmp/j3" 2>/dev/null
cmp -s "$tmp/j1" "$tmp/j3" && grep -q '"summary": {' "$tmp/j1"
check "-j 1 and -j 3 over tests/golden: the same JSON, summary included" $? "$(diff "$tmp/j1" "$tmp/j3" | head -5)"

# 5. an input that cannot be read is counted, with an empty verdict
"$kt" analyze --format json "$tmp/nope.log" "$tmp/a.log" > "$tmp/out" 2>/dev/null; rc=$?
python3 - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
bad = [u for u in d["inputs"] if "error" in u or "problems" in u]
assert len(bad) == 1 and bad[0]["verdict"]["crashes"] == 0, d["inputs"]
assert s["inputs"] == 2 and s["inputs_read"] == 1 and s["inputs_incomplete"] == 1, s
assert s["crashes"] == 1 and s["verdict"]["input"].endswith("a.log"), s
PY
[ $? -eq 0 ] && [ $rc -eq 3 ]
check "a missing input: exit 3, counted in inputs_incomplete, its verdict empty" $? "rc=$rc $(tail -c 600 "$tmp/out")"

# 6. jsonl --summary: the same input lines, then one {"summary": ...} line,
# the same summary as json's (a missing input and -j 2 included)
"$kt" analyze --format json "$tmp/nope.log" "$tmp/a.log" "$tmp/three.log" > "$tmp/sj" 2>/dev/null
"$kt" analyze --format jsonl "$tmp/nope.log" "$tmp/a.log" "$tmp/three.log" > "$tmp/sl0" 2>/dev/null
"$kt" analyze -j 2 --format jsonl --summary "$tmp/nope.log" "$tmp/a.log" "$tmp/three.log" > "$tmp/sl" 2>/dev/null; rc=$?
python3 - "$tmp/sj" "$tmp/sl0" "$tmp/sl" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
plain = open(sys.argv[2]).read().splitlines()
lines = open(sys.argv[3]).read().splitlines()
assert lines[:-1] == plain and len(plain) == 3, (len(plain), len(lines))
last = json.loads(lines[-1])
assert list(last) == ["summary"], list(last)
assert last["summary"] == doc["summary"], (last["summary"], doc["summary"])
assert last["summary"]["crashes"] == 4 and last["summary"]["inputs_incomplete"] == 1
PY
[ $? -eq 0 ] && [ $rc -eq 3 ]
check "jsonl --summary: the input lines, then json's summary as one last line (exit 3 as before)" $? "rc=$rc $(tail -c 400 "$tmp/sl")"
"$kt" analyze --format jsonl --summary "$tmp/quiet.log" > "$tmp/sq" 2>/dev/null; rc=$?
[ $rc -eq 0 ] && [ "$(wc -l < "$tmp/sq")" -eq 2 ] && tail -1 "$tmp/sq" | grep -q '^{"summary":{"inputs":1,"inputs_read":1,.*"crashes":0,'
check "jsonl --summary, no crash: exit 0, the summary says 0" $? "rc=$rc $(cat "$tmp/sq")"
"$kt" analyze --format html --summary "$tmp/a.log" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ]; check "--summary with html: usage error" $? "rc=$rc"

tap_done
