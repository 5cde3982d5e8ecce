#!/bin/sh
# Run every libFuzzer target built in BUILDDIR (configured with clang and
# -Dfuzz=true -Db_lundef=false) for a short time from its seeds. Exit 1 on
# any crash. The whole fuzz build is instrumented (coverage, ASan+UBSan).
#   scripts/fuzz-smoke.sh BUILDDIR [SECONDS-PER-TARGET]
set -u
cd "$(dirname "$0")/.."
build=$1
secs=${2:-20}
rc=0
for bin in "$build"/tests/fuzz/fuzz_*; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	name=$(basename "$bin" | sed 's/^fuzz_//')
	work=$(mktemp -d)
	[ -d "tests/fuzz/seeds/$name" ] && cp -r "tests/fuzz/seeds/$name/." "$work/" 2>/dev/null
	if "$bin" -max_total_time="$secs" -print_final_stats=1 -max_len=65536 -rss_limit_mb=2048 \
		-artifact_prefix="$work/" "$work" >"$work.log" 2>&1; then
		echo "fuzz $name: ok ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$work.log" | grep -o '[0-9]*$') runs)"
	else
		echo "fuzz $name: FAILED"; tail -n 40 "$work.log"; rc=1
	fi
	rm -rf "$work" "$work.log"
done
exit $rc
