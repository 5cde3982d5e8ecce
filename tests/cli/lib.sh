# Shared by the TAP scripts of tests/cli, sourced first thing:
#   . "$(dirname "$0")/lib.sh"
# A script is run as `NAME.sh KTRIAGE SOURCE_ROOT` (tests/cli/meson.build).
# This sets kt and src from those, makes a scratch folder $tmp that is
# removed on exit (a script that starts processes sets its own EXIT trap,
# which must remove $tmp too), and defines the TAP helpers (TAP 13:
# https://testanything.org/tap-version-13-specification.html). The script
# ends with tap_done, which prints the plan and exits 1 if a test failed.
set -u
kt=$1
src=${2:-}
tmp=$(mktemp -d)
# (a test may chmod 000 what it made: make it removable again)
trap 'chmod -R u+rwX "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
n=0
fail=0

# ok NAME / notok NAME [DETAIL...]: one test result; details as comments
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
# check NAME STATUS DETAIL: ok when STATUS (a command's $?) is 0
check() { if [ "$2" -eq 0 ]; then ok "$1"; else notok "$1" "$3"; fi; }
# skip NAME WHY
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
tap_done() { echo "1..$n"; exit $fail; }
