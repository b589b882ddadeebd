#!/usr/bin/env bash
# The Team page (issue 5) on the engine's benchmark team, rerunnable: builds the release binary,
# starts a private PostgreSQL 15 cluster in a temp dir, seeds the full-size team
# (`secondcall dev seed --recruiters 200 --decision-makers 400000 --candidates 600000
# --touches 10000000 --seed 42`), runs `secondcall rebuild-due` twice (the due-item history the
# follow-through figures read), starts `secondcall serve`, logs in over HTTP as the team's
# manager (recruiter001@bench.test) and times GET /team with curl:
#   - the default period (the last 4 full weeks), and
#   - one year (the 365 days ending on the default period's last day: from/to in the query).
# Each is requested once to warm the caches (shown as "first"), then BENCH_RUNS times; it prints
# the median and the max of those runs, and the load average.
#
#   BENCH_SEED=42             the dataset's random seed
#   BENCH_SHARED_BUFFERS=2GB  PostgreSQL shared_buffers (every other setting is the default)
#   BENCH_RUNS=7              timed requests per period
#   BENCH_NO_BUILD=1          use the existing target/release/secondcall
#   BENCH_KEEP=1              keep the cluster and its data afterwards (prints where)
#   BENCH_DIR=/tmp/…          reuse a cluster kept by BENCH_KEEP=1: no initdb, no seed, no rebuild
#                             (migrations still run when the server starts); left in place
#
# Everything lives under one mktemp dir in /tmp and is removed at the end (also on failure or ^C),
# unless BENCH_KEEP or BENCH_DIR says otherwise. A full seed takes several minutes.
set -euo pipefail

SEED=${BENCH_SEED:-42}
SHARED_BUFFERS=${BENCH_SHARED_BUFFERS:-2GB}
RUNS=${BENCH_RUNS:-7}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PASSWORD=secondcall-bench
MANAGER_EMAIL=recruiter001@bench.test
DB=bench_reports

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BIN=$ROOT/target/release/secondcall
log() { printf '\n== %s\n' "$*" >&2; }

for tool in curl psql "$PGBIN/initdb" "$PGBIN/pg_ctl"; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 2; }
done

if [ -z "${BENCH_NO_BUILD:-}" ]; then
    log "cargo build --release"
    cargo build --release --locked
fi
[ -x "$BIN" ] || { echo "no $BIN (unset BENCH_NO_BUILD)" >&2; exit 2; }

# --- private PostgreSQL cluster --------------------------------------------------------------
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { /usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
if [ -n "${BENCH_DIR:-}" ]; then
    WORK=$BENCH_DIR
    REUSED=1
    [ -d "$WORK/data" ] || { echo "BENCH_DIR=$WORK holds no cluster (data/)" >&2; exit 2; }
else
    WORK=$(mktemp -d /tmp/secondcall-bench-reports.XXXXXX)
    REUSED=
    [ "$(id -u)" -eq 0 ] && chown postgres: "$WORK"
fi
SERVER_PID=
STARTED_PG=

cleanup() {
    set +e
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    if [ -n "${BENCH_KEEP:-}" ] || [ -n "$REUSED" ]; then
        echo "kept: cluster $WORK/data on port ${PGPORT:-?} (again: BENCH_DIR=$WORK $0; stop: pg_ctl -D $WORK/data stop)" >&2
        return
    fi
    [ -n "$STARTED_PG" ] && as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

start_pg() {
    PGPORT=$(free_port)
    log "PostgreSQL cluster in $WORK (port $PGPORT, shared_buffers=$SHARED_BUFFERS)"
    as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w -o \
        "-k $WORK -c listen_addresses=127.0.0.1 -p $PGPORT -c shared_buffers=$SHARED_BUFFERS" start >/dev/null
    STARTED_PG=1
    echo "$PGPORT" >"$WORK/port"
}
if [ -z "$REUSED" ]; then
    as_pg "$PGBIN/initdb" -D "$WORK/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    start_pg
elif as_pg "$PGBIN/pg_ctl" -D "$WORK/data" status >/dev/null 2>&1; then
    PGPORT=$(cat "$WORK/port")
    log "reusing the running cluster in $WORK (port $PGPORT)"
else
    start_pg
fi
ADMIN_URL=postgres://postgres@127.0.0.1:$PGPORT/postgres
DB_URL=postgres://postgres@127.0.0.1:$PGPORT/$DB

now() { date +%s.%N; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
since() { echo "$(now) $1" | awk '{printf "%.0f", $1 - $2}'; }

# --- the benchmark team ------------------------------------------------------------------------
SEED_LINE="(reused: seeded earlier)"
if [ -z "$REUSED" ]; then
    psql -q "$ADMIN_URL" -c "create database $DB" >/dev/null
    log "seed: --recruiters 200 --decision-makers 400000 --candidates 600000 --touches 10000000 --seed $SEED"
    t0=$(now)
    DATABASE_URL=$DB_URL RUST_LOG=error "$BIN" dev seed --recruiters 200 --decision-makers 400000 \
        --candidates 600000 --touches 10000000 --seed "$SEED" >&2
    SEED_LINE="seeded in $(since "$t0") s"
    log "rebuild-due (twice: the first opens the due-item history)"
    DATABASE_URL=$DB_URL RUST_LOG=error "$BIN" rebuild-due >&2
    DATABASE_URL=$DB_URL RUST_LOG=error "$BIN" rebuild-due >&2
fi
COUNTS=$(psql -At -F ', ' "$DB_URL" -c "
    select (select count(*) from users) || ' users', (select count(*) from decision_makers) || ' DMs',
           (select count(*) from candidates) || ' candidates', (select count(*) from touches) || ' touches',
           (select count(*) from due_item_history) || ' history rows'")

# --- the server and the manager's session ------------------------------------------------------
APP_PORT=$(free_port)
BASE=http://127.0.0.1:$APP_PORT
log "secondcall serve on $BASE"
DATABASE_URL=$DB_URL BIND=127.0.0.1:$APP_PORT NIGHTLY=false API_RATE_PER_SECOND=0 RUST_LOG=warn "$BIN" serve \
    >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
    curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fsS "$BASE/healthz" >/dev/null

JAR=$WORK/cookies.txt
rm -f "$JAR"
curl -fsS -c "$JAR" -b "$JAR" -o /dev/null "$BASE/login"
STATUS=$(curl -sS -c "$JAR" -b "$JAR" -o /dev/null -w '%{http_code} %{redirect_url}' \
    --data-urlencode "email=$MANAGER_EMAIL" --data-urlencode "password=$PASSWORD" "$BASE/login")
case "$STATUS" in
3*) ;;
*)
    echo "login failed: $STATUS" >&2
    exit 1
    ;;
esac
ROLE=$(psql -At "$DB_URL" -c "select role from users where email = '$MANAGER_EMAIL'")
[ "$ROLE" = manager ] || { echo "$MANAGER_EMAIL is a $ROLE, not a manager" >&2; exit 1; }

# One GET of /team, its time in ms on stdout; fails on anything but 200 or on an error page.
get_team() { # query
    local out code secs
    out=$(curl -sS -b "$JAR" -o "$WORK/team.html" -w '%{http_code} %{time_total}' "$BASE/team$1")
    code=${out% *} secs=${out#* }
    [ "$code" = 200 ] || { echo "/team$1 answered $code" >&2; exit 1; }
    grep -q 'name="to"' "$WORK/team.html" || { echo "/team$1 is not the Team page" >&2; exit 1; }
    awk -v s="$secs" 'BEGIN { printf "%.0f\n", s * 1000 }'
}

# The default period's dates, as the page shows them (the manager's zone decides "today").
get_team "" >/dev/null
TO=$(sed -nE 's/.*name="to" type="date" value="([0-9-]+)".*/\1/p' "$WORK/team.html")
FROM4=$(sed -nE 's/.*name="from" type="date" value="([0-9-]+)".*/\1/p' "$WORK/team.html")
FROM52=$(date -d "$TO - 364 days" +%F)

declare -A RESULT
time_period() { # label query
    local first ms all=()
    first=$(get_team "$2")
    for _ in $(seq 1 "$RUNS"); do
        ms=$(get_team "$2")
        all+=("$ms")
    done
    log "$1: first $first ms, then ${all[*]} ms"
    RESULT[$1]=$(printf '%s\n' "${all[@]}" | sort -n | awk -v first="$first" '
        { v[NR] = $1 }
        END { printf "median %5d ms   max %5d ms   (first %d ms)", v[int((NR + 1) / 2)], v[NR], first }')
}
LOAD_BEFORE=$(load)
time_period "4 weeks" ""
time_period "1 year" "?from=$FROM52&to=$TO"

# --- summary ----------------------------------------------------------------------------------
{
    echo
    echo "== Team page (issue 5): $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GB RAM, $("$PGBIN/postgres" --version), shared_buffers=$SHARED_BUFFERS"
    echo "dataset (seed $SEED, $SEED_LINE): $COUNTS"
    echo "GET /team as $MANAGER_EMAIL, release build, $RUNS runs after one warm-up each:"
    printf '  %-8s %-24s %s\n' "4 weeks" "$FROM4 .. $TO" "${RESULT[4 weeks]}"
    printf '  %-8s %-24s %s\n' "1 year" "$FROM52 .. $TO" "${RESULT[1 year]}"
    echo "load average before: $LOAD_BEFORE   after: $(load)"
}
