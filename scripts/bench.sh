#!/usr/bin/env bash
# Secondcall benchmarks, rerunnable: builds the release binary, starts a private PostgreSQL 15
# cluster in a temp dir, and measures
#   (a) `secondcall rebuild-due` on teams seeded at 1/4, 1/2 and the full size (one database each,
#       two runs each: the first opens the due-item history, the second is the nightly steady state);
#   (b) `secondcall serve` under wrk (-t2 -c64 -d20s): /today as a logged-in recruiter who owns about
#       5,000 contacts and 50,000 touches (plain and gzip), and /healthz, in the same run; then
#       /today again with PAGE_CACHE_MB=0, every request rendered (the first load after a write);
#   (c) pgbench (64 clients, same duration): the two queries of that recruiter's stored list that a
#       Today page reads (the kept counts by reason, the first page of 100 items in list order,
#       each with what its row shows of its contact).
#
#   BENCH_SCALE=full|small   full: 200 recruiters, 400k DMs, 600k candidates, 10M touches (default)
#                            small: a tenth of that (20 recruiters, 40k, 60k, 1M): a quick run
#   BENCH_SEED=42            the dataset's random seed
#   BENCH_SHARED_BUFFERS=2GB PostgreSQL shared_buffers (every other setting is the default)
#   BENCH_DURATION=20s       each wrk run
#   BENCH_NO_BUILD=1         use the existing target/release/secondcall
#   BENCH_KEEP=1             keep the cluster and its data afterwards (prints where)
#
# Everything lives under one mktemp dir in /tmp and is removed at the end (also on failure or ^C).
set -euo pipefail

SCALE=${BENCH_SCALE:-full}
SEED=${BENCH_SEED:-42}
SHARED_BUFFERS=${BENCH_SHARED_BUFFERS:-2GB}
DURATION=${BENCH_DURATION:-20s}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PASSWORD=secondcall-bench
USER_EMAIL=recruiter001@bench.test

case "$SCALE" in
full) RECRUITERS=200 DMS=400000 CANDIDATES=600000 TOUCHES=10000000 ;;
small) RECRUITERS=20 DMS=40000 CANDIDATES=60000 TOUCHES=1000000 ;;
*)
    echo "BENCH_SCALE must be full or small" >&2
    exit 2
    ;;
esac

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/secondcall
log() { printf '\n== %s\n' "$*" >&2; }

# --- tools -----------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
    log "installing wrk"
    if [ "$(id -u)" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >/dev/null ||
            { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >/dev/null; }
    else
        sudo apt-get install -y wrk >/dev/null
    fi
fi
for tool in curl psql "$PGBIN/initdb" "$PGBIN/pg_ctl"; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 2; }
done

if [ -z "${BENCH_NO_BUILD:-}" ]; then
    log "cargo build --release"
    cargo build --release --locked
fi
[ -x "$BIN" ] || { echo "no $BIN (unset BENCH_NO_BUILD)" >&2; exit 2; }

# --- private PostgreSQL cluster --------------------------------------------------------------
WORK=$(mktemp -d /tmp/secondcall-bench.XXXXXX)
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres: "$WORK"
free_port() { /usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
PGPORT=$(free_port)
SERVER_PID=

cleanup() {
    set +e
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    if [ -n "${BENCH_KEEP:-}" ]; then
        echo "kept: cluster $WORK/data on port $PGPORT (stop: pg_ctl -D $WORK/data stop)" >&2
        return
    fi
    [ -f "$WORK/data/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

log "PostgreSQL cluster in $WORK (port $PGPORT, shared_buffers=$SHARED_BUFFERS)"
as_pg "$PGBIN/initdb" -D "$WORK/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w -o \
    "-k $WORK -c listen_addresses=127.0.0.1 -p $PGPORT -c shared_buffers=$SHARED_BUFFERS" start >/dev/null
ADMIN_URL=postgres://postgres@127.0.0.1:$PGPORT/postgres
db_url() { echo "postgres://postgres@127.0.0.1:$PGPORT/$1"; }

now() { date +%s.%N; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
since() { echo "$(now) $1" | awk '{printf "%.1f", $1 - $2}'; }

# --- (a) rebuild-due at 1/4, 1/2, full -------------------------------------------------------
declare -A SEED_S FIRST_LINE SECOND_LINE
run_size() { # name divisor
    local name=$1 div=$2 url
    url=$(db_url "bench_$name")
    psql -q "$ADMIN_URL" -c "create database bench_$name" >/dev/null
    log "seed $name: --recruiters $((RECRUITERS / div)) --decision-makers $((DMS / div)) --candidates $((CANDIDATES / div)) --touches $((TOUCHES / div)) --seed $SEED"
    local t0
    t0=$(now)
    DATABASE_URL=$url RUST_LOG=error "$BIN" dev seed --recruiters $((RECRUITERS / div)) --decision-makers $((DMS / div)) \
        --candidates $((CANDIDATES / div)) --touches $((TOUCHES / div)) --seed "$SEED" >&2
    SEED_S[$name]=$(since "$t0")
    log "rebuild-due $name (twice)"
    FIRST_LINE[$name]="$(DATABASE_URL=$url RUST_LOG=error "$BIN" rebuild-due) (load $(load))"
    echo "${FIRST_LINE[$name]}" >&2
    SECOND_LINE[$name]="$(DATABASE_URL=$url RUST_LOG=error "$BIN" rebuild-due) (load $(load))"
    echo "${SECOND_LINE[$name]}" >&2
}
drop_db() { psql -q "$ADMIN_URL" -c "drop database bench_$1" >/dev/null; }

run_size quarter 4
drop_db quarter
run_size half 2
drop_db half
run_size full 1
FULL_URL=$(db_url bench_full)

REASONS=$(psql -At -F ' ' "$FULL_URL" -c \
    "select reason, count(*) from due_items group by reason, reason_rank order by reason_rank" | paste -sd, -)
OWNED=$(psql -At -F ' ' "$FULL_URL" -c "
    with u as (select id from users where email = '$USER_EMAIL'),
         d as (select id from decision_makers where owner_id = (select id from u)),
         c as (select id from candidates where owner_id = (select id from u))
    select (select count(*) from d) + (select count(*) from c),
           (select count(*) from touches where decision_maker_id in (select id from d))
         + (select count(*) from touches where candidate_id in (select id from c)),
           (select count(*) from due_items where user_id = (select id from u))")

# --- (b) the pages under wrk ------------------------------------------------------------------
APP_PORT=$(free_port)
BASE=http://127.0.0.1:$APP_PORT
log "secondcall serve on $BASE"
DATABASE_URL=$FULL_URL BIND=127.0.0.1:$APP_PORT NIGHTLY=false API_RATE_PER_SECOND=0 RUST_LOG=warn "$BIN" serve \
    >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fsS "$BASE/healthz" >/dev/null

JAR=$WORK/cookies.txt
curl -fsS -c "$JAR" -b "$JAR" -o /dev/null "$BASE/login"
STATUS=$(curl -sS -c "$JAR" -b "$JAR" -o /dev/null -w '%{http_code} %{redirect_url}' \
    --data-urlencode "email=$USER_EMAIL" --data-urlencode "password=$PASSWORD" "$BASE/login")
case "$STATUS" in
3*/today) ;;
*)
    echo "login failed: $STATUS" >&2
    exit 1
    ;;
esac
SID=$(awk '$6 == "secondcall_session" { print $7 }' "$JAR")
[ -n "$SID" ] || { echo "no session cookie after login" >&2; exit 1; }
TODAY_CODE=$(curl -sS -o "$WORK/today.html" -w '%{http_code}' -H "Cookie: secondcall_session=$SID" "$BASE/today")
[ "$TODAY_CODE" = 200 ] || { echo "/today answered $TODAY_CODE with the session" >&2; exit 1; }

PAGE_BYTES=$(wc -c <"$WORK/today.html")
GZIP_BYTES=$(curl -sS -H "Cookie: secondcall_session=$SID" -H 'Accept-Encoding: gzip' "$BASE/today" | wc -c)

wrk_run() { # label path [header...]
    local label=$1 path=$2 out
    shift 2
    local args=()
    for h in "$@"; do args+=(-H "$h"); done
    out=$(wrk -t2 -c64 -d"$DURATION" --latency "${args[@]}" "$BASE$path")
    echo "$out" >&2
    if grep -q 'Non-2xx' <<<"$out"; then
        echo "$path: some responses were not 2xx/3xx" >&2
        exit 1
    fi
    awk -v label="$label" '
        /Requests\/sec/ { rps = $2 }
        $1 == "50%" { p50 = $2 }
        $1 == "99%" { p99 = $2 }
        END { printf "%-26s %10s req/s   p50 %8s   p99 %8s\n", label, rps, p50, p99 }' <<<"$out"
}
log "wrk /today (as $USER_EMAIL)"
TODAY_RESULT=$(wrk_run "/today" /today "Cookie: secondcall_session=$SID")
log "wrk /today, gzip"
TODAY_GZIP_RESULT=$(wrk_run "/today (gzip)" /today "Cookie: secondcall_session=$SID" "Accept-Encoding: gzip")
log "wrk /healthz"
HEALTH_RESULT=$(wrk_run "/healthz" /healthz)

# The same page rendered on every request (PAGE_CACHE_MB=0): what the first load after a write
# costs, alone and under the same load.
kill "$SERVER_PID" && wait "$SERVER_PID" 2>/dev/null || true
DATABASE_URL=$FULL_URL BIND=127.0.0.1:$APP_PORT NIGHTLY=false API_RATE_PER_SECOND=0 PAGE_CACHE_MB=0 RUST_LOG=warn "$BIN" serve \
    >>"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done
RENDER_MS=$(for _ in $(seq 1 21); do
    curl -sS -o /dev/null -w '%{time_total}\n' -H "Cookie: secondcall_session=$SID" "$BASE/today"
done | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", v[11] * 1000 }')
log "wrk /today, rendered every time"
RENDERED_RESULT=$(wrk_run "/today (PAGE_CACHE_MB=0)" /today "Cookie: secondcall_session=$SID")

# --- (c) the stored list's queries under pgbench ------------------------------------------------
USER_ID=$(psql -At "$FULL_URL" -c "select id from users where email = '$USER_EMAIL'")
cat >"$WORK/today.sql" <<SQL
select reason_rank, sum(items) from due_counts where team_id = :team and user_id = :user
  group by reason_rank having sum(items) > 0 order by reason_rank;
select user_id, contact_kind, contact_id, name, company_name, phone, temperature, reason, due_on,
       suggested_channel, why
from due_items where team_id = :team and user_id = :user
order by reason_rank, due_on, temperature_rank, contact_kind, contact_id
offset 0 limit 101;
SQL
log "pgbench: the stored list of $USER_EMAIL (kept counts + first 101 items)"
mkdir -p "$WORK/pgbench"
(cd "$WORK/pgbench" && PGOPTIONS='-c plan_cache_mode=force_generic_plan' "$PGBIN/pgbench" -n -M prepared \
    -c 64 -j 2 -T "${DURATION%s}" -D team=1 -D user="$USER_ID" -f "$WORK/today.sql" --log \
    -h 127.0.0.1 -p "$PGPORT" -U postgres bench_full >"$WORK/pgbench.out" 2>&1) ||
    { cat "$WORK/pgbench.out" >&2; exit 1; }
cat "$WORK/pgbench.out" >&2
LIST_RESULT=$(cat "$WORK"/pgbench/pgbench_log.* | awk '{ print $3 }' | sort -n | awk -v tps="$(awk '/^tps/ { print $3 }' "$WORK/pgbench.out")" '
    { v[NR] = $1 }
    END { printf "%-10s %10.0f tx/s    p50 %6.2fms   p99 %6.2fms  (pgbench -c64, one tx = both queries)\n",
          "list SQL", tps, v[int(NR * 0.50)] / 1000, v[int(NR * 0.99)] / 1000 }')

# --- summary ----------------------------------------------------------------------------------
rebuild_s() { sed -E 's/.* in ([0-9.]+) s .*/\1/' <<<"$1"; }
{
    echo
    echo "== Secondcall benchmark ($SCALE scale, seed $SEED) on $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GB RAM, $("$PGBIN/postgres" --version), shared_buffers=$SHARED_BUFFERS"
    printf '%-8s %-52s %8s %12s %12s\n' size dataset seed_s rebuild1_s rebuild2_s
    for pair in quarter:4 half:2 full:1; do
        name=${pair%%:*} div=${pair##*:}
        printf '%-8s %-52s %8s %12s %12s\n' "$name" \
            "$((RECRUITERS / div)) users, $(((DMS + CANDIDATES) / div)) contacts, $((TOUCHES / div)) touches" \
            "${SEED_S[$name]}" "$(rebuild_s "${FIRST_LINE[$name]}")" "$(rebuild_s "${SECOND_LINE[$name]}")"
    done
    echo "full rebuild: ${SECOND_LINE[full]}"
    echo "due items (full): $REASONS"
    echo "page user $USER_EMAIL: contacts, touches, due items = $OWNED"
    echo "Today page: $PAGE_BYTES bytes ($GZIP_BYTES gzipped); one rendering alone (PAGE_CACHE_MB=0, median of 21): $RENDER_MS ms"
    echo "wrk -t2 -c64 -d$DURATION --latency:"
    echo "$TODAY_RESULT"
    echo "$TODAY_GZIP_RESULT"
    echo "$HEALTH_RESULT"
    echo "$RENDERED_RESULT"
    echo "$LIST_RESULT"
    echo "load average at the end: $(load)"
}
