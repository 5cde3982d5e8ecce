#!/bin/sh
# The issue list's filtered and --since forms, before and after a change
# of the store (docs/store.md): run by hand, never in the test suite.
#   bench/store-lists.sh [-b sqlite|postgresql] OLD_KTRIAGE NEW_KTRIAGE STORE.db
# STORE.db is a SQLite store written by OLD_KTRIAGE (bench/store-bench.sh
# builds one: 1,000 hosts, 100,000 crash texts). For SQLite it is copied
# twice (one copy per build); for PostgreSQL (under scripts/pg-test.sh) it
# is copied into two databases with bench/sqlite-to-pg.py and VACUUM
# ANALYZEd. OLD_KTRIAGE times every form on its copy, then NEW_KTRIAGE
# opens the other (schema migration, timed) and times the same forms.
# Each figure: best and median of 10 whole ktriage processes, in ms. The
# outputs of the two builds are compared (JSON, byte for byte).
set -eu
BACKEND=sqlite
while getopts b: o; do
	case $o in b) BACKEND=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
[ $# -eq 3 ] || { echo "usage: $0 [-b sqlite|postgresql] OLD NEW STORE.db" >&2; exit 2; }
OLD=$(realpath "$1"); NEW=$(realpath "$2"); STORE=$(realpath "$3")
cd "$(dirname "$0")/.."
if [ "$BACKEND" = postgresql ] && [ -z "${KTRIAGE_TEST_PG_URL:-}" ]; then
	exec sh scripts/pg-test.sh run sh "$0" -b postgresql "$OLD" "$NEW" "$STORE"
fi
OUT=bench/out/store-lists
mkdir -p "$OUT"
rm -f "$OUT"/old-*.json "$OUT"/new-*.json
now() { date +%s.%N; }
copy() { # copy NAME KTRIAGE: sets DB
	if [ "$BACKEND" = postgresql ]; then
		psql -q "$KTRIAGE_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
		DB=$(echo "$KTRIAGE_TEST_PG_URL" | sed "s|/ktriage?|/$1?|")
		python3 bench/sqlite-to-pg.py --exe "$2" "$STORE" "$DB" >/dev/null
		psql -q "$DB" -c "VACUUM ANALYZE"
	else
		rm -f "$OUT/$1.db"*
		cp "$STORE" "$OUT/$1.db"
		DB="sqlite:$OUT/$1.db"
	fi
}
timeit() { # times CMD...: "best median" of 10 runs, in ms
	for i in 1 2 3 4 5 6 7 8 9 10; do
		t0=$(now); "$@" >/dev/null || true; t1=$(now)
		echo "($t1 - $t0) * 1000" | bc -l
	done | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f %.1f", v[1], (v[5] + v[6]) / 2 }'
}
SQ="$STORE"
last=$(sqlite3 "$SQ" "SELECT max(crashed_at) FROM kt_crash")
week=$(date -u -d "$(echo "$last" | sed 's/T/ /; s/Z//') UTC - 7 days" +%Y-%m-%dT%H:%M:%SZ)
half=$(sqlite3 "$SQ" "SELECT crashed_at FROM kt_crash ORDER BY crashed_at LIMIT 1 OFFSET (SELECT count(*) / 2 FROM kt_crash)")
host=$(sqlite3 "$SQ" "SELECT h.name FROM kt_crash c JOIN kt_host h ON h.id = c.host_id GROUP BY h.name ORDER BY count(*) DESC, h.name LIMIT 1")
kernel=$(sqlite3 "$SQ" "SELECT kernel FROM kt_crash WHERE kernel IS NOT NULL GROUP BY kernel ORDER BY count(*) DESC LIMIT 1")
pool=$(sqlite3 "$SQ" "SELECT name FROM kt_pool ORDER BY name LIMIT 1")
recent=$(sqlite3 "$SQ" "SELECT h.name FROM kt_crash c JOIN kt_host h ON h.id = c.host_id ORDER BY c.crashed_at DESC LIMIT 1")
run() { # run LABEL ARGS...
	label=$1; shift
	o=$(timeit "$K" db --db "$DB" issues "$@")
	"$K" db --db "$DB" issues --limit 1000 --format json "$@" > "$OUT/$side-$(echo "$label" | tr -c 'a-z0-9\n' _).json" || true
	echo "$label $o"
}
forms() {
	run "issues" 
	run "--host_$host" --host "$host"
	run "--pool_$pool" --pool "$pool"
	run "--kernel_$kernel" --kernel "$kernel"
	run "--since_7d($week)" --since "$week"
	run "--since_half($half)" --since "$half"
	run "--since_day_1" --since 2026-01-01
	run "--host_$recent+--since_7d" --host "$recent" --since "$week"
	run "--pool+--since_7d" --pool "$pool" --since "$week"
	run "--kernel+--since_7d" --kernel "$kernel" --since "$week"
}
echo "backend: $BACKEND  store: $STORE"
side=old; K=$OLD; copy kt_old "$OLD"
forms | sed 's/^/old /'
side=new; K=$NEW; copy kt_new "$OLD"
t0=$(now); "$NEW" db --db "$DB" stats >/dev/null; t1=$(now)
printf 'new: schema migration on open: %.1f s\n' "$(echo "$t1 - $t0" | bc -l)"
forms | sed 's/^/new /'
for f in "$OUT"/old-*.json; do
	n=$OUT/new-${f#"$OUT"/old-}
	if cmp -s "$f" "$n"; then echo "same output: ${f#"$OUT"/old-}"; else echo "DIFFERENT output: ${f#"$OUT"/old-}"; fi
done
