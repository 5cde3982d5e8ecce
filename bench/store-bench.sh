#!/bin/sh
# Crash-store benchmark (docs/store.md): run by hand, never in the test suite.
#   bench/store-bench.sh [-k KTRIAGE] [-c CORPUS_DIR] [-H HOSTS] [-n CRASHES] [-b sqlite|postgresql]
# 1. imports CORPUS_DIR (default ../shared/corpora/syzkaller-dev, when present)
#    into a fresh store: wall time, logs/s, crashes/s, bytes per crash;
# 2. generates a fleet (bench/gen-store.py: HOSTS hosts, CRASHES crashes),
#    stores one facts snapshot per host, imports the logs, then times
#    `db issues` and `db show` on the issue with most crashes (best of 10
#    runs, each a whole ktriage process), and prints the store size.
# PostgreSQL (-b postgresql) runs under scripts/pg-test.sh (throw-away server).
set -eu
cd "$(dirname "$0")/.."
K=build/cli/ktriage
CORPUS=../shared/corpora/syzkaller-dev
HOSTS=1000
CRASHES=100000
BACKEND=sqlite
while getopts k:c:H:n:b: o; do
	case $o in
	k) K=$OPTARG ;; c) CORPUS=$OPTARG ;; H) HOSTS=$OPTARG ;; n) CRASHES=$OPTARG ;;
	b) BACKEND=$OPTARG ;; *) exit 2 ;;
	esac
done
if [ "$BACKEND" = postgresql ] && [ -z "${KTRIAGE_TEST_PG_URL:-}" ]; then
	exec sh scripts/pg-test.sh run sh "$0" "$@"
fi
OUT=bench/out/store
[ "$BACKEND" = postgresql ] && OUT=bench/out/store-pg
mkdir -p "$OUT"
now() { date +%s.%N; }
dbn=0
fresh() {
	dbn=$((dbn + 1))
	if [ "$BACKEND" = postgresql ]; then
		psql -q "$KTRIAGE_TEST_PG_URL" -c "DROP DATABASE IF EXISTS b$dbn" -c "CREATE DATABASE b$dbn" >/dev/null
		DB=$(echo "$KTRIAGE_TEST_PG_URL" | sed "s|/ktriage?|/b$dbn?|")
	else
		rm -f "$OUT/b$dbn.db" "$OUT/b$dbn.db-wal" "$OUT/b$dbn.db-shm"
		DB="sqlite:$OUT/b$dbn.db"
	fi
}
size() {
	if [ "$BACKEND" = postgresql ]; then
		"$K" db --db "$DB" stats >/dev/null	# creates the schema
		psql -At "$DB" -c "SELECT pg_database_size(current_database())"
	else
		f=${DB#sqlite:}
		"$K" db --db "$DB" stats >/dev/null	# creates it; checkpoint on close
		cat "$f" "$f-wal" 2>/dev/null | wc -c
	fi
}
best() { # best CMD...: best wall time of 10 runs, in ms
	for i in 1 2 3 4 5 6 7 8 9 10; do
		t0=$(now); "$@" >/dev/null || true; t1=$(now)
		echo "($t1 - $t0) * 1000" | bc -l
	done | sort -n | head -1 | xargs printf '%.1f'
}

echo "backend: $BACKEND"
if [ -d "$CORPUS" ]; then
	fresh
	base=$(size)	# the empty store (PostgreSQL: the database's own catalog)
	logs=$(ls "$CORPUS"/*.log "$CORPUS"/*.report 2>/dev/null | wc -l)
	t0=$(now)
	/usr/bin/time -f '%U %S' -o "$OUT/cpu" "$K" db --db "$DB" import "$CORPUS" >/dev/null || true
	t1=$(now)
	crashes=$("$K" db --db "$DB" stats | jq .crashes)
	wall=$(echo "$t1 - $t0" | bc -l)
	cpu=$(tail -n 1 "$OUT/cpu" | awk '{ print $1 + $2 }')
	t0=$(now); "$K" db --db "$DB" import "$CORPUS" >/dev/null || true; t1=$(now)
	again=$(echo "$t1 - $t0" | bc -l)
	bytes=$(($(size) - base))
	printf 'corpus: %d files, %d crashes, import %.2f s wall, %.2f s CPU (%.0f logs/s, %.0f crashes/s), re-import %.2f s, store %d bytes (%.0f per crash)\n' \
		"$logs" "$crashes" "$wall" "$cpu" "$(echo "$logs / $wall" | bc -l)" \
		"$(echo "$crashes / $wall" | bc -l)" "$again" "$bytes" "$(echo "$bytes / $crashes" | bc -l)"
fi

G=bench/out/store/fleet-$HOSTS-$CRASHES
mkdir -p bench/out/store
[ -d "$G" ] || python3 bench/gen-store.py "$G" --hosts "$HOSTS" --crashes "$CRASHES"
fresh
base=$(size)
t0=$(now)
for f in "$G"/facts/*.json; do
	h=$(basename "$f" .json)
	"$K" db --db "$DB" facts --host "$h" --pool "p$(echo "$h" | cut -c2-3)" \
		--at 2026-01-01T00:00:00Z "$f" >/dev/null
done
t1=$(now)
printf 'fleet: %d facts snapshots stored in %.1f s\n' "$HOSTS" "$(echo "$t1 - $t0" | bc -l)"
t0=$(now)
/usr/bin/time -f '%U %S' -o "$OUT/cpu" "$K" db --db "$DB" import "$G/logs" >/dev/null || true
t1=$(now)
cpu=$(tail -n 1 "$OUT/cpu" | awk '{ print $1 + $2 }')
crashes=$("$K" db --db "$DB" stats | jq .crashes)
issues=$("$K" db --db "$DB" stats | jq .issues)
wall=$(echo "$t1 - $t0" | bc -l)
printf 'fleet: %d crashes in %d issues over %d hosts imported in %.1f s wall, %.1f s CPU (%.0f crashes/s)\n' \
	"$crashes" "$issues" "$HOSTS" "$wall" "$cpu" "$(echo "$crashes / $wall" | bc -l)"
if [ "$BACKEND" = postgresql ]; then
	# what autovacuum does on a live server: statistics and the visibility
	# map (index-only scans), right away instead of some minutes later
	t0=$(now); psql -q "$DB" -c "VACUUM ANALYZE"; t1=$(now)
	printf 'VACUUM ANALYZE: %.1f s\n' "$(echo "$t1 - $t0" | bc -l)"
fi
top=$("$K" db --db "$DB" issues --limit 1 --format json | jq '.[0].id')
printf 'db issues: %s ms   db issues --format json: %s ms\n' \
	"$(best "$K" db --db "$DB" issues)" "$(best "$K" db --db "$DB" issues --format json)"
printf 'db issues --kernel K: %s ms   db issues --since T: %s ms\n' \
	"$(best "$K" db --db "$DB" issues --kernel 5.10.0-21-amd64)" \
	"$(best "$K" db --db "$DB" issues --since 2026-01-01)"
printf 'db show %s (top issue, %s crashes): %s ms (json), %s ms (text, re-analyses the representative)\n' \
	"$top" "$("$K" db --db "$DB" issues --limit 1 --format json | jq '.[0].crashes')" \
	"$(best "$K" db --db "$DB" show "$top" --format json)" "$(best "$K" db --db "$DB" show "$top")"
bytes=$(($(size) - base))
printf 'store: %d bytes above the empty store, %.0f bytes per crash\n' "$bytes" "$(echo "$bytes / $crashes" | bc -l)"
