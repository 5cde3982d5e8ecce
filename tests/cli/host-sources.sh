#!/bin/sh
# `ktriage analyze --root DIR` (TAP): the host's crash sources found on a
# copied filesystem, each once: XenServer crash folders, kdump-tools and
# kexec-tools dmesg files, pstore records (a 3-part efi record stitched,
# two ramoops records with the same header kept apart, systemd-pstore's
# archive), the journal's boots (a journal file written by
# systemd-journal-remote), and kern.log only when there is no journal.
# Usage: host-sources.sh KTRIAGE SOURCE_ROOT
. "$(dirname "$0")/lib.sh"
once() { # NAME PATTERN FILE: exactly one line matches
	c=$(grep -c -- "$2" "$3")
	[ "$c" -eq 1 ]; check "$1" $? "$c lines match '$2' in: $(cat "$3")"
}

have_journal=1
[ -x /lib/systemd/systemd-journal-remote ] || have_journal=0
r="$tmp/root"
if [ $have_journal -eq 1 ]; then
	python3 "$src/tests/cli/host-root.py" "$src" "$r"
else
	python3 "$src/tests/cli/host-root.py" "$src" "$r" --no-journal
fi

"$kt" analyze --root "$r" --summary > "$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ]; check "crashes found under --root: exit 1" $? "rc=$rc $(cat "$tmp/err")"
once "XenServer crash folder listed once" '^  crash-folder /var/crash/2015-06-04-03-12-09 ' "$tmp/out"
once "kdump-tools dmesg listed once" '^  kdump .*/var/crash/202312011200/dmesg.202312011200 ' "$tmp/out"
once "kexec-tools vmcore-dmesg listed once" 'vmcore-dmesg.txt  kexec-tools' "$tmp/out"
! grep -q 'dump.202312011200\|_usr_bin_foo' "$tmp/out"; check "binary dump and apport files not listed" $? ""
once "3-part efi record: one source, stitched" 'dmesg-efi-170000000001001  pstore record Oops#1, 3 parts stitched' "$tmp/out"
! grep -q 'dmesg-efi-17000000000[23]001' "$tmp/out"; check "efi parts 2 and 3 not listed apart" $? ""
once "ramoops record 0 listed once" 'pstore/dmesg-ramoops-0 ' "$tmp/out"
once "ramoops record 1 (same header) kept apart" 'pstore/dmesg-ramoops-1 ' "$tmp/out"
once "systemd-pstore archive listed once" '/var/lib/systemd/pstore/1700001000/dmesg.txt' "$tmp/out"
if [ $have_journal -eq 1 ]; then
	once "journal boot 1 listed once" 'journal boot 1111' "$tmp/out"
	once "journal boot 2 listed once" 'journal boot 2222' "$tmp/out"
	once "kern.log not read beside the journal" 'not read: /var/log/kern.log' "$tmp/out"
	grep -q 'scheduling while atomic.* h1 \|h1  BUG: scheduling while atomic' "$tmp/out"
	check "the journal's crash found, with its host" $? "$(cat "$tmp/out")"
	want=8
else
	skip "journal boot 1 listed once" "no systemd-journal-remote"
	skip "journal boot 2 listed once" "no systemd-journal-remote"
	skip "kern.log not read beside the journal" "no systemd-journal-remote"
	skip "the journal's crash found" "no systemd-journal-remote"
	want=7
fi
grep -q "^Summary: .*, $want crashes in $want distinct buckets" "$tmp/out"
check "every source's crash found once ($want)" $? "$(tail -3 "$tmp/out")"

# the stitched pstore record is the golden crash, in order
title=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["inputs"][0]["reports"][0]["title"])' \
	"$src/tests/golden/linux-6.1-ip-do-fragment/expected.json")
"$kt" analyze --root "$r" --format json > "$tmp/json" 2>/dev/null
python3 - "$tmp/json" "$title" "$want" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
units = {}
for i in doc["inputs"]:
    units.setdefault(i["input"], []).extend(r["title"] for r in i["reports"])
efi = [u for u in units if "dmesg-efi" in u]
assert len(efi) == 1, units.keys()
assert units[efi[0]] == [sys.argv[2]], units[efi[0]]
assert all(len(v) <= 1 for v in units.values()), units
assert sum(len(v) for v in units.values()) == int(sys.argv[3]), units
PY
check "stitched record: the golden title, one report per source (json)" $? ""

# no journal: kern.log is read
r2="$tmp/root2"
python3 "$src/tests/cli/host-root.py" "$src" "$r2" --no-journal
"$kt" analyze --root "$r2" --summary > "$tmp/out2" 2>&1
once "no journal: kern.log read" '^  syslog .*/var/log/kern.log' "$tmp/out2"

# an empty root: nothing found, exit 0, says where it looked
mkdir "$tmp/empty"
"$kt" analyze --root "$tmp/empty" > "$tmp/out3" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q 'none (looked in /var/crash' "$tmp/out3"
check "empty root: exit 0, says where it looked" $? "rc=$rc $(cat "$tmp/out3")"

tap_done
