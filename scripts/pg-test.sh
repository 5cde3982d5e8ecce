#!/bin/sh
# Run a command against a throw-away PostgreSQL server:
#   scripts/pg-test.sh run CMD [ARGS...]
# initdb + pg_ctl in a temporary directory, as an unprivileged user when run
# as root (user 'nobody'), listening only on a Unix socket in that directory
# (no TCP: listen_addresses=''). The command gets KTRIAGE_TEST_PG_URL, a libpq
# URI for database 'ktriage'; the server is stopped and the directory removed
# afterwards, whatever the command's status (which is returned).
# Exit 77 (skipped, for meson) when no PostgreSQL server binaries are found,
# unless KT_REQUIRE_PG=1 (CI), then 1.
set -u

PGBIN=${PGBIN:-}
if [ -z "$PGBIN" ]; then
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && PGBIN=$d
	done
fi
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
	echo "pg-test: no PostgreSQL server binaries (initdb) found" >&2
	[ "${KT_REQUIRE_PG:-0}" = 1 ] && exit 1
	exit 77
fi
[ "${1:-}" = run ] || { echo "usage: pg-test.sh run CMD [ARGS...]" >&2; exit 2; }
shift

dir=$(mktemp -d "${TMPDIR:-/tmp}/ktriage-pg.XXXXXX") || exit 1
as_user() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
	chown nobody "$dir"
	as_user() { runuser -u nobody -- "$@"; }
fi
chmod 0755 "$dir"

cleanup() {
	as_user "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

as_user "$PGBIN/initdb" -D "$dir/data" -U ktriage --auth=trust -E UTF8 --no-sync \
	>"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
as_user "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	-o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c max_connections=40" \
	start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
as_user "$PGBIN/createdb" -h "$dir" -U ktriage ktriage || exit 1

KTRIAGE_TEST_PG_URL="postgresql://ktriage@/ktriage?host=$dir"
export KTRIAGE_TEST_PG_URL
"$@"
