#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for Dyad's PostgreSQL tests.
#
# Run a command with a cluster up, then gone:
#   scripts/pg-test-cluster.sh go test -race -count=1 ./internal/store/postgres/
# or source it into a shell (scripts/test.sh does) to keep it until that
# shell exits:
#   . scripts/pg-test-cluster.sh
#
# Either way it installs Debian's postgresql package when it is missing
# (as root; otherwise it says how), runs initdb in a new temporary folder,
# starts the server on 127.0.0.1 on a free port (as the postgres user when
# run as root: the server refuses to run as root), creates the database
# dyad_test, exports
#   DYAD_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:PORT/dyad_test?sslmode=disable
# and stops the server and deletes the folder on exit (a trap). The tests
# create a database of their own for each test from that URL, so they can
# run in parallel. The cluster trusts local connections without a password:
# it listens on 127.0.0.1 only and lives as long as the tests.

pg_test_cluster_start() {
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql || return 1
      bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    else
      echo "PostgreSQL is missing: sudo apt-get install postgresql (the PostgreSQL tests skip without it, outside CI)" >&2
      return 1
    fi
  fi

  local as=()
  PG_TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dyad-pg.XXXXXX")
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$PG_TEST_DIR"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bindir/initdb" -D "$PG_TEST_DIR/data" -U postgres --auth=trust -E UTF8 --no-locale >"$PG_TEST_DIR/initdb.log" 2>&1 \
    || { cat "$PG_TEST_DIR/initdb.log" >&2; return 1; }

  # A free port: pick one at random and let the server's own bind decide;
  # another process may take it between a check and the start, so retry.
  local port tries=0
  while :; do
    port=$((20000 + RANDOM % 40000))
    if "${as[@]}" "$bindir/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_TEST_DIR -c max_connections=300 -c fsync=on" start >/dev/null; then
      break
    fi
    tries=$((tries + 1))
    if [ "$tries" -ge 5 ]; then
      cat "$PG_TEST_DIR/server.log" >&2
      return 1
    fi
  done
  PG_TEST_BINDIR=$bindir
  PG_TEST_AS=("${as[@]}")
  "$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "CREATE DATABASE dyad_test" >/dev/null || return 1
  export DYAD_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/dyad_test?sslmode=disable"
  echo "PostgreSQL test cluster on 127.0.0.1:$port ($PG_TEST_DIR): DYAD_TEST_POSTGRES_URL=$DYAD_TEST_POSTGRES_URL"
}

pg_test_cluster_stop() {
  if [ -n "${PG_TEST_DIR:-}" ] && [ -d "$PG_TEST_DIR" ]; then
    "${PG_TEST_AS[@]}" "$PG_TEST_BINDIR/pg_ctl" -D "$PG_TEST_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_TEST_DIR"
  fi
  unset DYAD_TEST_POSTGRES_URL PG_TEST_DIR
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  # Sourced: start now, stop when the sourcing shell exits.
  pg_test_cluster_start || return 1
  trap pg_test_cluster_stop EXIT
else
  set -euo pipefail
  pg_test_cluster_start
  trap pg_test_cluster_stop EXIT
  if [ $# -gt 0 ]; then
    "$@"
  else
    echo "Cluster up; press Ctrl-C (or send SIGTERM) to stop it."
    # Wait in the background so that a signal is handled at once.
    trap 'kill "$sleeper" 2>/dev/null; exit 0' INT TERM
    while :; do
      sleep 3600 &
      sleeper=$!
      wait "$sleeper"
    done
  fi
fi
