#!/usr/bin/env bash
# Submissions on each storage engine, side by side in one run on this
# machine (docs/performance.md, "PostgreSQL"):
#   sqlite  one dyad serve on a SQLite file (synchronous=FULL);
#   pg      one dyad serve on PostgreSQL;
#   pg×2    two dyad serve on one PostgreSQL database behind nginx, configured
#           from docs/deploy/nginx.conf itself (only its ports changed).
# PostgreSQL is a throw-away cluster from scripts/pg-test-cluster.sh (fsync
# and synchronous_commit on, as shipped), each setup on a database of its
# own. For each client count the three setups are measured one after the
# other with cmd/dyad-load (complete responses to the study instrument,
# closed loop), then again with wrk when it is installed (a C client: it
# takes less of the cores the servers share). Each row gives submissions/s,
# p50 and p99, errors, each server's RSS (now/peak MB), the servers' CPU
# time per submission (cpu/op) and PostgreSQL's (pg cpu/op: every process
# of the cluster, per response stored), the machine's load average, and
# the rate as a share of SQLite's at the same client count. CPU per
# submission is the figure that other work on a shared machine disturbs
# least.
#   scripts/loadtest-engines.sh [--duration 5s] [--clients 1,16,64]
# scripts/loadtest.sh --engines runs this. As root it installs what is
# missing with apt-get (postgresql, nginx, wrk). Exit status 1 if any
# request failed.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=5s
clients=1,16,64
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --duration=*) duration=${1#*=}; shift ;;
    --clients) clients=$2; shift 2 ;;
    --clients=*) clients=${1#*=}; shift ;;
    *) echo "usage: scripts/loadtest-engines.sh [--duration 5s] [--clients 1,16,64]" >&2; exit 2 ;;
  esac
done

# Debian packages, installed when missing (PostgreSQL by pg-test-cluster.sh).
need=()
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || need+=(nginx)
command -v wrk >/dev/null || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${need[*]}..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >/dev/null 2>&1 ||
      { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; }
  fi
fi
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || { echo "loadtest-engines: needs nginx (apt-get install nginx)" >&2; exit 1; }

work=$(mktemp -d)
pids=()
ngpid=
cleanup() {
  [ -z "$ngpid" ] || { kill -QUIT "$ngpid" 2>/dev/null || true; wait "$ngpid" 2>/dev/null || true; }
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pg_test_cluster_stop 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/dyad" ./cmd/dyad
go build -o "$work/dyad-load" ./cmd/dyad-load

# The cluster: started here, stopped by cleanup (which replaces the trap
# the sourced script sets).
# shellcheck source=scripts/pg-test-cluster.sh
. scripts/pg-test-cluster.sh >"$work/pg.out"
trap cleanup EXIT
pgurl() { sed "s#/dyad_test?#/$1?#" <<<"$DYAD_TEST_POSTGRES_URL"; }
pgport=$(sed -E 's#.*:([0-9]+)/.*#\1#' <<<"$DYAD_TEST_POSTGRES_URL")
psqlc() { "$PG_TEST_BINDIR/psql" -X -q -At -h 127.0.0.1 -p "$pgport" -U postgres "$@"; }
psqlc -d postgres -c "CREATE DATABASE dyad_one" -c "CREATE DATABASE dyad_two"

# Ports: a random block of five free ones (nothing answers on them), so
# that runs beside other work do not collide; a server that still cannot
# bind says so below.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 50); do
  base=$((20000 + RANDOM % 30000))
  port_free $((base + 1)) && port_free $((base + 2)) && port_free $((base + 3)) && port_free $((base + 4)) && port_free $((base + 5)) && break
done

# start NAME PORT DB [ENV...]: starts dyad serve, waits for its study
# survey's link, and sets pid and survey.
start() {
  local name=$1 port=$2 db=$3
  shift 3
  env DYAD_RATE_LIMIT=0 DYAD_KEY_FILE="$work/$name.key" "$@" \
    "$work/dyad" serve --addr "127.0.0.1:$port" --db "$db" >"$work/$name.out" 2>"$work/$name.err" &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 300); do grep -q '/s/' "$work/$name.out" 2>/dev/null && break; sleep 0.1; done
  survey=$(grep -o '/s/[a-z0-9]*' "$work/$name.out" | head -1 | cut -d/ -f3)
  [ -n "$survey" ] || { echo "$name did not start:"; cat "$work/$name.out" "$work/$name.err"; exit 1; }
}
start sqlite $((base + 1)) "$work/load.db"
sqlite_pid=$pid sqlite_survey=$survey
start pg $((base + 2)) "$(pgurl dyad_one)"
pg_pid=$pid pg_survey=$survey
# Two instances as docs/deploy.md runs them: one database, one key file.
two=(DYAD_KEY_FILE="$work/two.key" DYAD_PUBLIC_URL="http://127.0.0.1:$((base + 5))" DYAD_TRUSTED_PROXIES=127.0.0.1)
start pg2a $((base + 3)) "$(pgurl dyad_two)" "${two[@]}"
pg2a_pid=$pid pg2_survey=$survey
start pg2b $((base + 4)) "$(pgurl dyad_two)" "${two[@]}"
pg2b_pid=$pid
[ "$survey" = "$pg2_survey" ] || { echo "the two instances seeded different surveys"; exit 1; }

# nginx with the deployment example's site, ports substituted.
mkdir -p "$work/nginx"
sed -e "s/127.0.0.1:8081/127.0.0.1:$((base + 3))/" -e "s/127.0.0.1:8082/127.0.0.1:$((base + 4))/" \
  -e "s/listen 80;/listen 127.0.0.1:$((base + 5));/" docs/deploy/nginx.conf >"$work/nginx/dyad.conf"
grep -q "127.0.0.1:$((base + 4))" "$work/nginx/dyad.conf" || { echo "docs/deploy/nginx.conf no longer has its example ports"; exit 1; }
user=
[ "$(id -u)" != 0 ] || user="user root root;" # workers would run as nobody, who cannot write in the prefix
cat >"$work/nginx/nginx.conf" <<CONF
$user
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    include $work/nginx/dyad.conf;
}
CONF
"$nginx" -p "$work/nginx" -c "$work/nginx/nginx.conf" -g "daemon off;" >"$work/nginx/out" 2>&1 &
ngpid=$!
for _ in $(seq 100); do "$work/dyad" health --url "http://127.0.0.1:$((base + 5))" >/dev/null 2>&1 && break; sleep 0.1; done
"$work/dyad" health --url "http://127.0.0.1:$((base + 5))" >/dev/null ||
  { echo "nginx did not start:"; cat "$work/nginx/out" "$work/nginx/error.log"; exit 1; }

setups=(sqlite pg pg×2)
target() {
  case $1 in
    sqlite) echo "http://127.0.0.1:$((base + 1)) $sqlite_survey $sqlite_pid" ;;
    pg) echo "http://127.0.0.1:$((base + 2)) $pg_survey $pg_pid" ;;
    pg×2) echo "http://127.0.0.1:$((base + 5)) $pg2_survey $pg2a_pid,$pg2b_pid" ;;
  esac
}
rss() {
  local out=() p
  for p in ${1//,/ }; do
    out+=("$(awk '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {printf "%d/%d", r/1024, h/1024}' "/proc/$p/status")")
  done
  local IFS=+
  echo "${out[*]}"
}
load() { cut -d' ' -f1 /proc/loadavg; }
# pgcpu: CPU seconds the PostgreSQL cluster has used so far: the
# postmaster with its exited children, and the live ones (the backends of
# each instance's connections, the WAL writer, the checkpointer).
pgcpu() {
  local pm
  pm=$(head -1 "$PG_TEST_DIR/data/postmaster.pid")
  { awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat"
    for c in $(ps --ppid "$pm" -o pid=); do awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null || true; done
  } | awk '{s += $1} END {print s / 100}'
}
# stored SETUP: responses stored so far by a setup.
stored() {
  case $1 in
    sqlite) sqlite3 "$work/load.db" 'select count(*) from responses' ;;
    pg) psqlc -d dyad_one -c 'select count(*) from responses' ;;
    pg×2) psqlc -d dyad_two -c 'select count(*) from responses' ;;
  esac
}
# measure SETUP COMMAND...: runs the command (a load client) and sets
# dbcpu to PostgreSQL's CPU time per response it stored meanwhile.
measure() {
  local s=$1 n0 n1 c0 c1
  shift
  n0=$(stored "$s") c0=$(pgcpu)
  out=$("$@" || true)
  c1=$(pgcpu) n1=$(stored "$s")
  dbcpu=
  [ "$s" = sqlite ] || dbcpu=$(awk -v a="$c0" -v b="$c1" -v n=$((n1 - n0)) 'BEGIN {if (n > 0) printf "%dµs", (b - a) * 1e6 / n}')
}

pgversion=$("$PG_TEST_BINDIR/postgres" --version | awk '{print $3}')
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/^Mem/ {print $2}') GiB," \
  "$(go version | cut -d' ' -f3), PostgreSQL $pgversion (fsync=$(psqlc -d postgres -c 'SHOW fsync'), synchronous_commit=$(psqlc -d postgres -c 'SHOW synchronous_commit')), $("$nginx" -v 2>&1 | cut -d: -f2 | xargs)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $duration per measurement"
status=0
header() { printf '%-8s %-7s %-7s %9s %10s %10s %7s %-17s %9s %9s %5s  %s\n' clients client setup req/s p50 p99 errors "rss MB" cpu/op "pg cpu/op" load "vs sqlite"; }
row() { # clients client setup rate p50 p99 errors rss cpu dbcpu
  local ratio=
  [ "$3" = sqlite ] && sqlite_rate=$4 ||
    ratio=$(awk -v a="$4" -v b="$sqlite_rate" 'BEGIN {if (b > 0) printf "%.0f %%", 100 * a / b}')
  [ "$7" = 0 ] || status=1
  printf '%-8s %-7s %-7s %9.0f %10s %10s %7s %-17s %9s %9s %5s  %s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" "${10}" "$(load)" "$ratio"
}

echo
echo "cmd/dyad-load (Go, closed loop):"
header
IFS=, read -ra counts <<<"$clients"
for c in "${counts[@]}"; do
  for s in "${setups[@]}"; do
    read -r url sv p <<<"$(target "$s")"
    measure "$s" "$work/dyad-load" --target "$url" --survey "$sv" --paths submit --clients "$c" --duration "$duration" --pid "$p"
    line=$(awk -v c="$c" '$1 == c && $2 == "submit"' <<<"$out")
    [ -n "$line" ] || { echo "dyad-load gave no result for $s:"; echo "$out"; status=1; continue; }
    read -r _ _ rate p50 p99 errors _ cpu _ <<<"$line"
    row "$c" go "$s" "$rate" "$p50" "$p99" "$errors" "$(rss "$p")" "$cpu" "$dbcpu"
  done
done

if command -v wrk >/dev/null; then
  "$work/dyad-load" --write-bodies "$work/bodies"
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
  echo "wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}') (C), the same bodies:"
  header
  for c in "${counts[@]}"; do
    for s in "${setups[@]}"; do
      read -r url sv p <<<"$(target "$s")"
      cpu0=$(for q in ${p//,/ }; do awk '{print $14 + $15}' "/proc/$q/stat"; done | awk '{s += $1} END {print s}')
      measure "$s" wrk -t"$((c < 2 ? c : 2))" -c"$c" -d"$duration" --latency -s "$work/post.lua" \
        "$url/api/v1/public/surveys/$sv/responses" -- "$work/bodies"
      cpu1=$(for q in ${p//,/ }; do awk '{print $14 + $15}' "/proc/$q/stat"; done | awk '{s += $1} END {print s}')
      rate=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
      total=$(awk '/requests in/ {print $1}' <<<"$out")
      p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
      p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
      errors=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' <<<"$out")
      cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v n="$total" 'BEGIN {if (n > 0) printf "%dµs", (b - a) * 10000 / n}')
      row "$c" wrk "$s" "$rate" "$p50" "$p99" "$errors" "$(rss "$p")" "$cpu" "$dbcpu"
    done
  done
else
  echo
  echo "wrk not installed (apt-get install wrk): measured with the Go client only"
fi

echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "responses stored: sqlite $(sqlite3 "$work/load.db" 'select count(*) from responses' 2>/dev/null || echo '?')," \
  "pg $(psqlc -d dyad_one -c 'select count(*) from responses'), pg×2 $(psqlc -d dyad_two -c 'select count(*) from responses')"
grep -h -i 'panic\|level=ERROR' "$work"/*.err | head -5 || true
exit "$status"
