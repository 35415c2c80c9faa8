#!/usr/bin/env bash
# Measures Dyad's two respondent paths against their ceilings, in one run on
# this machine (see docs/performance.md): API submissions against a route
# that discards the same bodies, and web-form journeys (welcome page, Start,
# every section, thank-you page) against the same pages replayed by a
# handler that does nothing; with the server's resident memory.
#   scripts/loadtest.sh [dyad-load flags, e.g. --duration 10s --clients 1,16,64]
# --rounds 3 measures the paths three times over, in turn, and reports the
# median of each ratio (the Go client's; wrk measures once): on a shared
# machine one pair of measurements can land several points either way.
# The API's ceiling is also measured with wrk (a C client, cheaper than the
# Go one, so its ceiling is higher and its ratio the stricter one): at the
# client counts of DYAD_WRK_CLIENTS (1,16,64), DYAD_WRK_DURATION (5s) each.
# Run as root, the script installs Debian's wrk with apt-get when missing;
# without wrk that part is skipped.
# With DYAD_PROFILE_DIR set, a CPU profile of the server is saved there
# during each measurement (go tool pprof -top the-server FILE reads it;
# the server binary is kept there as dyad).
# It builds the server with -tags loadtest (which adds the discard and
# replay routes), starts it on a fresh temporary database with rate
# limiting off, runs cmd/dyad-load, and stops the server.
#   scripts/loadtest.sh --engines [--duration 5s] [--clients 1,16,64]
# compares the storage engines instead (scripts/loadtest-engines.sh):
# submissions on SQLite, on PostgreSQL, and on two instances behind nginx
# on one PostgreSQL, side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --engines ]; then
  shift
  exec scripts/loadtest-engines.sh "$@"
fi
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
status=0
profile=()
if [ -n "${DYAD_PROFILE_DIR:-}" ]; then
  mkdir -p "$DYAD_PROFILE_DIR"
  cp "$work/dyad" "$DYAD_PROFILE_DIR/dyad"
  profile=(--profile "$DYAD_PROFILE_DIR")
fi
"$work/dyad-load" --target "http://127.0.0.1:$port" --survey "$survey" --pid "$pid" "${profile[@]}" "$@" || status=$?

rss() { awk '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {printf "%d/%d", r/1024, h/1024}' "/proc/$pid/status"; }
if ! command -v wrk >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo
  echo "installing wrk..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >/dev/null 2>&1 ||
    { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >/dev/null 2>&1; } || true
fi
if command -v wrk >/dev/null; then
  "$work/dyad-load" --write-bodies "$work/bodies"
  # Each connection cycles through the same bodies as the Go client.
  cat >"$work/post.lua" <<'LUA'
local bodies, i = {}, 0
function init(args)
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
  i = math.random(#bodies)
end
function request()
  i = i % #bodies + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, bodies[i])
end
LUA
  echo
  echo "wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), API submissions against the discard ceiling, ${DYAD_WRK_DURATION:-5s} per measurement"
  printf '%-8s %-8s %10s %9s %9s %7s %9s  %s\n' clients path req/s p50 p99 errors "rss MB" "vs ceiling"
  IFS=, read -ra counts <<<"${DYAD_WRK_CLIENTS:-1,16,64}"
  for c in "${counts[@]}"; do
    ceiling=
    for path in discard responses; do
      out=$(wrk -t"$((c < 2 ? c : 2))" -c"$c" -d"${DYAD_WRK_DURATION:-5s}" --latency -s "$work/post.lua" \
        "http://127.0.0.1:$port/api/v1/public/surveys/$survey/$path" -- "$work/bodies")
      rate=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
      p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
      p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
      errors=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' <<<"$out")
      name=ceiling ratio=
      if [ "$path" = responses ]; then
        name=submit
        ratio=$(awk -v a="$rate" -v b="$ceiling" 'BEGIN {if (b > 0) printf "%.0f %%", 100 * a / b}')
      else
        ceiling=$rate
      fi
      [ "$errors" = 0 ] || status=1
      printf '%-8s %-8s %10.0f %9s %9s %7s %9s  %s\n' "$c" "$name" "$rate" "$p50" "$p99" "$errors" "$(rss)" "$ratio"
    done
  done
else
  echo
  echo "wrk not installed (apt-get install wrk): the wrk ceiling was not measured"
fi
echo
echo "responses stored (API and web): $(sqlite3 "$work/load.db" "select count(*) || ' (' || sum(status = 'complete') || ' complete, ' || sum(status = 'in_progress') || ' in progress)' from responses" 2>/dev/null || echo '(sqlite3 not installed)')"
exit "$status"
