#!/bin/sh
# `analyze --format html` leads each input's crashes with its verdict
# (TAP): a <section class="verdict"> that says what the text's Verdict:
# lines say (title, severity, confidence, rule, crash and bucket counts,
# first step, evidence that would raise the confidence, the commands),
# for every golden case; before the input's first report and before its
# problems; names escaped; none for an input without a crash.
# Usage: html-verdict.sh KTRIAGE SOURCE_ROOT
. "$(dirname "$0")/lib.sh"
g="$src/tests/golden"

# The verdicts of a page as the text writes them (one block per input,
# separated by a line "--"), from the section's parts.
cat > "$tmp/v.py" <<'PY'
import html.parser, re, sys
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0          # inside a verdict section
        self.stack, self.cur, self.out = [], None, []
        self.order = []         # "verdict", "report", "problems" in page order
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "section" and "verdict" in cls:
            self.cur = {"h2": "", "meta": [], "p": [], "li": []}
            self.depth = 1
            self.order.append("verdict")
            return
        if tag == "article":
            self.order.append("report")
        if tag == "section" and "problems" in cls:
            self.order.append("problems")
        if self.depth:
            self.stack.append((tag, cls))
            if tag == "span" and self.stack[-2:-1] and "meta" in self.stack[-2][1]:
                self.cur["meta"].append("")
            elif tag == "p":
                self.cur["p"].append("")
            elif tag == "li":
                self.cur["li"].append("")
    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "section" and not self.stack:
            self.out.append(self.cur)
            self.cur, self.depth = None, 0
            return
        while self.stack and self.stack.pop()[0] != tag:
            pass
    def handle_data(self, d):
        if not self.depth:
            return
        tags = [t for t, _ in self.stack]
        if "h2" in tags:
            self.cur["h2"] += d
        elif "li" in tags:
            self.cur["li"][-1] += d
        elif "span" in tags and self.cur["meta"]:
            self.cur["meta"][-1] += d
        elif "p" in tags:
            self.cur["p"][-1] += d
p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
if len(sys.argv) > 2:
    print(" ".join(p.order))
    sys.exit(0)
for v in p.out:
    m = re.match(r"Verdict for (.*?): (.*)$", v["h2"], re.S)
    print("== %s ==" % m.group(1))
    print("Verdict: " + m.group(2))
    if v["meta"]:
        sev, conf, rule = v["meta"][0], v["meta"][1], v["meta"][2]
        line = "  %s, %s (%s)" % (sev, conf, rule)
        rest = v["meta"][3:]
        if rest and rest[0].startswith("in "):
            line += "; " + rest.pop(0)
        if rest:
            line += " (%s)" % rest.pop(0)
        print(line)
    li = list(v["li"])
    for para in v["p"]:
        print("  " + para)
        if para.startswith("Confidence is"):
            n = len(li) - (2 if any(x.startswith("ktriage ") for x in li) else 0)
            for x in li[:n]:
                print("    - " + x)
            li = li[n:]
        elif para.startswith("The host facts"):
            for x in li:
                print("    " + x)
            li = []
    print("--")
PY
# The same from the text: the header and the verdict block of each input.
text_verdicts() {
	awk '/^== .* ==$/ { h = $0 } /^Verdict: / { print h; v = 1 }
	     v && /^$/ { print "--"; v = 0 } v { print }' "$1"
}

# 1. every golden case: the html verdicts say what the text verdicts say
n_cases=0; bad=""
for d in "$g"/*/; do
	set -- "$d"input*
	[ -e "$1" ] || continue
	names=$(cd "$d" && ls input* | sort)
	(cd "$d" && "$kt" analyze --color never --width 0 $names) > "$tmp/t" 2>/dev/null
	(cd "$d" && "$kt" analyze --format html $names) > "$tmp/h" 2>/dev/null
	text_verdicts "$tmp/t" | sed 's/^== \(.*\) (incomplete: .*) ==$/== \1 ==/' > "$tmp/tv"
	python3 "$tmp/v.py" "$tmp/h" > "$tmp/hv" 2>&1
	n_cases=$((n_cases + 1))
	cmp -s "$tmp/tv" "$tmp/hv" || bad="$bad $(basename "$d")"
done
[ -z "$bad" ] && [ $n_cases -ge 20 ]
check "golden cases ($n_cases): each html verdict says what the text verdict says" $? "differ:$bad"
[ -z "$bad" ] || diff "$tmp/tv" "$tmp/hv" | head -10 | sed 's/^/# /'

# 2. order: verdict, reports; the next input's verdict, its reports
seed="$g/xs-enic-jumbo-dmesg/input.log"
cat "$seed" "$seed" "$g/linux-6.1-ip-do-fragment/input.log" > "$tmp/three.log"
printf 'nothing to see\n' > "$tmp/quiet.log"
"$kt" analyze --format html "$seed" "$tmp/quiet.log" "$tmp/three.log" > "$tmp/o.html" 2>/dev/null; rc=$?
order=$(python3 "$tmp/v.py" "$tmp/o.html" order)
[ $rc -eq 1 ] && [ "$order" = "verdict report verdict report report report" ]
check "two inputs with crashes, one without: verdict first for each, none for the quiet one" $? "rc=$rc order: $order"
grep -q 'in 3 of 3 crashes' "$tmp/o.html" && grep -q '<span>2 buckets</span>' "$tmp/o.html"
check "the counts of a 3-crash input (in 3 of 3 crashes, 2 buckets)" $? ""

# 3. a truncated input: verdict, its crash, then its problems
gzip -c "$seed" | head -c 2500 > "$tmp/cut.gz"
"$kt" analyze --format html "$tmp/cut.gz" > "$tmp/c.html" 2>/dev/null; rc=$?
order=$(python3 "$tmp/v.py" "$tmp/c.html" order)
[ $rc -eq 3 ] && [ "$order" = "verdict report problems" ]
check "truncated input: verdict, crash, problems (exit 3)" $? "rc=$rc order: $order"

# 4. a file name with markup: escaped in the verdict
bad='<img src=x onerror=alert(1)>&.log'
cp "$seed" "$tmp/$bad"
"$kt" analyze --format html "$tmp/$bad" > "$tmp/m.html" 2>/dev/null
! grep -q '<img' "$tmp/m.html" && grep -qF 'Verdict for <code>'"$tmp"'/&lt;img src=x onerror=alert(1)&gt;&amp;.log</code>' "$tmp/m.html"
check "a name with markup is escaped in the verdict" $? "$(grep -o 'Verdict for <code>[^/]*' "$tmp/m.html" | head -2)"

# 5. -j 2 gives the same page as -j 1
"$kt" analyze -j 1 --format html "$g" > "$tmp/j1" 2>/dev/null
"$kt" analyze -j 2 --format html "$g" > "$tmp/j2" 2>/dev/null
cmp -s "$tmp/j1" "$tmp/j2" && [ "$(grep -c 'class="verdict' "$tmp/j1")" -ge 20 ]
check "-j 2 equals -j 1 over tests/golden, verdicts included" $? ""
tap_done
