#!/bin/sh
# `scan -j N`: a plain log file big enough to be cut into byte ranges (one
# thread each) gives byte for byte the output and exit status of -j 1, as
# text and as JSON Lines; standard input and bad -j values too.
# Usage: scan-jobs.sh KTRIAGE SOURCE_ROOT   (bench/gen_log from KT_BUILD_ROOT)
. "$(dirname "$0")/lib.sh"
gen="${KT_BUILD_ROOT:-}/bench/gen_log"
if [ ! -x "$gen" ]; then
	echo "1..0 # SKIP bench/gen_log not built"
	exit 0
fi
# 40 MB: more than two 16 MiB ranges; frequent crashes so reports lie
# across range boundaries.
"$gen" --size 40M --crash-every 32k --seed 5 --style mixed -o "$tmp/big.log" 2>/dev/null
"$gen" --size 36M --crash-every 20M --seed 6 --style syslog -o "$tmp/rare.log" 2>/dev/null
for log in big rare; do
	for fmt in text jsonl; do
		"$kt" scan --no-progress -j 1 --format $fmt "$tmp/$log.log" >"$tmp/one" 2>&1; rc1=$?
		for j in 2 3 4; do
			"$kt" scan --no-progress -j $j --format $fmt "$tmp/$log.log" >"$tmp/par" 2>&1; rc=$?
			if cmp -s "$tmp/one" "$tmp/par" && [ $rc -eq $rc1 ] && [ $rc1 -eq 1 ]; then
				ok "$log $fmt -j $j equals -j 1 ($(wc -l < "$tmp/one") crashes)"
			else
				notok "$log $fmt -j $j differs from -j 1 (exit $rc vs $rc1)"
				diff "$tmp/one" "$tmp/par" | head -5 | sed 's/^/# /'
			fi
		done
	done
done
"$kt" scan --no-progress -j 1 "$tmp/big.log" >"$tmp/one" 2>&1
"$kt" scan --no-progress -j 4 - <"$tmp/big.log" >"$tmp/par" 2>&1
sed 's/^[^:]*:/X:/' "$tmp/one" >"$tmp/one.x"
sed 's/^[^:]*:/X:/' "$tmp/par" >"$tmp/par.x"
if cmp -s "$tmp/one.x" "$tmp/par.x"; then ok "standard input -j 4 equals the file -j 1"; else notok "standard input -j 4"; fi
for bad in 0 -1 x 65 ''; do
	"$kt" scan -j "$bad" "$tmp/big.log" >/dev/null 2>&1
	if [ $? -eq 2 ]; then ok "-j '$bad' is a usage error"; else notok "-j '$bad' is a usage error"; fi
done
if "$kt" scan --help | grep -q -- '--jobs'; then ok "--help tells -j"; else notok "--help tells -j"; fi
tap_done
