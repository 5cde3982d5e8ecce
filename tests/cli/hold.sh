#!/bin/sh
# analyze's text holds an input's reports back so that its verdict leads
# them: in memory up to 256 KiB, the rest in an unlinked temporary file in
# $TMPDIR (cli/spool.c). An input with much text gives the same output as
# one held in memory (verdict first); a temporary file that cannot be made
# or written (missing $TMPDIR, a file size limit standing in for a full
# disk; a real one in a tmpfs when root) is said on standard error, exit
# status 3, and the reports still all come out, the verdict after them.
# -j 2 equals -j 1; md and html lead with the verdict too.
# Usage: hold.sh KTRIAGE SOURCE_ROOT   (bench/gen_log from KT_BUILD_ROOT)
. "$(dirname "$0")/lib.sh"
gen="${KT_BUILD_ROOT:-}/bench/gen_log"
if [ ! -x "$gen" ]; then
	echo "1..0 # SKIP bench/gen_log not built"
	exit 0
fi
# about 1.1 MB of text: several spills of 256 KiB
"$gen" --size 9M --crash-every 6k --seed 3 --style dmesg -o "$tmp/big.log" 2>/dev/null
case $kt in /*) ;; *) kt=$PWD/$kt ;; esac
cd "$tmp" || exit 1
# the reports without the verdict block and blank lines
strip() { awk '/^Verdict:/ { v = 1 } v && /^$/ { v = 0; next } !v && !/^$/' "$1"; }

"$kt" analyze --max-reports 100000 big.log >held 2>held.err; rc=$?
size=$(wc -c <held)
first=$(grep -n -m1 '^Verdict:' held | cut -d: -f1)
if [ $rc -eq 1 ] && [ "$size" -gt 600000 ] && [ "$first" = 3 ] && [ ! -s held.err ] &&
   [ "$(grep -c '^Verdict:' held)" = 1 ]; then
	ok "$size bytes of text: the verdict leads (line $first), exit 1, nothing on stderr"
else
	notok "big input: verdict leads" "exit $rc, $size bytes, verdict at line $first" \
		"$(head -3 held.err)"
fi
strip held >held.s

TMPDIR="$tmp/nodir" "$kt" analyze --max-reports 100000 big.log >none 2>none.err; rc=$?
strip none >none.s
if [ $rc -eq 3 ] && grep -q "big.log: cannot hold its reports back for the verdict (temporary file in $tmp/nodir: No such file or directory)" none.err &&
   cmp -s held.s none.s && [ "$(tail -n +3 none | grep -n -m1 '^Verdict:' | cut -d: -f1)" -gt 1000 ]; then
	ok "\$TMPDIR missing: said, exit 3, every report out, the verdict after them"
else
	notok "\$TMPDIR missing" "exit $rc" "$(head -3 none.err)"
fi

# A file size limit makes a write of the temporary file fail part-way
# (EFBIG, as ENOSPC would): standard output is a pipe, so only the
# temporary file meets the limit.
( trap '' XFSZ; ulimit -f 1024 && "$kt" analyze --max-reports 100000 big.log 2>full.err
  echo $? >full.rc ) | cat >full
rc=$(cat full.rc 2>/dev/null)
strip full >full.s
if [ "$rc" = 3 ] && grep -q "cannot hold its reports back for the verdict (temporary file in .*: File too large)" full.err &&
   cmp -s held.s full.s; then
	ok "temporary file write fails part-way: said, exit 3, nothing lost"
else
	notok "temporary file write fails" "exit $rc" "$(head -3 full.err)"
fi

# A real full disk: a 400 KB tmpfs as $TMPDIR in a private mount
# namespace (root only).
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
	mkdir small
	unshare -m sh -c 'mount -t tmpfs -o size=400k tmpfs small && TMPDIR="$PWD/small" exec "$@"' \
		sh "$kt" analyze --max-reports 100000 big.log >enospc 2>enospc.err; rc=$?
	strip enospc >enospc.s
	if [ $rc -eq 3 ] && grep -q "temporary file in $tmp/small: No space left on device" enospc.err &&
	   cmp -s held.s enospc.s; then
		ok "a full disk (tmpfs): said, exit 3, nothing lost"
	else
		notok "a full disk" "exit $rc" "$(head -3 enospc.err)"
	fi
else
	skip "a full disk" "needs root and unshare -m"
fi

# several inputs, several workers: the same bytes
cp big.log big2.log
"$kt" analyze -j 1 --max-reports 100000 big.log big2.log >one 2>&1; rc1=$?
"$kt" analyze -j 2 --max-reports 100000 big.log big2.log >two 2>&1; rc2=$?
if [ $rc1 -eq 1 ] && [ $rc2 -eq 1 ] && cmp -s one two && [ "$(grep -c '^Verdict:' one)" = 2 ]; then
	ok "-j 2 equals -j 1 on two big inputs"
else
	notok "-j 2 equals -j 1" "exit $rc1 / $rc2"
fi
"$kt" analyze --max-reports 100000 --format md big.log >md 2>&1
if [ "$(grep -n -m1 '^\*\*Verdict' md | cut -d: -f1)" = 3 ]; then
	ok "md: the verdict leads too"
else
	notok "md: the verdict leads" "$(sed -n 1,4p md)"
fi
# html holds its articles the same way: the verdict before the first one
"$kt" analyze --max-reports 100000 --format html big.log >page 2>&1; rc=$?
v=$(grep -n -m1 'class="verdict' page | cut -d: -f1)
a=$(grep -n -m1 '<article' page | cut -d: -f1)
if [ $rc -eq 1 ] && [ -n "$v" ] && [ -n "$a" ] && [ "$v" -lt "$a" ] && [ "$(wc -c <page)" -gt 1000000 ] &&
   [ "$(grep -c 'class="verdict' page)" = 1 ]; then
	ok "html: $(wc -c <page) bytes, the verdict before the first report"
else
	notok "html: the verdict leads" "exit $rc, verdict line $v, first article line $a"
fi
tap_done
