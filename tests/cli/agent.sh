#!/bin/sh
# `ktriage agent` against a stand-in server on loopback (TAP): each crash
# of a --root fixture host uploaded exactly once across agent restarts,
# server restarts and an outage (items wait in the spool, then go with
# backoff); facts sent once while unchanged; a long-running agent stops on
# SIGTERM. Usage: agent.sh KTRIAGE SOURCE_ROOT
. "$(dirname "$0")/lib.sh"
spid=
apid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; [ -n "$apid" ] && kill "$apid" 2>/dev/null; rm -rf "$tmp"' EXIT
g="$src/tests/golden"
log="$tmp/server.log"
: > "$log"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
server_up() {
	python3 "$src/tests/cli/fake-serve.py" "$port" "$log" &
	spid=$!
	i=0
	while [ $i -lt 50 ] && ! python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" 2>/dev/null; do
		sleep 0.1; i=$((i + 1))
	done
}
server_down() { kill "$spid"; wait "$spid" 2>/dev/null; spid=; }
news() { grep -c '^upload .* new$' "$log"; }
dups() { grep -c '^upload .* dup$' "$log"; }
wait_news() { # N SECONDS
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		[ "$(news)" -ge "$1" ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

r="$tmp/root"
if [ -x /lib/systemd/systemd-journal-remote ]; then
	python3 "$src/tests/cli/host-root.py" "$src" "$r"; want=8
else
	python3 "$src/tests/cli/host-root.py" "$src" "$r" --no-journal; want=7
fi
cp -a "$src/tests/host/enic-ixgbe-jumbo/class" "$r/sys/"	# net facts: a /sys tree
# what the server files a crash under: the running kernel (proc), and on a
# XenServer host the pool uuid of the local xapi database that
# /etc/xensource/db.conf names (xen-bugtool reads it the same way; xapi's
# database format: xapi-project/xen-api ocaml/database/db_xml.ml)
POOL=5f1e2d3c-4b5a-4697-8877-665544332211
mkdir -p "$r/proc/sys/kernel" "$r/etc/xensource" "$r/var/lib/xcp"
echo "4.19.0+1" > "$r/proc/sys/kernel/osrelease"
printf '[/var/lib/xcp/state.db]\nmode:write_limit\n' > "$r/etc/xensource/db.conf"
printf '<?xml version="1.0" encoding="UTF-8"?><database><table name="host"><row ref="OpaqueRef:h" uuid="11111111-2222-3333-4444-555555555555"/></table><table name="pool"><row ref="OpaqueRef:p" name__label="" uuid="%s"/></table></database>\n' "$POOL" > "$r/var/lib/xcp/state.db"
spool="$r/var/lib/ktriage"
server_up

# 1. first round: every source with crash material, once
"$kt" agent --root "$r" --server "$url" --once 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ]; check "first round: exit 0" $? "rc=$rc $(cat "$tmp/err")"
[ "$(news)" -eq $want ] && [ "$(dups)" -eq 0 ]
check "first round: $want uploads, none twice" $? "$(cat "$log")"
grep -q '^upload .* crash-folder ' "$log" && grep -q '^upload .* kdump ' "$log" &&
	grep -q '^upload .* pstore ' "$log"
check "sources named (crash-folder, kdump, pstore)" $? "$(cat "$log")"
[ "$(ls "$spool/incoming" | wc -l)" -eq 0 ]; check "incoming/ empty after sending" $? "$(ls "$spool/incoming")"
[ "$(grep -c '^facts' "$log")" -eq 1 ]; check "host facts sent" $? "$(cat "$log")"
[ "$(grep '^upload' "$log" | awk -v p="$POOL" '$5 == p' | wc -l)" -eq $want ] &&
	grep -q "^facts .* $POOL\$" "$log"
check "every upload and the facts carry the pool uuid of the local xapi database" $? "$(cat "$log")"
[ "$(grep '^upload' "$log" | awk '$6 != "-"' | wc -l)" -eq 0 ]
check "crashes of earlier boots (crash folder, kdump, pstore, journal) carry no kernel" $? "$(cat "$log")"

# 2. agent restart, nothing new: nothing sent
"$kt" agent --root "$r" --server "$url" --once 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && [ "$(news)" -eq $want ] && [ "$(grep -c '^upload' "$log")" -eq $want ]
check "second round: nothing sent again" $? "rc=$rc $(cat "$log")"
[ "$(grep -c '^facts' "$log")" -eq 1 ]; check "unchanged facts not sent again" $? ""

# 3. server down: the new crash waits in the spool (exit 3)
server_down
mkdir -p "$r/var/crash/202312021300"
cp "$g/rules/jbd2-bug-on/fire.log" "$r/var/crash/202312021300/dmesg.202312021300"
"$kt" agent --root "$r" --server "$url" --once 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] && [ "$(ls "$spool/incoming" | grep -c '\.meta$')" -eq 1 ]
check "server down: exit 3, the crash kept in incoming/" $? "rc=$rc $(cat "$tmp/err") $(ls "$spool/incoming")"
grep -q 'waiting' "$tmp/err"; check "says what is waiting" $? "$(cat "$tmp/err")"

# 4. server back: sent once
server_up
"$kt" agent --root "$r" --server "$url" --once 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && [ "$(news)" -eq $((want + 1)) ] && [ "$(dups)" -eq 0 ]
check "server restarted: the waiting crash sent once" $? "rc=$rc $(cat "$log")"

# 5. a running agent across an outage: retries with backoff, sends once
"$kt" agent --root "$r" --server "$url" --interval 0.5 -q &
apid=$!
sleep 1
server_down
mkdir -p "$r/var/crash/202312031400"
cp "$g/rules/ext4-bug-error/fire.log" "$r/var/crash/202312031400/dmesg.202312031400"
sleep 2
server_up
wait_news $((want + 2)) 15; check "running agent: sent after the outage" $? "$(cat "$log")"
sleep 1.5
kill -TERM "$apid"; wait "$apid"; rc=$?
apid=
[ $rc -eq 0 ]; check "SIGTERM: stops cleanly" $? "rc=$rc"

# 6. restart once more: still each crash once
"$kt" agent --root "$r" --server "$url" --once 2>/dev/null
[ "$(news)" -eq $((want + 2)) ] && [ "$(dups)" -eq 0 ]
check "after every restart: $((want + 2)) crashes, each uploaded once" $? "$(grep '^upload' "$log")"
sha_dups=$(grep '^upload' "$log" | awk '{print $2}' | sort | uniq -d | wc -l)
[ "$sha_dups" -eq 0 ]; check "no body posted twice" $? "$(grep '^upload' "$log")"

# 6b. a kdump dmesg being written (created, no bytes yet: what a running
# agent can see while cp writes it, as in 5) waits for its bytes: no empty
# upload, then the crash once
mkdir -p "$r/var/crash/202312041500"
: > "$r/var/crash/202312041500/dmesg.202312041500"
"$kt" agent --root "$r" --server "$url" --once 2>/dev/null
[ "$(grep -c '^upload' "$log")" -eq $((want + 2)) ]
check "an empty kdump dmesg (still being written): not sent" $? "$(tail -2 "$log")"
{ cat "$g/rules/list-corruption/fire.log"; echo "[ 9999.000000] ktriage test 6b"; } \
	> "$r/var/crash/202312041500/dmesg.202312041500"	# a body the server has not seen
"$kt" agent --root "$r" --server "$url" --once 2>/dev/null
[ "$(news)" -eq $((want + 3)) ] && [ "$(dups)" -eq 0 ]
check "the same dmesg once written: sent once" $? "$(tail -2 "$log")"

# 7. no journal: crashes in kern.log, each once, from its cursor on
r2="$tmp/root2"
python3 "$src/tests/cli/host-root.py" "$src" "$r2" --no-journal
mkdir -p "$r2/proc/sys/kernel"
echo "6.1.0-77-amd64" > "$r2/proc/sys/kernel/osrelease"
touch -d '1 minute ago' "$r2/var/log/kern.log"
# (a second host with the same files: the server knows those bodies, the
# agent sends them once from its own spool)
ups() { grep -c '^upload' "$log"; }
before=$(ups)
"$kt" agent --root "$r2" --server "$url" --once --no-facts 2>"$tmp/err"
[ $(( $(ups) - before )) -eq 8 ] && [ "$(grep -c '^upload .* file .* new$' "$log")" -eq 1 ]
check "kern.log: its crash uploaded with the other sources" $? "$(cat "$tmp/err") $(tail -9 "$log")"
grep -q '^upload .* file [^ ]* - 6.1.0-77-amd64 new$' "$log"
check "kern.log (the running boot): its crash carries host and the running kernel" $? "$(tail -9 "$log")"
sed 's/^/Dec  1 11:00:00 h1 kernel: /' "$g/rules/list-corruption/fire.log" >> "$r2/var/log/kern.log"
touch -d '1 minute ago' "$r2/var/log/kern.log"
"$kt" agent --root "$r2" --server "$url" --once --no-facts --pool p-given 2>/dev/null
"$kt" agent --root "$r2" --server "$url" --once --no-facts 2>/dev/null
[ $(( $(ups) - before )) -eq 9 ] && [ "$(grep -c '^upload .* file .* new$' "$log")" -eq 2 ]
check "kern.log appended: only the new crash, once" $? "$(tail -3 "$log")"
tail -1 "$log" | grep -q '^upload .* file [^ ]* p-given 6.1.0-77-amd64 new$'
check "--pool: sent with the crash" $? "$(tail -1 "$log")"

# 8. --db: straight into the crash store, when ktriage is built with one
r3="$tmp/root3"
python3 "$src/tests/cli/host-root.py" "$src" "$r3" --no-journal
touch -d '1 minute ago' "$r3/var/log/kern.log"
if "$kt" db --help >/dev/null 2>&1; then
	# a crash of the running boot whose text names no kernel release
	mkdir -p "$r3/proc/sys/kernel"
	echo "6.1.0-88-amd64" > "$r3/proc/sys/kernel/osrelease"
	sed -e 's/ 5.10.0-21-amd64 #1 Debian 5.10.162-1//' -e 's/^/Dec  1 11:00:00 h3 kernel: /' \
		"$g/rules/list-corruption/fire.log" >> "$r3/var/log/kern.log"
	touch -d '1 minute ago' "$r3/var/log/kern.log"
	"$kt" agent --root "$r3" --db "sqlite:$tmp/c.db" --once --no-facts --host h3 --pool p3 2>"$tmp/err"; rc=$?
	"$kt" agent --root "$r3" --db "sqlite:$tmp/c.db" --once --no-facts --host h3 2>>"$tmp/err"
	issues=$("$kt" db issues --db "sqlite:$tmp/c.db" --limit 100 2>/dev/null | grep -c ' open ')
	crashes=$("$kt" db issues --db "sqlite:$tmp/c.db" --limit 100 2>/dev/null | awk '$2 == "open" {s += $3} END {print s}')
	[ $rc -eq 0 ] && [ "$issues" -eq 8 ] && [ "$crashes" -eq 9 ]
	check "--db: each crash imported once (8 issues, 9 crashes)" $? "rc=$rc issues=$issues crashes=$crashes $(cat "$tmp/err")"
	k=$("$kt" db issues --db "sqlite:$tmp/c.db" --kernel 6.1.0-88-amd64 --format json 2>/dev/null |
		jq -r 'map(.title) | join(",")')
	p=$("$kt" db issues --db "sqlite:$tmp/c.db" --pool p3 --format json 2>/dev/null | jq 'map(.crashes) | add')
	[ "$k" = "BUG: corrupted list in acme_release_port" ] && [ "$p" -eq 9 ]
	check "--db: the kernel-less crash filed under the running kernel, all under the pool" $? "kernel: $k pool: $p"
else
	"$kt" agent --root "$r3" --db "sqlite:$tmp/c.db" --once 2>"$tmp/err"; rc=$?
	[ $rc -eq 3 ] && grep -q 'no crash store' "$tmp/err"
	check "--db without the crash store in this build: exit 3, said" $? "rc=$rc $(cat "$tmp/err")"
fi

tap_done
