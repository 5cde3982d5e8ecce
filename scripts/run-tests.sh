#!/bin/sh
# Build ktriage in BUILDDIR (default: build) and run the whole test suite.
#   scripts/run-tests.sh [BUILDDIR [MESON-SETUP-OPTIONS...]]
# Ends with 'N passed, N failed, N skipped'; exit status 1 if anything failed.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
[ $# -gt 0 ] && shift
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$@" >"$build.setup.log" 2>&1 || { cat "$build.setup.log"; exit 1; }
	rm -f "$build.setup.log"
fi
ninja -C "$build"
# Tests print their own diagnostics into the log; failures are listed below.
meson test -C "$build" --num-processes 2 --print-errorlogs >/dev/null 2>&1 || true
python3 scripts/test-summary.py "$build" "$(basename "$build")"
