#!/usr/bin/env bash
# The whole test suite (`make test`), on SQLite and on PostgreSQL. The server is the one named by
# TRACKER_TEST_POSTGRES when it is set; otherwise a throwaway cluster (scripts/postgres-cluster.sh)
# started here and stopped when this script ends. Without PostgreSQL's binaries, SQLite only.
# Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
pytest=(.venv/bin/pytest -n auto "$@")

if [ -z "${TRACKER_TEST_POSTGRES:-}" ]; then
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "PostgreSQL tests skipped: PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; apt-get install postgresql)"
    exec "${pytest[@]}" -m "not postgresql"
  fi
  TRACKER_PG_DIR="$(mktemp -d /tmp/tracker-test-pg.XXXXXX)"
  export TRACKER_PG_DIR
  trap 'scripts/postgres-cluster.sh stop || true; rm -rf "$TRACKER_PG_DIR"' EXIT
  TRACKER_TEST_POSTGRES="$(scripts/postgres-cluster.sh)"
  export TRACKER_TEST_POSTGRES
fi
"${pytest[@]}"
