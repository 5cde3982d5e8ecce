#!/bin/sh
# The crash store, end to end through `ktriage db`, on one backend:
#   store.sh KTRIAGE SOURCE_ROOT sqlite|postgresql
# For postgresql, KTRIAGE_TEST_PG_URL must name a server database we may
# create databases on (scripts/pg-test.sh run provides one); without it the
# test is skipped (77), or fails when KT_REQUIRE_PG=1 (CI).
# Inputs: the repository's golden XenServer enic crash (dmesg, kern.log,
# crash folder, status report: tests/golden/xs-enic-jumbo-*, sources in
# their READMEs) and logs derived from it here (timestamps shifted or
# removed), plus the host-facts fixtures of tests/host/.
set -u
K=$1
SRC=$2
BACKEND=$3
GOLD=$SRC/tests/golden
T=$(mktemp -d "${TMPDIR:-/tmp}/kt-store-test.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { # check DESCRIPTION ACTUAL EXPECTED
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (got '$2', want '$3')"; fi
}

if [ "$BACKEND" = postgresql ]; then
	if [ -z "${KTRIAGE_TEST_PG_URL:-}" ]; then
		echo "1..0 # SKIP no PostgreSQL server (run through scripts/pg-test.sh)"
		[ "${KT_REQUIRE_PG:-0}" = 1 ] && exit 1
		exit 77
	fi
fi

dbn=0
# A fresh, empty store: sets DB to its URL.
fresh() {
	dbn=$((dbn + 1))
	if [ "$BACKEND" = postgresql ]; then
		psql -q "$KTRIAGE_TEST_PG_URL" -c "CREATE DATABASE t$dbn" >/dev/null || exit 1
		DB=$(echo "$KTRIAGE_TEST_PG_URL" | sed "s|/ktriage?|/t$dbn?|")
	else
		DB="sqlite:$T/store$dbn.db"
	fi
}
sql() { # run SQL on the current store
	if [ "$BACKEND" = postgresql ]; then
		psql -q -At "$DB" -c "$1"
	else
		sqlite3 "${DB#sqlite:}" "$1"
	fi
}
stat_of() { "$K" db --db "$DB" stats | jq -r ".$1"; }
# The per-issue summary (kt_issue_sum, kt_issue_value), kept up to date by
# import and rebucket, against a recomputation from kt_crash: the number of
# rows that differ either way (0 when equal).
RECOMP_SUM="SELECT issue_id, count(*), count(DISTINCT host_id), min(crashed_at), max(crashed_at)
 FROM kt_crash GROUP BY issue_id"
RECOMP_VAL="SELECT issue_id, 'kernel', kernel, count(*) FROM kt_crash WHERE kernel IS NOT NULL
 GROUP BY issue_id, kernel UNION ALL SELECT issue_id, 'rule', rule, count(*) FROM kt_crash
 WHERE rule IS NOT NULL GROUP BY issue_id, rule UNION ALL SELECT issue_id, 'day',
 substr(crashed_at, 1, 10), count(*) FROM kt_crash GROUP BY issue_id, substr(crashed_at, 1, 10)"
STORED_SUM="SELECT issue_id, crashes, hosts, first_seen, last_seen FROM kt_issue_sum"
STORED_VAL="SELECT issue_id, key, value, n FROM kt_issue_value"
# The per-value summary (kt_issue_by, schema version 3): per host, pool
# (the host's) and kernel, each issue's crashes, hosts, first and last.
RECOMP_BY="SELECT 'host', h.name, c.issue_id, count(*), count(DISTINCT c.host_id),
 min(c.crashed_at), max(c.crashed_at) FROM kt_crash c JOIN kt_host h ON h.id = c.host_id
 GROUP BY h.name, c.issue_id UNION ALL SELECT 'pool', p.name, c.issue_id, count(*),
 count(DISTINCT c.host_id), min(c.crashed_at), max(c.crashed_at) FROM kt_crash c
 JOIN kt_host h ON h.id = c.host_id JOIN kt_pool p ON p.id = h.pool_id GROUP BY p.name, c.issue_id
 UNION ALL SELECT 'kernel', kernel, issue_id, count(*), count(DISTINCT host_id), min(crashed_at),
 max(crashed_at) FROM kt_crash WHERE kernel IS NOT NULL GROUP BY kernel, issue_id"
STORED_BY="SELECT key, value, issue_id, crashes, hosts, first_seen, last_seen FROM kt_issue_by"
summary_diff() {
	sql "SELECT (SELECT count(*) FROM ($STORED_SUM EXCEPT $RECOMP_SUM) a)
		+ (SELECT count(*) FROM ($RECOMP_SUM EXCEPT $STORED_SUM) b)
		+ (SELECT count(*) FROM ($STORED_VAL EXCEPT SELECT * FROM ($RECOMP_VAL) r1) c)
		+ (SELECT count(*) FROM (SELECT * FROM ($RECOMP_VAL) r2 EXCEPT $STORED_VAL) d)
		+ (SELECT count(*) FROM ($STORED_BY EXCEPT SELECT * FROM ($RECOMP_BY) r3) e)
		+ (SELECT count(*) FROM (SELECT * FROM ($RECOMP_BY) r4 EXCEPT $STORED_BY) f)"
}
# Every filtered list form (each host, pool and kernel, alone and since the
# median crash time; since that time, since its day, since the epoch) against the same list
# aggregated by SQL from kt_crash: the filters that differ ("" when none).
list_rows() {
	"$K" db --db "$DB" issues --limit 1000 --format json "$@" |
		jq -r 'sort_by(.id)[] | "\(.id)|\(.crashes)|\(.hosts)|\(.first_seen)|\(.last_seen)"'
}
recomp_rows() { # recomp_rows WHERE-CLAUSE (c: kt_crash, h: kt_host, p: kt_pool)
	sql "SELECT c.issue_id, count(*), count(DISTINCT c.host_id), min(c.crashed_at),
		max(c.crashed_at) FROM kt_crash c JOIN kt_host h ON h.id = c.host_id
		LEFT JOIN kt_pool p ON p.id = h.pool_id WHERE $1 GROUP BY c.issue_id ORDER BY c.issue_id"
}
filter_diff() {
	bad=""
	mid=$(sql "SELECT crashed_at FROM kt_crash ORDER BY crashed_at LIMIT 1 OFFSET
		(SELECT count(*) / 2 FROM kt_crash)")
	for v in $(sql "SELECT DISTINCT name FROM kt_host"); do
		[ "$(list_rows --host "$v")" = "$(recomp_rows "h.name = '$v'")" ] || bad="$bad host=$v"
		[ "$(list_rows --host "$v" --since "$mid")" = \
		  "$(recomp_rows "h.name = '$v' AND c.crashed_at >= '$mid'")" ] || bad="$bad host=$v+since"
	done
	for v in $(sql "SELECT DISTINCT name FROM kt_pool"); do
		[ "$(list_rows --pool "$v")" = "$(recomp_rows "p.name = '$v'")" ] || bad="$bad pool=$v"
		[ "$(list_rows --pool "$v" --since "$mid")" = \
		  "$(recomp_rows "p.name = '$v' AND c.crashed_at >= '$mid'")" ] || bad="$bad pool=$v+since"
	done
	for v in $(sql "SELECT DISTINCT kernel FROM kt_crash WHERE kernel IS NOT NULL"); do
		[ "$(list_rows --kernel "$v")" = "$(recomp_rows "c.kernel = '$v'")" ] || bad="$bad kernel=$v"
		[ "$(list_rows --kernel "$v" --since "$mid")" = \
		  "$(recomp_rows "c.kernel = '$v' AND c.crashed_at >= '$mid'")" ] || bad="$bad kernel=$v+since"
	done
	for t in "$mid" "$(echo "$mid" | cut -c1-10)" 1970-01-01; do
		[ "$(list_rows --since "$t")" = "$(recomp_rows "c.crashed_at >= '$t'")" ] || bad="$bad since=$t"
	done
	echo "${bad:-same}"
}
# The issue list from the summary against the list aggregated from the
# crashes (--since the epoch reads kt_crash): id crashes hosts first last.
list_diff() {
	a=$("$K" db --db "$DB" issues --limit 1000 --format json |
		jq -c 'sort_by(.id) | map([.id, .crashes, .hosts, .first_seen, .last_seen, .kernels, .rule])')
	b=$("$K" db --db "$DB" issues --limit 1000 --since 1970-01-01 --format json |
		jq -c 'sort_by(.id) | map([.id, .crashes, .hosts, .first_seen, .last_seen, .kernels, .rule])')
	[ "$a" = "$b" ] && [ "$a" != "[]" ] && echo same || echo "summary $a, crashes $b"
}

# Logs derived from the golden dmesg: the same crash at another time.
DMESG=$GOLD/xs-enic-jumbo-dmesg/input.log
shifted() { # shifted SECONDS > file
	sed "s/^\[2637695\./[$1./" "$DMESG"
}

echo "1..84"

# --- idempotency and one crash through several paths -------------------
fresh
"$K" db --db "$DB" import --host xenhost "$DMESG" > "$T/out1"
check "import finds a crash (exit 1)" "$?" 1
check "first import: the crash is new" "$(grep -c 'crash 1 new' "$T/out1")" 1
"$K" db --db "$DB" import --host xenhost "$DMESG" --format json > "$T/out2"
check "same bytes again: upload seen" "$(jq -r '.[0].status' "$T/out2")" seen
check "same bytes again: no new crash" "$(stat_of crashes)" 1
check "same bytes again: no new upload" "$(stat_of uploads)" 1
"$K" db --db "$DB" import "$GOLD/xs-enic-jumbo-kernlog/input.log" --format json > "$T/out3"
check "kern.log names the host (syslog field)" "$(jq -r '.[0].host' "$T/out3")" xenhost
check "kern.log copy of the crash: same occurrence" "$(jq -r '.[0].crashes[0].occurrence' "$T/out3")" seen
"$K" db --db "$DB" import --host xenhost "$GOLD/xs-enic-jumbo-2015/input" > /dev/null
"$K" db --db "$DB" import --host xenhost "$GOLD/xs-status-report/input-bug-report-20150604031500.tar.bz2" \
	> /dev/null 2>&1
check "dmesg + kern.log + crash folder + status report: one crash" "$(stat_of crashes)" 1
check "every upload kept" "$(stat_of uploads)" 4
"$K" db --db "$DB" crash 1 --format json > "$T/crash1"
check "every place the crash was seen is kept" "$(jq '.seen | length' "$T/crash1")" 4
check "the excerpt is the raw text" \
	"$(jq -r '.excerpt' "$T/crash1" | head -1 | cut -c1-49)" "[2637695.833005] BUG: unable to handle kernel pag"
check "stored analysis names no local path" "$(jq -r '.report.source.file' "$T/crash1")" input.log

# --- different crashes are never merged, even without timestamps ------
sed 's/^\[[ 0-9.]*\] //' "$DMESG" > "$T/plain-a.log"
{ cat "$T/plain-a.log"; echo "end of log"; } > "$T/plain-b.log"
cat "$T/plain-a.log" "$T/plain-a.log" > "$T/plain-twice.log"
"$K" db --db "$DB" import --host h2 --pool p1 "$T/plain-a.log" "$T/plain-b.log" "$T/plain-twice.log" > /dev/null
check "no timestamps: 4 crashes in 3 logs stay 4" \
	"$("$K" db --db "$DB" host h2 --format json | jq '.crashes | length')" 4
"$K" db --db "$DB" import --host h2 "$T/plain-twice.log" > /dev/null
check "no timestamps: re-import changes nothing" \
	"$("$K" db --db "$DB" host h2 --format json | jq '.crashes | length')" 4
check "one issue for the one bucket" "$(stat_of issues)" 1
check "summary = recomputation after imports (paths, no timestamps)" "$(summary_diff)" 0
check "issue list from the summary = list from the crashes" "$(list_diff)" same
check "filtered lists (host, kernel, since) = aggregation of the crashes" "$(filter_diff)" same

# --- host facts, facets and lift ---------------------------------------
"$K" net audit --sysfs-root "$SRC/tests/host/enic-ixgbe-jumbo" --format json > "$T/enic.json"
"$K" net audit --sysfs-root "$SRC/tests/host/linux-mixed" --format json > "$T/mixed.json"
"$K" db --db "$DB" facts --host xenhost --at 2015-01-01T00:00:00Z "$T/enic.json" > /dev/null
check "facts stored (exit 0)" "$?" 0
"$K" db --db "$DB" facts --host quiet1 "$T/mixed.json" > /dev/null
"$K" db --db "$DB" facts --host quiet2 "$T/mixed.json" > /dev/null
"$K" db --db "$DB" show 1 --format json > "$T/show1"
check "facet driver@mtu from the facts in force" \
	"$(jq -r '.facets.driver_mtu[] | select(.value == "enic@9000") | .hosts' "$T/show1")" 1
check "lift states k of n hosts with the value" \
	"$(jq -r '.lift[] | select(.value == "enic@9000") | .text' "$T/show1")" \
	"1 of 1 hosts with enic@9000 crashed, 0 of 2 without"
check "show has the representative analysis" "$(jq -r '.representative.report.title' "$T/show1")" \
	"BUG: unable to handle kernel paging request in ip_fragment"
"$K" db --db "$DB" show 1 > "$T/show1.txt"
check "show text states the lift" "$(grep -c '^Lift: 1 of 1 hosts with enic@9000 crashed' "$T/show1.txt")" 1

# --- status, fixed-in and regressions ----------------------------------
"$K" db --db "$DB" status 1 fixed --fixed-in 3.10.0+10 --note "MTU back to 1500" > /dev/null
check "status set (exit 0)" "$?" 0
shifted 2700000 > "$T/later1.log"
"$K" db --db "$DB" import --host xenhost "$T/later1.log" --format json > "$T/r1"
check "crash on a kernel older than fixed-in: not a regression" \
	"$(jq -r '.[0].crashes[0].issue | "\(.status) \(.regression)"' "$T/r1")" "fixed false"
"$K" db --db "$DB" status 1 fixed --fixed-in 3.10.0+1 > /dev/null
shifted 2800000 > "$T/later2.log"
"$K" db --db "$DB" import --host xenhost "$T/later2.log" --format json > "$T/r2"
check "crash on the fixed kernel or newer: a regression, reopened" \
	"$(jq -r '.[0].crashes[0].issue | "\(.status) \(.regression)"' "$T/r2")" "open true"
"$K" db --db "$DB" status 1 ignored > /dev/null
"$K" db --db "$DB" issues --status ignored --format json > "$T/ign"
check "issues --status filter" "$(jq -r '.[0].id' "$T/ign")" 1

check "issues --since T counts the crashes since T" \
	"$("$K" db --db "$DB" issues --since 2000-01-01 --format json | jq -r '.[0] | "\(.id) \(.crashes) \(.hosts)"')" "1 7 2"
"$K" db --db "$DB" issues --since 2100-01-01 > /dev/null
check "issues --since the future: nothing listed (exit 0)" "$?" 0
check "issues --host and --kernel together" \
	"$("$K" db --db "$DB" issues --host h2 --kernel 3.10.0+2 --format json | jq -r '.[0].crashes')" 4
check "summary = recomputation after status changes and a regression" "$(summary_diff)" 0

# --- rebucket ------------------------------------------------------------
"$K" db --db "$DB" rebucket --dry-run --format json > "$T/rb"
check "rebucket with the same analyzer changes nothing" "$(jq -r '.changed' "$T/rb")" 0
"$K" db --db "$DB" rebucket > /dev/null
check "after rebucket: the ignored issue keeps id and status" \
	"$("$K" db --db "$DB" issues --format json | jq -r '.[0] | "\(.id) \(.status)"')" "1 ignored"
check "after rebucket: no crash lost" "$(stat_of crashes)" 7

# what an older analyzer might have done: one crash in another bucket and
# issue, and the real bucket's link forgotten
sql "INSERT INTO kt_issue(title, kind, status, created_at) VALUES ('old title', 'oops', 'ignored', '2026-01-01T00:00:00Z')" >/dev/null
moved=$(sql "SELECT min(id) FROM kt_crash")
sql "UPDATE kt_crash SET issue_id = 2, bucket = '00000000000000aa' WHERE id = $moved" >/dev/null
sql "DELETE FROM kt_issue_bucket" >/dev/null
"$K" db --db "$DB" rebucket --format json > "$T/rb2"
check "rebucket: the crash moves back to the issue holding most of its bucket" \
	"$(jq -r '.moves | map("\(.crash):\(.from_issue)->\(.to_issue)") | join(",")' "$T/rb2")" "$moved:2->1"
check "rebucket: a forgotten bucket is linked by overlap, no new issue" "$(jq '.new_issues | length' "$T/rb2")" 0
check "rebucket: the emptied issue keeps its id and status" \
	"$("$K" db --db "$DB" show 2 --format json | jq -r '"\(.status) \(.crashes)"')" "ignored 0"
check "rebucket: counts rebuilt" \
	"$("$K" db --db "$DB" issues --format json | jq -r '.[0] | "\(.id) \(.crashes)"')" "1 7"
check "summary = recomputation after a rebucket merge (the emptied issue has no row)" \
	"$(summary_diff) $(sql "SELECT count(*) FROM kt_issue_sum WHERE issue_id = 2")" "0 0"
# a split: an older analyzer had put another crash (jbd2, its own bucket
# and issue) into issue 1; rebucketing splits it out again. Then a crash
# removed outright (an administrator's DELETE) is caught by a rebucket.
"$K" db --db "$DB" import --host h2 "$SRC/tests/golden/rules/jbd2-bug-on/fire.log" > /dev/null
jissue=$(sql "SELECT max(issue_id) FROM kt_crash")
sql "UPDATE kt_crash SET issue_id = 1, bucket = (SELECT bucket FROM kt_crash WHERE issue_id = 1 LIMIT 1) WHERE issue_id = $jissue" >/dev/null
"$K" db --db "$DB" rebucket --format json > "$T/rb3"
check "rebucket: a split of issue 1" "$(jq -c '.splits' "$T/rb3")" "[{\"issue\":1,\"into\":[1,$jissue]}]"
check "summary = recomputation after a rebucket split" "$(summary_diff)" 0
sql "DELETE FROM kt_crash_seen WHERE crash_id = (SELECT max(id) FROM kt_crash)" >/dev/null
sql "DELETE FROM kt_crash WHERE id = (SELECT max(id) FROM kt_crash)" >/dev/null
"$K" db --db "$DB" rebucket > /dev/null
check "summary = recomputation after a crash is deleted and the store rebucketed" \
	"$(summary_diff) $(stat_of crashes)" "0 7"
check "issue list from the summary = list from the crashes, after rebuckets" "$(list_diff)" same
check "filtered lists = aggregation of the crashes, after rebuckets" "$(filter_diff)" same

# --- a status report brings its own host facts --------------------------
fresh
"$K" db --db "$DB" import --host xs9 "$GOLD/xs-status-report/input-bug-report-20150604031500.tar.bz2" \
	> /dev/null 2>&1
check "status report: its network state is a facts snapshot" \
	"$("$K" db --db "$DB" host xs9 --format json | jq -r '.facts[0].backend')" ovs
check "status report: the crash links to it (driver@mtu facet)" \
	"$("$K" db --db "$DB" show 1 --format json | jq -r '[.facets.driver_mtu[].value] | join(",")')" \
	"enic@1500,enic@9000"

"$K" db --db "$DB" import --host h3 - < "$DMESG" --format json > "$T/stdin"
check "standard input is one upload" "$(jq -r '.[0] | "\(.path) \(.status) \(.crashes | length)"' "$T/stdin")" "- new 1"

# --- the host comes from the input when --host is not given ------------
fresh
# a status report whose inventory.xml names its host, as xen-bugtool writes
# it (xenserver/status-report xen-bugtool make_inventory(): the
# system-summary element's hostname attribute)
mkdir "$T/sr"
tar -xjf "$GOLD/xs-status-report/input-bug-report-20150604031500.tar.bz2" -C "$T/sr"
cat > "$T/sr/bug-report-20150604031500/inventory.xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<system-status-inventory>
	<system-summary date="Thu Jun  4 03:15:00 2015" hostname="xs-pool1-h07" uname="Linux xs-pool1-h07 3.10.0+2 #1 SMP x86_64 x86_64" uptime=" 03:15:00 up 3 min" user="root"/>
	<inventory-entry capability="network-status" filename="bug-report-20150604031500/ip-s-addr.out" md5sum="0"/>
</system-status-inventory>
XML
# and its xapi database (xen-bugtool's xapi-db.xml, in xapi's format,
# xapi-project/xen-api ocaml/database/db_xml.ml: a <table name="..."> per
# class, a <row .../> per object): the pool row's uuid, after 200 KB of
# other tables so that it crosses the reader's window
POOL=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
{
	echo '<?xml version="1.0" encoding="UTF-8"?><database><manifest><pair key="schema_major_vsn" value="5"/></manifest>'
	echo '<table name="VM">'
	for i in $(seq 1000); do
		echo "<row ref=\"OpaqueRef:vm$i\" uuid=\"00000000-0000-0000-0000-$(printf %012d "$i")\" name__label=\"vm $i with a long label to fill the table up $i\" other_config=\"(('a'%.'b'))\"/>"
	done
	echo '</table><table name="host"><row ref="OpaqueRef:h" uuid="11111111-2222-3333-4444-555555555555" hostname="xs-pool1-h07"/></table>'
	echo "<table name=\"pool\"><row ref=\"OpaqueRef:p\" __ctime=\"1\" name__label=\"pool one\" master=\"OpaqueRef:h\" other_config=\"(('memory-ratio-hvm'%.'0.25'))\" uuid=\"$POOL\" wlb_url=\"\"/></table>"
	echo '<table name="secret"/></database>'
} > "$T/sr/bug-report-20150604031500/xapi-db.xml"
(cd "$T/sr" && tar -cjf bug-report-20150604031500.tar.bz2 bug-report-20150604031500)
"$K" db --db "$DB" import "$T/sr/bug-report-20150604031500.tar.bz2" --format json > "$T/h1" 2>/dev/null
check "status report: the host is the one its inventory.xml names" \
	"$(jq -r '.[0] | "\(.host) \(.crashes | length)"' "$T/h1")" "xs-pool1-h07 1"
check "status report: the crash is filed under the pool uuid of its xapi-db.xml" \
	"$("$K" db --db "$DB" issues --pool "$POOL" --format json | jq -r 'map(.crashes) | add')
 $("$K" db --db "$DB" hosts --format json | jq -r '.[] | select(.name == "xs-pool1-h07") | .pool')" \
	"1
 $POOL"
check "status report: its facts are stored for that host" \
	"$("$K" db --db "$DB" host xs-pool1-h07 --format json | jq -r '"\(.facts | length) \(.crashes | length)"')" "1 1"
"$K" db --db "$DB" import --host given "$T/sr/bug-report-20150604031500.tar.bz2" --format json > "$T/h2" 2>/dev/null
check "status report: --host wins over its inventory.xml" "$(jq -r '.[0].host' "$T/h2")" given
"$K" db --db "$DB" import --host given2 --pool named "$T/sr/bug-report-20150604031500.tar.bz2" \
	> /dev/null 2>&1
check "status report: --pool wins over its xapi-db.xml" \
	"$("$K" db --db "$DB" hosts --format json | jq -r '.[] | select(.name == "given2") | .pool')" named
"$K" db --db "$DB" import "$GOLD/xs-status-report/input-bug-report-20150604031500.tar.bz2" \
	--format json > "$T/h3" 2>/dev/null
check "status report without inventory.xml nor host fields: unknown" "$(jq -r '.[0].host' "$T/h3")" unknown
sed -i 's/hostname="xs-pool1-h07"/hostname="..\/x\&lt;script\&gt;"/' "$T/sr/bug-report-20150604031500/inventory.xml"
(cd "$T/sr" && tar -cjf bug-report-20150604031501.tar.bz2 bug-report-20150604031500)
"$K" db --db "$DB" import "$T/sr/bug-report-20150604031501.tar.bz2" --format json > "$T/h3b" 2>/dev/null
check "status report: a host name that is no plain name is not taken" "$(jq -r '.[0].host' "$T/h3b")" unknown
"$K" db --db "$DB" import "$GOLD/xs-enic-jumbo-2015/input" --format json > "$T/h4"
check "crash folder (no host name in it): unknown" "$(jq -r '.[0].host' "$T/h4")" unknown
# a crash folder whose dom0 ring still holds systemd's boot line naming the
# host (systemd src/shared/hostname-setup.c hostname_setup(): "Set hostname
# to <%s>.", data/store/host-names.tsv)
cf() { # cf DIR BOOT-LINE: a copy of the golden crash folder, the line first in dom0.log
	mkdir -p "$1"
	cp "$GOLD/xs-enic-jumbo-2015/input/xen.log" "$GOLD/xs-enic-jumbo-2015/input/xen-crashdump-analyser.log" "$1/"
	{ echo "$2"; cat "$GOLD/xs-enic-jumbo-2015/input/dom0.log"; } > "$1/dom0.log"
}
cf "$T/cf1/2015-06-04-03-12-09" "[    2.981000]   INFO: systemd[1]: Set hostname to <xs-cf1>."
"$K" db --db "$DB" import "$T/cf1/2015-06-04-03-12-09" --format json > "$T/cf1.json"
check "crash folder: the host systemd's boot line in dom0.log names" \
	"$(jq -r '.[0] | "\(.host) \(.crashes | length)"' "$T/cf1.json")" "xs-cf1 1"
cf "$T/cf2/2015-06-04-03-12-09" "[    2.981000]   INFO: systemd[1]: Set hostname to <localhost>."
"$K" db --db "$DB" import "$T/cf2/2015-06-04-03-12-09" --format json > "$T/cf2.json"
check "crash folder: systemd's default name says nothing (unknown)" "$(jq -r '.[0].host' "$T/cf2.json")" unknown
# the crash folder inside an unpacked status report (xen-bugtool copies
# /var/crash into it): its inventory.xml and xapi-db.xml, three levels up
UNP=$T/unp/bug-report-20150604031500
cf "$UNP/var/crash/2015-06-04-03-12-09" "[    2.981000]   INFO: systemd[1]: Set hostname to <xs-cf1>."
cp "$T/sr/bug-report-20150604031500/xapi-db.xml" "$UNP/"
sed 's/hostname="[^"]*"/hostname="xs-unp1"/' "$T/sr/bug-report-20150604031500/inventory.xml" > "$UNP/inventory.xml"
"$K" db --db "$DB" import "$UNP/var/crash/2015-06-04-03-12-09" --format json > "$T/cf3.json"
check "crash folder in an unpacked status report: its inventory.xml's host wins, its pool is xapi-db.xml's" \
	"$(jq -r '.[0].host' "$T/cf3.json") $("$K" db --db "$DB" hosts --format json |
		jq -r '.[] | select(.name == "xs-unp1") | .pool')" "xs-unp1 $POOL"
"$K" db --db "$DB" import --host cf-given "$UNP/var/crash/2015-06-04-03-12-09" --format json > "$T/cf4.json"
check "crash folder: --host wins over everything the folder says" "$(jq -r '.[0].host' "$T/cf4.json")" cf-given
mkdir -p "$T/cf5/2015-06-04-03-12-09"
cp "$T/cf1/2015-06-04-03-12-09/"*.log "$T/cf5/2015-06-04-03-12-09/"
sed -i 's/^\[/Jun  4 03:12:09 xs-syslog kernel: [/' "$T/cf5/2015-06-04-03-12-09/dom0.log"
"$K" db --db "$DB" import "$T/cf5/2015-06-04-03-12-09" --format json > "$T/cf5.json"
check "crash folder: the crash's own syslog host field wins over a boot line" \
	"$(jq -r '.[0].host' "$T/cf5.json")" xs-syslog
"$K" db --db "$DB" import "$GOLD/formats-journal-json/input.json" --format json > "$T/h5"
check "journal JSON export: the host is its _HOSTNAME" \
	"$(jq -r '.[0] | "\(.host) \(.crashes[0].occurrence)"' "$T/h5")" "host-a new"
"$K" db --db "$DB" import "$GOLD/formats-journal-export/input.export" --format json > "$T/h6"
check "journal export format: the host is its _HOSTNAME" "$(jq -r '.[0].host' "$T/h6")" host-a
"$K" db --db "$DB" import "$GOLD/xs-enic-jumbo-kernlog/input.log" --format json > "$T/h7"
check "syslog kern.log: the host is the line's host field" \
	"$(jq -r '.[0] | "\(.host) \(.crashes[0].id)"' "$T/h7")" "xenhost $(sql "SELECT c.id FROM kt_crash c JOIN kt_host h ON h.id = c.host_id WHERE h.name = 'xenhost'")"

# --- one crash through two sources of a host: dmesg and the journal ----
# The golden journal (journalctl, wall clock, no printk time) and dmesg
# (printk time, no wall clock) hold the same oops of host xenhost: one
# occurrence by its machine state (CPU, PID, command, registers), with
# both uploads linked; the same bug with other registers stays apart.
JOURNAL=$GOLD/xs-enic-jumbo-journal/input.log
fresh
"$K" db --db "$DB" import --host xenhost "$DMESG" > /dev/null
"$K" db --db "$DB" import "$JOURNAL" --format json > "$T/j1"
check "journal after dmesg, same host: the same occurrence" \
	"$(jq -r '.[0] | "\(.host) \(.crashes[0].occurrence) \(.crashes[0].id)"' "$T/j1") $(stat_of crashes)" \
	"xenhost seen 1 1"
check "both sources stay linked to the crash" \
	"$("$K" db --db "$DB" crash 1 --format json | jq -c '[.seen[].name]')" '["input.log","input.log"]'
sed -e 's/Jun 04 03:12:09/Jun 05 07:00:00/' -e 's/ffff880182c834f8/ffff880182c83508/g' "$JOURNAL" > "$T/j2.log"
"$K" db --db "$DB" import "$T/j2.log" --format json > "$T/j2"
check "the same bug later with another machine state: a new occurrence" \
	"$(jq -r '.[0].crashes[0].occurrence' "$T/j2") $(stat_of crashes)" "new 2"
check "summary = recomputation after cross-source imports" "$(summary_diff)" 0
fresh
"$K" db --db "$DB" import "$JOURNAL" > /dev/null
"$K" db --db "$DB" import --host xenhost "$DMESG" --format json > "$T/j3"
check "dmesg after the journal: the same occurrence" \
	"$(jq -r '.[0].crashes[0].occurrence' "$T/j3") $(stat_of crashes) $(stat_of uploads)" "seen 1 2"
"$K" db --db "$DB" import --host otherhost "$DMESG" --format json > "$T/j4"
check "the same text from another host: its own crash" \
	"$(jq -r '.[0].crashes[0].occurrence' "$T/j4") $(stat_of crashes)" "new 2"
# an older analyzer's bucket (and so state key): rebucket renews the key
fresh
"$K" db --db "$DB" import --host xenhost "$DMESG" > /dev/null
sql "UPDATE kt_crash SET bucket = '00000000000000cc', state_key = 'stale'" >/dev/null
"$K" db --db "$DB" rebucket > /dev/null
"$K" db --db "$DB" import "$JOURNAL" --format json > "$T/j5"
check "after a rebucket the state key is renewed: the journal copy is the same crash" \
	"$(jq -r '.[0].crashes[0].occurrence' "$T/j5") $(stat_of crashes)" "seen 1"

# --- two importers at once ----------------------------------------------
fresh
mkdir "$T/a" "$T/b"
for i in $(seq 10 49); do
	shifted "$((2000000 + i))" > "$T/gen$i.log"
	[ "$i" -lt 40 ] && cp "$T/gen$i.log" "$T/a/"
	[ "$i" -ge 20 ] && cp "$T/gen$i.log" "$T/b/"
done
"$K" db --db "$DB" stats > /dev/null	# create the schema first
"$K" db --db "$DB" import --host xh --pool pa "$T/a" > "$T/ia" 2>&1 &
pa=$!
"$K" db --db "$DB" import --host xh --pool pa "$T/b" > "$T/ib" 2>&1 &
pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
check "two importers at once: both succeed" "$ra $rb" "1 1"
check "two importers at once: nothing duplicated or lost" "$(stat_of crashes) $(stat_of uploads)" "40 40"
check "two importers at once: summary = recomputation" "$(summary_diff)" 0
check "two importers at once: filtered lists (host, pool, kernel, since) = aggregation" \
	"$(filter_diff)" same

# two buckets met in opposite orders by two importers (deadlock-prone if
# bucket locks were taken crash by crash)
fresh
JBD=$SRC/tests/golden/rules/jbd2-bug-on/fire.log
jbd() { sed "s/^\[  888\./[$1./" "$JBD"; }
mkdir "$T/ab" "$T/ba"
for i in $(seq 10 29); do
	{ shifted "$((4000000 + i))"; jbd "$((5000000 + i))"; } > "$T/ab/x$i.log"
	{ jbd "$((6000000 + i))"; shifted "$((7000000 + i))"; } > "$T/ba/y$i.log"
done
"$K" db --db "$DB" stats > /dev/null
"$K" db --db "$DB" import --host xy "$T/ab" > "$T/iab" 2>&1 &
pa=$!
"$K" db --db "$DB" import --host xy "$T/ba" > "$T/iba" 2>&1 &
pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
check "two buckets in opposite orders, two importers: both succeed" "$ra $rb" "1 1"
check "two buckets in opposite orders: every crash stored once, two issues" \
	"$(stat_of crashes) $(stat_of issues)" "80 2"
check "two buckets, two importers: summary = recomputation" "$(summary_diff)" 0

# --- a host that joins a pool after its crashes, then moves ---------------
fresh
"$K" db --db "$DB" import --host mv1 "$DMESG" > /dev/null
"$K" db --db "$DB" import --host mv2 --pool pw "$T/gen10.log" > /dev/null
"$K" db --db "$DB" facts --host mv1 --pool pz "$T/enic.json" > /dev/null
check "a host's crashes follow it into its pool (summary, lists)" \
	"$(summary_diff) $(filter_diff) $("$K" db --db "$DB" issues --pool pz --format json | jq 'map(.crashes) | add')" \
	"0 same 1"
"$K" db --db "$DB" import --host mv1 --pool pw "$T/gen11.log" > /dev/null
check "and into the next pool (summary, lists)" \
	"$(summary_diff) $(filter_diff) $("$K" db --db "$DB" issues --pool pw --format json | jq -c 'map([.crashes, .hosts])')" \
	"0 same [[3,2]]"

# --- kill -9 in the middle of an import ---------------------------------
fresh
mkdir "$T/many"
for i in $(seq 100 399); do
	shifted "$((3000000 + i))" > "$T/many/m$i.log"
done
"$K" db --db "$DB" stats > /dev/null
"$K" db --db "$DB" import --host kh --pool pk "$T/many" > /dev/null 2>&1 &
pk=$!
# kill it once some uploads are in (bounded wait: 20 s)
i=0
while [ "$i" -lt 200 ] && [ "$(stat_of crashes)" -lt 20 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -9 $pk 2>/dev/null
wait $pk 2>/dev/null
c=$(stat_of crashes); u=$(stat_of uploads)
check "after kill -9 ($c of 300 stored): every stored upload has its crash" "$c" "$u"
"$K" db --db "$DB" import --host kh "$T/many" > /dev/null 2>&1
check "after kill -9: a rerun completes the import" "$(stat_of crashes) $(stat_of uploads)" "300 300"
check "after kill -9 and a rerun: summary = recomputation" "$(summary_diff)" 0
check "after kill -9 and a rerun: filtered lists = aggregation" "$(filter_diff)" same

# --- migration from schema version 2 -------------------------------------
# A version-2 store: no per-value summary, and pool facet rows only for
# crashes whose upload named the pool (the rerun above named none).
sql "DROP INDEX kt_facet_host_last" >/dev/null
sql "DROP TABLE kt_issue_by" >/dev/null
sql "DELETE FROM kt_facet WHERE key = 'pool'" >/dev/null
sql "UPDATE kt_meta SET value = '2' WHERE key = 'schema_version'" >/dev/null
"$K" db --db "$DB" stats > /dev/null
check "version 2 store opened: migrated to 3, summary and pool facets = recomputation" \
	"$(sql "SELECT value FROM kt_meta WHERE key = 'schema_version'") $(summary_diff) $(filter_diff)" \
	"3 0 same"

if [ "$failed" -ne 0 ]; then
	exit 1
fi
exit 0
