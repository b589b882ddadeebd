#!/usr/bin/env bash
# The working pattern of a team, rerunnable: 64 recruiters at once (one connection each), each
# loading Today, logging a touch on an item of it, and loading Today again (the page the log leads
# back to), over and over; /healthz under wrk in the same run, as the reference.
#
# Builds the release binary and the load client (benches/work.rs), starts a private PostgreSQL 15
# cluster in a temp dir (shared_buffers=2GB, every other setting the default), seeds a team of
# BENCH_RECRUITERS recruiters (`secondcall dev seed`, each about the size of the bench recruiter:
# 5,000 contacts and 50,000 touches), builds their lists (`secondcall rebuild-due`), vacuums and
# checkpoints, syncs, starts `secondcall serve` (NIGHTLY=false, API_RATE_PER_SECOND=0, the page cache
# on at its default, connected through the cluster's unix socket), and runs the client. Afterwards it
# checks the lists: the stored items of a few recruiters, as the touches left them, must equal a
# fresh `rebuild-due`.
#
#   BENCH_RECRUITERS=64   recruiters (and connections)
#   BENCH_DURATION=20     seconds of work measured
#   BENCH_WARMUP=2        seconds of work before them, not measured (the server's pools connect and
#                         plan their statements once after a start)
#   BENCH_NO_BUILD=1      use the existing release binary and client
#   BENCH_DATA=dir        keep the seeded cluster in dir and reuse it on the next run (the seed
#                         takes minutes; the touches of earlier runs stay in the data)
#   BENCH_PG_OPTS='...'   more server settings for the cluster, for a profile, e.g.
#                         "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
#   BENCH_TCP=1           the server connects over TCP on loopback instead of the cluster's unix
#                         socket (the database on another machine, roughly)
#   TIMELINE=file         the client writes every request there (start, milliseconds, kind)
set -euo pipefail

RECRUITERS=${BENCH_RECRUITERS:-64}
DURATION=${BENCH_DURATION:-20}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/release/secondcall
log() { printf '\n== %s\n' "$*" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; }
if [ -z "${BENCH_NO_BUILD:-}" ]; then
    # The client first: `cargo bench` builds the package's binary too, with the bench profile
    # (no LTO), into the same target/release/secondcall; the release build after it puts the
    # server as it ships back in place.
    log "cargo bench --bench work --no-run; cargo build --release"
    cargo bench --locked --bench work --no-run
    cargo build --release --locked
fi
CLIENT=$(find "$TARGET/release/deps" -maxdepth 1 -type f -executable -name 'work-*' -printf '%T@ %p\n' |
    sort -n | tail -1 | cut -d' ' -f2)
[ -x "$BIN" ] && [ -n "$CLIENT" ] || { echo "no release binary or client (unset BENCH_NO_BUILD)" >&2; exit 2; }

if [ -n "${BENCH_DATA:-}" ]; then
    WORK=$BENCH_DATA
    mkdir -p "$WORK"
else
    WORK=$(mktemp -d /tmp/secondcall-work-bench.XXXXXX)
fi
chmod 755 "$WORK"
as_pg() { if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$WORK"; runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    set +e
    [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
    as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -m fast -w stop >/dev/null 2>&1
    [ -n "${BENCH_DATA:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

PGPORT=$(free_port)
FRESH=
if [ ! -f "$WORK/pg/PG_VERSION" ]; then
    as_pg "$PGBIN/initdb" -D "$WORK/pg" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    FRESH=1
fi
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w -o \
    "-k $WORK -c listen_addresses=127.0.0.1 -p $PGPORT -c shared_buffers=2GB ${BENCH_PG_OPTS:-}" start >/dev/null
URL=postgres://postgres@127.0.0.1:$PGPORT/work
if [ -n "$FRESH" ]; then
    psql -q "postgres://postgres@127.0.0.1:$PGPORT/postgres" -c "create database work"
    log "seed: $RECRUITERS recruiters, each ~2,000 DMs, 3,000 candidates, 50,000 touches"
    DATABASE_URL=$URL RUST_LOG=error "$BIN" dev seed --recruiters "$RECRUITERS" \
        --decision-makers $((RECRUITERS * 2000)) --candidates $((RECRUITERS * 3000)) \
        --touches $((RECRUITERS * 50000)) --seed 42 >&2
fi
log "rebuild-due"
DATABASE_URL=$URL RUST_LOG=error "$BIN" rebuild-due >&2
# The work starts on a settled database, as a team's morning does: the seed's and the rebuild's
# dead rows vacuumed and their pages written out, not autovacuum and a checkpoint catching up with
# millions of fresh rows during the measured seconds.
# The same for the machine: the gigabytes the seed (or a copy of BENCH_DATA) left in the page
# cache are written out now, not by the kernel's writeback in the middle of the measured seconds,
# where every commit's WAL flush queued behind it (BENCHMARKS.md, fourth pass).
log "vacuum (analyze); checkpoint; sync"
psql -q "$URL" -c "vacuum (analyze)" -c "checkpoint"
sync

APP_PORT=$(free_port)
BASE=http://127.0.0.1:$APP_PORT
# The server reaches the cluster through its unix socket, as it does on its embedded default and
# as an operator connects a database on the same machine: each of a cycle's round trips costs
# less than over TCP (BENCHMARKS.md, fourth pass).
SERVE_URL="postgres://postgres@localhost:$PGPORT/work?host=$WORK"
VIA="the unix socket"
if [ -n "${BENCH_TCP:-}" ]; then SERVE_URL=$URL; VIA="TCP on loopback"; fi
DATABASE_URL=$SERVE_URL BIND=127.0.0.1:$APP_PORT NIGHTLY=false API_RATE_PER_SECOND=0 RUST_LOG=warn \
    "$BIN" serve >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

WARMUP=${BENCH_WARMUP:-2}
LOAD_BEFORE=$(load)
log "work: $RECRUITERS recruiters for $WARMUP s of warm-up and $DURATION s measured (load $LOAD_BEFORE)"
RESULT=$(BASE=$BASE USERS=$RECRUITERS DURATION=$DURATION WARMUP=$WARMUP "$CLIENT")
echo "$RESULT" >&2
LOAD_AFTER=$(load)
log "wrk /healthz, 64 connections"
HEALTH=$(wrk -t2 -c64 -d"${DURATION}s" --latency "$BASE/healthz" | awk '
    /Requests\/sec/ { rps = $2 } $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
    END { printf "/healthz (wrk -t2 -c64): %s req/s, p50 %s, p99 %s", rps, p50, p99 }')

# The lists right afterwards: a few recruiters' stored items, as the touches left them, against a
# fresh rebuild of the team.
kill "$SERVER" && wait "$SERVER" 2>/dev/null || true
SERVER=
LIST_SQL="select u.email, i.contact_kind, i.contact_id, i.reason, i.due_on, i.suggested_channel,
                 i.suggested_approach, i.strike, i.why, i.script_hint, i.list_date
          from due_items i join users u on u.id = i.user_id
          where u.email in ('recruiter001@bench.test', 'recruiter002@bench.test',
                            'recruiter032@bench.test', 'recruiter$(printf %03d "$RECRUITERS")@bench.test')
          order by 1, 2, 3"
psql -At "$URL" -c "$LIST_SQL" >"$WORK/lists-after-work.txt"
DATABASE_URL=$URL RUST_LOG=error "$BIN" rebuild-due >&2
psql -At "$URL" -c "$LIST_SQL" >"$WORK/lists-rebuilt.txt"
if diff -q "$WORK/lists-after-work.txt" "$WORK/lists-rebuilt.txt" >/dev/null; then
    LISTS="the same as a fresh rebuild ($(wc -l <"$WORK/lists-rebuilt.txt") items of 4 recruiters)"
else
    LISTS="DIFFERENT from a fresh rebuild:"$'\n'"$(diff "$WORK/lists-after-work.txt" "$WORK/lists-rebuilt.txt" | head -20)"
fi
TOUCHES=$(psql -At "$URL" -c "select count(*) from touches where notes = 'bench'")

{
    echo
    echo "== Secondcall work benchmark: $RECRUITERS recruiters, $DURATION s after $WARMUP s of warm-up, $(nproc) cores, $("$PGBIN/postgres" --version), over $VIA"
    echo "$RESULT"
    echo "$HEALTH"
    echo "stored lists afterwards: $LISTS"
    echo "touches logged by the benchmark so far (all runs on this data): $TOUCHES"
    echo "load average: $LOAD_BEFORE before, $LOAD_AFTER after the work, $(load) at the end"
}
