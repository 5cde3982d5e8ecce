#!/bin/sh
# `analyze --format html` names what it could not read (TAP): each input
# with problems gets a section (kind, member, offset, message), escaped;
# a truncated .gz still shows the crash before the cut; an unreadable file
# (chmod 000, read as a user who may not read it) is listed.
# Usage: html-problems.sh KTRIAGE SOURCE_ROOT
. "$(dirname "$0")/lib.sh"
chmod 755 "$tmp"
seed="$src/tests/golden/xs-enic-jumbo-dmesg/input.log"
crash='paging request in ip_fragment'

# The problems table of a page, as "input|kind|member|offset|message" lines.
rows() {
	python3 - "$1" <<'PY'
import html.parser, sys
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.sec = self.code = self.cell = False
        self.input, self.row, self.rows = None, None, []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and a.get("class") == "problems":
            self.sec, self.input = True, ""
        elif self.sec and tag == "code" and self.row is None:
            self.code = True
        elif self.sec and tag == "tr":
            self.row = []
        elif self.sec and tag == "td":
            self.cell = True
            self.row.append("")
    def handle_endtag(self, tag):
        if tag == "section":
            self.sec = False
        elif tag == "code":
            self.code = False
        elif tag == "td":
            self.cell = False
        elif tag == "tr" and self.sec and self.row:
            self.rows.append("|".join([self.input] + self.row))
            self.row = None
    def handle_data(self, d):
        if self.code and self.row is None:
            self.input += d
        elif self.cell:
            self.row[-1] += d
p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
print("\n".join(p.rows))
PY
}

# 1. a truncated .gz: its crash, then its problem with the offset
gzip -c "$seed" | head -c 2500 > "$tmp/cut.gz"
"$kt" analyze --format html "$tmp/cut.gz" > "$tmp/out.html" 2>/dev/null; rc=$?
[ $rc -eq 3 ]; check "truncated .gz: exit 3" $? "rc=$rc"
grep -q "$crash" "$tmp/out.html"; check "truncated .gz: the crash before the cut is shown" $? ""
rows "$tmp/out.html" > "$tmp/rows"
grep -q "^$tmp/cut.gz|truncated|—|[0-9][0-9]*|gzip stream ends early" "$tmp/rows"
check "truncated .gz: a problem row (input, truncated, no member, offset, message)" $? "$(cat "$tmp/rows")"

# 2. a healthy input: no problems section
"$kt" analyze --format html "$seed" > "$tmp/good.html" 2>/dev/null; rc=$?
[ $rc -eq 1 ] && ! grep -q 'class="problems"' "$tmp/good.html"
check "a healthy input: exit 1, no problems section" $? "rc=$rc"

# 3. a missing file and a file name with markup: listed, escaped
bad='<script>alert(1)<\script>&.gz'
cp "$tmp/cut.gz" "$tmp/$bad"
"$kt" analyze --format html "$tmp/nope.log" "$tmp/$bad" > "$tmp/m.html" 2>/dev/null; rc=$?
rows "$tmp/m.html" > "$tmp/rows"
grep -q "^$tmp/nope.log|unreadable|—|—|.*no such file" "$tmp/rows" &&
	grep -qF "$tmp/$bad|truncated|" "$tmp/rows"
check "a missing file and a name with markup: both listed" $? "$(cat "$tmp/rows")"
! grep -q '<script' "$tmp/m.html" && grep -qF '&lt;script&gt;alert(1)&lt;\script&gt;&amp;.gz' "$tmp/m.html"
check "the name with markup is escaped" $? ""
[ $rc -eq 3 ]; check "problems only: exit 3" $? "rc=$rc"

# 4. nothing readable, no crash: the page says so
printf 'x' | gzip -c | head -c 12 > "$tmp/tiny.gz"
"$kt" analyze --format html "$tmp/tiny.gz" > "$tmp/t.html" 2>/dev/null
grep -q 'No crash found in what could be read' "$tmp/t.html" && [ "$(rows "$tmp/t.html" | wc -l)" -eq 1 ]
check "no crash, one problem: 'No crash found in what could be read' and its row" $? "$(rows "$tmp/t.html")"

# 5. an unreadable file (chmod 000) in a directory, read by a user who may
# not read it: as this user when not root, else as nobody (setpriv)
mkdir "$tmp/logs"
cp "$seed" "$tmp/logs/a.log"
cp "$seed" "$tmp/logs/locked.log"
chmod 000 "$tmp/logs/locked.log"
run=""
if [ "$(id -u)" -ne 0 ]; then
	run="env"
elif command -v setpriv >/dev/null; then
	run="setpriv --reuid=nobody --regid=nogroup --clear-groups"
fi
if [ -n "$run" ]; then
	$run "$kt" analyze --format html "$tmp/logs" > "$tmp/u.html" 2>/dev/null; rc=$?
	rows "$tmp/u.html" > "$tmp/rows"
	[ $rc -eq 3 ] && grep -q "locked.log|unreadable|" "$tmp/rows" && grep -q "$crash" "$tmp/u.html"
	check "chmod 000 file in a directory: an 'unreadable' row, a.log's crash still shown, exit 3" $? "rc=$rc $(cat "$tmp/rows")"
	$run "$kt" analyze --format html "$tmp/logs/locked.log" > "$tmp/u1.html" 2>/dev/null; rc=$?
	rows "$tmp/u1.html" > "$tmp/rows"
	[ $rc -eq 3 ] && grep -q "^$tmp/logs/locked.log|unreadable|—|—|.*ermission denied" "$tmp/rows"
	check "chmod 000 file named: an 'unreadable' row saying permission denied, exit 3" $? "rc=$rc $(cat "$tmp/rows")"
else
	ok "# SKIP unreadable file (root without setpriv)"
	ok "# SKIP unreadable file (root without setpriv)"
fi

tap_done
