#!/usr/bin/env bash
# The nightly rebuild as the server runs it, rerunnable: builds the release binary, starts a
# private PostgreSQL 15 cluster in a temp dir, seeds the benchmark team with `secondcall dev seed`
# and then starts `secondcall serve` (NIGHTLY=true) and lets the nightly task's first tick, the
# catch-up, rebuild every list that is behind. No `rebuild-due` is involved in what is measured:
# the script only waits until the catch-up's row in `due_runs` has `finished_at`, stops the server
# with SIGTERM and prints what the run recorded (duration, users, contacts, items, status).
#
# Two runs, each a separate start of the server:
#   first   on the fresh seed: no user has a list, every one is rebuilt, and the whole due-item
#           history is opened (what a new installation's first start does);
#   steady  every list moved back one day (`update due_lists set list_date = list_date - 1`), the
#           history already open: a night's rebuild (what a server started in the morning after
#           being down through the night does). Without the first run before it, the script runs
#           `secondcall rebuild-due` once (timed, printed) to build the lists it moves back.
#
#   BENCH_SCALE=full|small    full: 200 recruiters, 400k DMs, 600k candidates, 10M touches (default)
#                             small: a tenth of that (20 recruiters, 40k, 60k, 1M): a quick run
#   BENCH_RUNS="first steady" which runs, in that order (either may be left out)
#   BENCH_SEED=42             the dataset's random seed
#   BENCH_SHARED_BUFFERS=2GB  PostgreSQL shared_buffers (every other setting is the default)
#   BENCH_TIMEOUT=1800        seconds to wait for one catch-up before giving up
#   BENCH_NO_BUILD=1          use the existing release binary
#   BENCH_KEEP=1              keep the cluster and its data afterwards (prints where)
#   BENCH_DIR=/tmp/…          reuse a cluster kept by BENCH_KEEP=1: no initdb, no seed; left in
#                             place (a "first" run needs lists never built, so it is skipped there)
#
# Everything lives under one mktemp dir in /tmp and is removed at the end (also on failure or ^C),
# unless BENCH_KEEP or BENCH_DIR says otherwise. A full seed takes 4 to 12 minutes here (load).
set -euo pipefail

SCALE=${BENCH_SCALE:-full}
RUNS=${BENCH_RUNS:-first steady}
SEED=${BENCH_SEED:-42}
SHARED_BUFFERS=${BENCH_SHARED_BUFFERS:-2GB}
TIMEOUT=${BENCH_TIMEOUT:-1800}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
DB=bench_nightly

case "$SCALE" in
full) RECRUITERS=200 DMS=400000 CANDIDATES=600000 TOUCHES=10000000 ;;
small) RECRUITERS=20 DMS=40000 CANDIDATES=60000 TOUCHES=1000000 ;;
*)
    echo "BENCH_SCALE must be full or small" >&2
    exit 2
    ;;
esac
for run in $RUNS; do
    case "$run" in
    first | steady) ;;
    *)
        echo "BENCH_RUNS takes first and/or steady, not $run" >&2
        exit 2
        ;;
    esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/secondcall
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
    WORK=$(mktemp -d /tmp/secondcall-bench-nightly.XXXXXX)
    REUSED=
    [ "$(id -u)" -eq 0 ] && chown postgres: "$WORK"
fi
SERVER_PID=
STARTED_PG=

cleanup() {
    set +e
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    if [ -n "${BENCH_KEEP:-}" ] || [ -n "$REUSED" ]; then
        echo "kept: cluster $WORK/data on port ${PGPORT:-?}, server logs $WORK/serve-*.log" >&2
        echo "      (again: BENCH_DIR=$WORK BENCH_NO_BUILD=1 $0; stop: pg_ctl -D $WORK/data stop)" >&2
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
since() { echo "$(now) $1" | awk '{printf "%.1f", $1 - $2}'; }
sql() { psql -X -At -v ON_ERROR_STOP=1 "$DB_URL" -c "$1"; }

# --- the benchmark team ------------------------------------------------------------------------
SEED_LINE="reused: seeded earlier"
if [ -z "$REUSED" ]; then
    psql -q "$ADMIN_URL" -c "create database $DB" >/dev/null
    log "seed: --recruiters $RECRUITERS --decision-makers $DMS --candidates $CANDIDATES --touches $TOUCHES --seed $SEED"
    t0=$(now)
    DATABASE_URL=$DB_URL RUST_LOG=error "$BIN" dev seed --recruiters "$RECRUITERS" --decision-makers "$DMS" \
        --candidates "$CANDIDATES" --touches "$TOUCHES" --seed "$SEED" >&2
    SEED_LINE="seeded in $(since "$t0") s, load $(load)"
fi
COUNTS=$(sql "select (select count(*) from users where active) || ' active users, '
                  || (select count(*) from decision_makers) + (select count(*) from candidates) || ' contacts, '
                  || (select count(*) from touches) || ' touches'")
log "dataset: $COUNTS ($SEED_LINE)"

# Teams with at least one active user whose list is older than the user's today (or missing):
# the catch-up records one run for each of them.
TEAMS_BEHIND_SQL="select count(distinct u.team_id) from users u
    left join due_lists l on l.user_id = u.id and l.team_id = u.team_id
    where u.active and (l.list_date is null or l.list_date < (now() at time zone u.time_zone)::date)"

# --- one start of the server: its catch-up, measured -------------------------------------------
declare -A RESULT
catch_up() { # label
    local label=$1 before teams port slog t0 waited=0 peak rows status code health pid
    before=$(sql "select coalesce(max(id), 0) from due_runs")
    teams=$(sql "$TEAMS_BEHIND_SQL")
    [ "$teams" -gt 0 ] || { echo "$label: no list is behind, nothing to catch up" >&2; exit 1; }
    port=$(free_port)
    slog=$WORK/serve-$label.log
    log "$label: secondcall serve on 127.0.0.1:$port, NIGHTLY=true ($teams team(s) behind; load $(load))"
    local load_start
    load_start=$(load)
    peak=${load_start%% *}
    t0=$(now)
    # the server's default log filter (info; sqlx and sessions at warn, so slow statements show)
    DATABASE_URL=$DB_URL BIND=127.0.0.1:$port NIGHTLY=true NO_COLOR=1 "$BIN" serve >"$slog" 2>&1 &
    SERVER_PID=$!
    health="not asked"
    while :; do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            wait "$SERVER_PID" || true
            SERVER_PID=
            cat "$slog" >&2
            echo "$label: the server exited before its catch-up ended" >&2
            exit 1
        fi
        # the catch-up has ended when every team behind has a finished catch_up run since the start
        rows=$(sql "select count(*) filter (where finished_at is not null), count(*) from due_runs
                    where id > $before and trigger = 'catch_up'")
        [ "${rows%%|*}" -ge "$teams" ] && break
        # once the run is under way: does the server still answer while it rebuilds?
        if [ "$health" = "not asked" ] && [ "${rows##*|}" -gt 0 ]; then
            code=$(curl -sS -o /dev/null -m 10 -w '%{http_code} %{time_total}' "http://127.0.0.1:$port/healthz" 2>/dev/null || true)
            health="${code:-no answer}"
        fi
        peak=$(awk -v a="$peak" -v b="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN { print (b > a ? b : a) }')
        waited=$((waited + 1))
        if [ "$waited" -gt "$TIMEOUT" ]; then
            sql "select * from due_runs where id > $before" >&2
            echo "$label: the catch-up did not end within $TIMEOUT s" >&2
            exit 1
        fi
        sleep 1
    done
    local seen load_end stop_s
    seen=$(since "$t0")
    load_end=$(load)
    peak=$(awk -v a="$peak" -v b="${load_end%% *}" 'BEGIN { print (b > a ? b : a) }')
    local t1
    t1=$(now)
    pid=$SERVER_PID
    kill -TERM "$pid"
    status=0
    wait "$pid" || status=$?
    SERVER_PID=
    stop_s=$(since "$t1")
    log "$label: server stopped (exit $status) $stop_s s after SIGTERM"

    rows=$(sql "select 'team ' || team_id || ': ' || status
                       || ', ' || to_char(extract(epoch from finished_at - started_at), 'FM9990.0') || ' s'
                       || ', ' || users_rebuilt || ' users, ' || contacts || ' contacts, ' || items || ' items'
                       || coalesce(', error: ' || error, '')
                from due_runs where id > $before and trigger = 'catch_up' order by id")
    local plain errors warnings
    plain=$(sed -E 's/\x1b\[[0-9;]*m//g' "$slog")
    errors=$(grep -cE ' ERROR ' <<<"$plain" || true)
    warnings=$(grep -cE ' WARN ' <<<"$plain" || true)
    RESULT[$label]=$(
        echo "$label: $rows"
        echo "  server start to the run's end seen: $seen s; stopped with SIGTERM in $stop_s s (exit $status)"
        echo "  /healthz during the run: $health"
        echo "  load average at the start: $load_start; at the end: $load_end; highest 1-min seen: $peak"
        echo "  server log: $errors ERROR and $warnings WARN line(s)"
        grep -E ' (ERROR|WARN) ' <<<"$plain" | head -8 | cut -c1-300 | sed 's/^/    /' || true
    )
    echo "${RESULT[$label]}" >&2
}

REBUILD_LINE=
for run in $RUNS; do
    case "$run" in
    first)
        if [ "$(sql "select count(*) from due_lists")" -gt 0 ]; then
            log "first: skipped, this database already has lists (a first run needs a fresh seed)"
            continue
        fi
        catch_up first
        ;;
    steady)
        if [ "$(sql "select count(*) from due_lists")" -eq 0 ]; then
            log "rebuild-due (builds the lists and opens the history, so the measured run is a night's)"
            REBUILD_LINE="$(DATABASE_URL=$DB_URL RUST_LOG=error "$BIN" rebuild-due) (load $(load))"
            echo "$REBUILD_LINE" >&2
        fi
        moved=$(sql "update due_lists set list_date = list_date - 1" | awk '{ print $2 }')
        log "steady: $moved lists moved back one day"
        catch_up steady
        ;;
    esac
done

HISTORY=$(sql "select count(*) || ' history rows (' || count(*) filter (where settled_at is null) || ' open)' from due_item_history")

# --- summary ----------------------------------------------------------------------------------
{
    echo
    echo "== Nightly catch-up by secondcall serve ($([ -n "$REUSED" ] && echo "reused cluster $WORK" || echo "$SCALE scale, seed $SEED")) on $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GB RAM, $("$PGBIN/postgres" --version), shared_buffers=$SHARED_BUFFERS"
    echo "dataset: $COUNTS ($SEED_LINE); now $HISTORY"
    [ -n "$REBUILD_LINE" ] && echo "rebuild-due before the steady run: $REBUILD_LINE"
    for run in $RUNS; do
        [ -n "${RESULT[$run]:-}" ] && echo "${RESULT[$run]}"
    done
    echo "load average at the end: $(load)"
}
