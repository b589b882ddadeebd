#!/usr/bin/env bash
# The pipeline board under load, rerunnable: builds the release binary, starts a private
# PostgreSQL cluster in a temp dir, seeds a team (`secondcall dev seed`), gives it 300 open job
# orders with 2,000 applications in their active stages, then with wrk (16 connections):
#   (a) GET /board, unfiltered, as a signed-in recruiter;
#   (b) POST /applications/{id}/move, each request moving a card to the next stage in turn;
#   (c) GET /healthz, in the same run, as the reference.
#   BENCH_DURATION=20s   each wrk run
#   BENCH_NO_BUILD=1     use the existing target/release/secondcall
#   BENCH_BIN=path       use that binary instead (implies no build), e.g. an older one to compare
#   BENCH_DATA=dir       keep the seeded cluster in dir and reuse it on the next run (the seed
#                        takes minutes; the moves of earlier runs stay in the data)
set -euo pipefail

DURATION=${BENCH_DURATION:-20s}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PASSWORD=secondcall-bench
USER_EMAIL=recruiter001@bench.test
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BIN=${BENCH_BIN:-$ROOT/target/release/secondcall}
log() { printf '\n== %s\n' "$*" >&2; }

command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; }
[ -n "${BENCH_NO_BUILD:-}${BENCH_BIN:-}" ] || { log "cargo build --release"; cargo build --release --locked; }

if [ -n "${BENCH_DATA:-}" ]; then
    WORK=$BENCH_DATA
    mkdir -p "$WORK"
else
    WORK=$(mktemp -d /tmp/secondcall-board-bench.XXXXXX)
fi
chmod 755 "$WORK"
as_pg() { if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$WORK"; runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
    as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -m fast -w stop >/dev/null 2>&1 || true
    [ -n "${BENCH_DATA:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

log "PostgreSQL cluster in $WORK"
SEEDED=
[ -f "$WORK/seeded" ] && [ -d "$WORK/pg" ] && SEEDED=1
[ -n "$SEEDED" ] || { rm -rf "$WORK/pg"; as_pg "$PGBIN/initdb" -D "$WORK/pg" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null; }
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/server.log" -w -o "-k $WORK/pg -c listen_addresses='' -c shared_buffers=512MB -c max_connections=200" start >/dev/null
export DATABASE_URL="postgres://postgres@localhost/postgres?host=$WORK/pg"

"$BIN" migrate
if [ -z "$SEEDED" ]; then
    log "seed: a team of 20 recruiters"
    "$BIN" dev seed --recruiters 20 --decision-makers 8000 --candidates 20000 --touches 200000 --seed 7 >&2
    TEAM=$(psql "$DATABASE_URL" -Atc "select team_id from users where email = '$USER_EMAIL'")
    log "300 open job orders, 2,000 applications in active stages"
    psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 <<SQL
insert into job_orders (team_id, company_id, owner_id, title, status)
select $TEAM, co.id, (select id from users where team_id = $TEAM order by id limit 1), 'Engineer ' || row_number() over (), 'open'
from (select id from companies where team_id = $TEAM order by id limit 300) co;
with jobs as (select id, row_number() over (order by id) - 1 as n from job_orders where team_id = $TEAM),
     cands as (select id, row_number() over (order by id) - 1 as n from candidates where team_id = $TEAM order by id limit 2000),
     stages as (select array['sourced','contacted','screening','presented','interviewing','offer'] as s)
insert into applications (team_id, job_order_id, candidate_id, stage, stage_changed_at)
select $TEAM, j.id, c.id, (select s[1 + (c.n % 6)::int] from stages), now() - (c.n % 30) * interval '1 day'
from cands c join jobs j on j.n = c.n % 300;
insert into application_stage_changes (team_id, application_id, from_stage, to_stage, changed_at)
select team_id, id, null, stage, stage_changed_at from applications where team_id = $TEAM;
analyze;
SQL
    touch "$WORK/seeded"
fi
psql "$DATABASE_URL" -Atc "select count(*) || ' open jobs' from job_orders where status = 'open'; select count(*) || ' applications' from applications" >&2

PORT=18181
BIND=127.0.0.1:$PORT NIGHTLY=false API_RATE_PER_SECOND=0 RUST_LOG=warn "$BIN" serve &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
JAR=$WORK/cookies
curl -fs -c "$JAR" -b "$JAR" -o /dev/null "http://127.0.0.1:$PORT/login"
curl -fs -c "$JAR" -b "$JAR" -o /dev/null -d "email=$USER_EMAIL&password=$PASSWORD" "http://127.0.0.1:$PORT/login"
COOKIE=$(awk '$6 == "secondcall_session" { print $6 "=" $7 }' "$JAR")
[ -n "$COOKIE" ] || { echo "login failed" >&2; exit 1; }
BYTES=$(curl -fs -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/board" | wc -c)
log "the unfiltered board is $BYTES bytes"

IDS=$(psql "$DATABASE_URL" -Atc "select string_agg(id::text, ',') from (select id from applications order by id limit 500) a")
cat > "$WORK/move.lua" <<LUA
-- wrk runs one Lua state a thread: each of the two threads takes every second id, so no two
-- connections ever move the same card at once (that would measure row-lock waits and no-ops).
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
local ids = {}
for id in string.gmatch("$IDS", "%d+") do ids[#ids + 1] = id end
local stages = {"contacted", "screening", "presented", "interviewing", "offer", "sourced"}
local n = 0
request = function()
  n = n + 1
  local id = ids[((2 * n + tid) % #ids) + 1]
  local stage = stages[(math.floor(2 * n / #ids) % #stages) + 1]
  return wrk.format("POST", "/applications/" .. id .. "/move",
    {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = "$COOKIE"},
    "stage=" .. stage .. "&return_to=/board")
end
LUA

summary() { awk '/Requests\/sec/ { rps = $2 } / 50%/ { p50 = $2 } / 99%/ { p99 = $2 } /Non-2xx/ { bad = $NF }
  END { printf "%s req/s, p50 %s, p99 %s%s\n", rps, p50, p99, (bad ? ", non-2xx/3xx " bad : "") }'; }
log "wrk -t2 -c16 -d$DURATION GET /board"
printf 'board  : '; wrk -t2 -c16 -d"$DURATION" --latency -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/board" | summary
log "wrk -t2 -c16 -d$DURATION POST /applications/{id}/move"
printf 'move   : '; wrk -t2 -c16 -d"$DURATION" --latency -s "$WORK/move.lua" "http://127.0.0.1:$PORT" | summary
log "wrk -t2 -c16 -d$DURATION GET /healthz"
printf 'healthz: '; wrk -t2 -c16 -d"$DURATION" --latency "http://127.0.0.1:$PORT/healthz" | summary
psql "$DATABASE_URL" -Atc "select count(*) || ' moves recorded' from application_stage_changes where from_stage is not null" >&2
