#!/bin/sh
# Start-up (TAP): `ktriage --version` and `analyze` of a log without a crash
# load none of the libraries that are opened on first call
# (src/util/lazylib.list); an oops with Code: bytes loads Capstone when it
# decodes them, and the output is the usual one; a missing one is handled:
# a broken one (a stub found through LD_LIBRARY_PATH) loses no output
# written before it was needed, and the message names it.
# The dynamic loader's own trace (LD_DEBUG=files, glibc's ld.so(8)) says
# what was loaded.
# Usage: startup.sh KTRIAGE SRC
. "$(dirname "$0")/lib.sh"
lazy='libcapstone|libdw\.|libarchive|libhs\.|libsystemd|libcurl|libsqlite3|libpq\.|libmicrohttpd|libcrypto'

loaded() { grep -oE "file=[^ ]+" "$1" | sed 's/file=//' | sort -u | tr '\n' ' '; }

LD_DEBUG=files "$kt" --version > "$tmp/v.out" 2> "$tmp/v.ld"; rc=$?
[ $rc -eq 0 ] && grep -q '^ktriage ' "$tmp/v.out" && ! grep -qE "file=($lazy)" "$tmp/v.ld"
check "--version loads no first-call library" $? "rc=$rc loaded: $(loaded "$tmp/v.ld")"

printf 'Dec  6 00:00:01 host kernel: [    0.000000] Linux version 6.1.0 (gcc 12)\nDec  6 00:00:02 host kernel: [    1.000000] e1000e: link up\n' > "$tmp/quiet.log"
LD_DEBUG=files "$kt" analyze "$tmp/quiet.log" > "$tmp/q.out" 2> "$tmp/q.ld"; rc=$?
[ $rc -eq 0 ] && ! grep -qE "file=($lazy)" "$tmp/q.ld"
check "analyze of a log without a crash loads no first-call library" $? "rc=$rc loaded: $(loaded "$tmp/q.ld")"

g="$src/tests/golden/linux-6.1-ip-do-fragment"
LD_DEBUG=files "$kt" analyze --format json "$g/input.log" > "$tmp/o.json" 2> "$tmp/o.ld"; rc=$?
[ $rc -eq 1 ] && grep -qE "file=libcapstone" "$tmp/o.ld"
check "an oops with Code: bytes loads Capstone on first use" $? "rc=$rc loaded: $(loaded "$tmp/o.ld")"
"$kt" analyze --format json "$g/input.log" > "$tmp/o2.json" 2>/dev/null
cmp -s "$tmp/o.json" "$tmp/o2.json" && grep -q '"instruction": {' "$tmp/o.json"
check "the decoded instruction is in the report" $? "$(head -c 300 "$tmp/o.json")"

# A first-call library that is missing (hidden by a bind mount of /dev/null
# in a private mount namespace; root only): Capstone -> the bytes stay
# undecoded with a note; SQLite for `db` -> exit 3 naming the library.
hide() { # LIB CMD...: run CMD with LIB unloadable
	lib=$(ldconfig -p 2>/dev/null | sed -n "s/^[[:space:]]*$1 .*=> //p" | head -1)
	shift
	[ -n "$lib" ] || return 99
	unshare -m sh -c 'mount --bind /dev/null "$0" && exec "$@"' "$lib" "$@"
}
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
	hide libcapstone.so.4 "$kt" analyze --format json "$g/input.log" > "$tmp/nocs.json" 2> "$tmp/nocs.err"; rc=$?
	[ $rc -eq 1 ] && grep -q 'Capstone library could not be loaded' "$tmp/nocs.json" &&
		! grep -q '"instruction": {' "$tmp/nocs.json"
	check "Capstone missing: analyze still reports, Code: bytes undecoded with a note" $? "rc=$rc $(cat "$tmp/nocs.err")"
	hide libsqlite3.so.0 "$kt" db import --db "sqlite:$tmp/s.db" "$g/input.log" > "$tmp/nosql.out" 2> "$tmp/nosql.err"; rc=$?
	[ $rc -eq 3 ] && grep -q '^ktriage: cannot load libsqlite3.so.0, which this needs: ' "$tmp/nosql.err"
	check "SQLite missing: db import exits 3 naming the library" $? "rc=$rc $(cat "$tmp/nosql.err")"
else
	skip "Capstone missing" "needs root and unshare -m"
	skip "SQLite missing" "needs root and unshare -m"
fi

# A first-call library that is broken, for any user: LD_LIBRARY_PATH
# (ld.so(8)) leads dlopen() to a stub that is not an ELF file. What was
# written before goes out (not lost in stdout's buffer), the message names
# the library, exit status 3.
mkdir "$tmp/stub"
soname() { ldconfig -p 2>/dev/null | sed -n "s/^[[:space:]]*\($1\.so\.[0-9]*\) .*/\1/p" | head -1; }
arch=$(soname libarchive)
if [ -n "$arch" ]; then
	printf 'not a library\n' > "$tmp/stub/$arch"
	tar -czf "$tmp/one.tgz" -C "$g" input.log
	for fmt in jsonl text; do
		LD_LIBRARY_PATH="$tmp/stub" "$kt" analyze -j 1 --format $fmt "$g/input.log" "$tmp/one.tgz" \
			> "$tmp/arch.$fmt" 2> "$tmp/arch.err"; rc=$?
		"$kt" analyze --format $fmt "$g/input.log" > "$tmp/first.$fmt" 2>/dev/null
		if [ $fmt = jsonl ]; then
			head -1 "$tmp/arch.$fmt" | cmp -s - "$tmp/first.$fmt"
		else	# the first input's report, up to the closing summary
			sl=$(grep -n "^Summary: " "$tmp/first.$fmt" | cut -d: -f1)
			head -n $((sl - 2)) "$tmp/first.$fmt" > "$tmp/first.body"
			head -c "$(wc -c < "$tmp/first.body")" "$tmp/arch.$fmt" | cmp -s - "$tmp/first.body"
		fi
		got=$?
		[ $rc -eq 3 ] && [ $got -eq 0 ] &&
			grep -q "^ktriage: cannot load $arch, which this needs: $tmp/stub/$arch: " "$tmp/arch.err"
		check "$arch broken ($fmt): the first input's output is not lost, the message names it, exit 3" $? \
			"rc=$rc $(cat "$tmp/arch.err") stdout: $(wc -c < "$tmp/arch.$fmt") bytes"
	done
else
	skip "libarchive broken" "no libarchive in ldconfig -p"
fi
sql=$(soname libsqlite3)
if [ -n "$sql" ]; then
	printf 'not a library\n' > "$tmp/stub/$sql"
	LD_LIBRARY_PATH="$tmp/stub" "$kt" db import --db "sqlite:$tmp/s2.db" "$g/input.log" > "$tmp/nosql2.out" 2> "$tmp/nosql2.err"; rc=$?
	[ $rc -eq 3 ] && grep -q "^ktriage: cannot load $sql, which this needs: $tmp/stub/$sql: " "$tmp/nosql2.err"
	check "$sql broken: db import exits 3 naming the library" $? "rc=$rc $(cat "$tmp/nosql2.err")"
else
	skip "SQLite broken" "no libsqlite3 in ldconfig -p"
fi
tap_done
