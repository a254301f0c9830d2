#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster that listens only on a Unix socket, and print the
# SQLAlchemy URL of its `postgres` database. Used by .ci/run; handy for running the
# PostgreSQL tests locally:
#   export TRACKER_TEST_POSTGRES="$(scripts/postgres-cluster.sh)" && make test
# Needs Debian's postgresql package. Stop it with: scripts/postgres-cluster.sh stop
set -euo pipefail
dir="${TRACKER_PG_DIR:-/tmp/tracker-pg}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$bin" ]; then
  echo "error: PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi
# PostgreSQL refuses to run as root: run it as the postgres user when we are root.
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ "${1:-}" = "stop" ]; then
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null
  exit 0
fi
if [ ! -d "$dir/data" ]; then
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log"
fi
if ! as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-k $dir -c listen_addresses='' -c fsync=off -c max_connections=200" start >/dev/null
fi
echo "postgresql+psycopg://postgres@/postgres?host=$dir"
