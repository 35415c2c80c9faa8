#!/usr/bin/env bash
# Measures Dyad's two respondent paths against their ceilings, in one run on
# this machine (see docs/performance.md): API submissions against a route
# that discards the same bodies, and web-form journeys (welcome page, Start,
# every section, thank-you page) against the same pages replayed by a
# handler that does nothing; with the server's resident memory.
#   scripts/loadtest.sh [dyad-load flags, e.g. --duration 10s --clients 1,16,64]
# It builds the server with -tags loadtest (which adds the discard and
# replay routes), starts it on a fresh temporary database with rate
# limiting off, runs cmd/dyad-load, and stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -tags loadtest -o "$work/dyad" ./cmd/dyad
go build -o "$work/dyad-load" ./cmd/dyad-load
port=${DYAD_LOAD_PORT:-18181}
DYAD_RATE_LIMIT=0 "$work/dyad" serve --addr "127.0.0.1:$port" --db "$work/load.db" >"$work/out" 2>/dev/null &
pid=$!
for _ in $(seq 100); do grep -q '/s/' "$work/out" 2>/dev/null && break; sleep 0.1; done
survey=$(grep -o '/s/[a-z0-9]*' "$work/out" | head -1 | cut -d/ -f3)
[ -n "$survey" ] || { echo "server did not start"; cat "$work/out"; exit 1; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(go version | cut -d' ' -f3)"
"$work/dyad-load" --target "http://127.0.0.1:$port" --survey "$survey" --pid "$pid" "$@"
echo
echo "responses stored: $(sqlite3 "$work/load.db" "select count(*) || ' (' || sum(status = 'complete') || ' complete, ' || sum(status = 'in_progress') || ' in progress)' from responses" 2>/dev/null || echo '(sqlite3 not installed)')"
