#!/usr/bin/env bash
# Export benchmark: fills databases of 10,000 and 100,000 complete responses
# to the study instrument and times `dyad export` (wide CSV) against
# `sqlite3 -csv` dumping the same responses table, side by side, three runs
# each, with peak memory. Sizes: DYAD_EXPORT_BENCH (default 10000,100000).
# Set DYAD_EXPORT_BENCH_DIR to keep the filled databases between runs.
#
#   scripts/bench-export.sh --engines
# compares the engines instead: the same responses in SQLite and in a
# throw-away PostgreSQL cluster (scripts/pg-test-cluster.sh), and on each
# the wide export and the statistics of every response, timed side by side
# with peak memory (TestEngineBenchmark in internal/export), at the same
# sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --engines ]; then
  DYAD_ENGINE_BENCH="${DYAD_EXPORT_BENCH:-10000,100000}" exec scripts/pg-test-cluster.sh \
    go test -count=1 -run '^TestEngineBenchmark$' -v -timeout 60m ./internal/export
fi
if ! command -v sqlite3 >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y sqlite3
  else
    echo "bench-export: needs the sqlite3 command (sudo apt-get install sqlite3)" >&2; exit 1
  fi
fi
DYAD_EXPORT_BENCH="${DYAD_EXPORT_BENCH:-10000,100000}" \
  go test -count=1 -run '^TestExportBenchmark$' -v -timeout 60m ./internal/export
