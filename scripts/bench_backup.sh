#!/usr/bin/env bash
# `secondcall admin backup` and `secondcall admin restore` of the bench team, timed, as an
# operator runs them: builds the release binary, starts a private PostgreSQL 15 cluster in a temp
# dir, seeds the team with `secondcall dev seed` (or reuses a kept cluster), backs it up with the
# release binary, restores the file into a new empty database of the same cluster, and prints the
# commands' own lines, the wall-clock times, the file's size and the databases' sizes. The counts
# printed by the backup (its snapshot) must equal those the restore prints.
#
#   BENCH_SCALE=full|small    full: 200 recruiters, 400k DMs, 600k candidates, 10M touches (default)
#                             small: a tenth of that: a quick run
#   BENCH_SEED=42             the dataset's random seed
#   BENCH_SHARED_BUFFERS=2GB  PostgreSQL shared_buffers (every other setting is the default)
#   BENCH_NO_BUILD=1          use the existing release binary
#   BENCH_KEEP=1              keep the cluster (with the seeded database) afterwards (prints where)
#   BENCH_DIR=/tmp/…          reuse a cluster kept by BENCH_KEEP=1 (this script's or
#                             bench_nightly.sh's): no initdb, no seed; left in place
#
# Everything lives under one mktemp dir in /tmp and is removed at the end (also on failure or ^C),
# unless BENCH_KEEP or BENCH_DIR says otherwise. The full size needs about 20 GB free there (the
# seeded database, the backup, the restored database). A full seed takes 4 to 12 minutes here.
set -euo pipefail

SCALE=${BENCH_SCALE:-full}
SEED=${BENCH_SEED:-42}
SHARED_BUFFERS=${BENCH_SHARED_BUFFERS:-2GB}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

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

for tool in psql "$PGBIN/initdb" "$PGBIN/pg_ctl" "$PGBIN/pg_dump" "$PGBIN/pg_restore"; do
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
    WORK=$(mktemp -d /tmp/secondcall-bench-backup.XXXXXX)
    REUSED=
    [ "$(id -u)" -eq 0 ] && chown postgres: "$WORK"
fi
STARTED_PG=
RESTORED_DB=bench_restored_$$
ADMIN_URL=

cleanup() {
    set +e
    rm -f "$WORK/bench.dump" "$WORK"/.bench.dump.partial
    if [ -n "$ADMIN_URL" ]; then
        psql -q "$ADMIN_URL" -c "drop database if exists $RESTORED_DB" >/dev/null 2>&1
    fi
    if [ -n "${BENCH_KEEP:-}" ] || [ -n "$REUSED" ]; then
        echo "kept: cluster $WORK/data on port ${PGPORT:-?}" >&2
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
# the seeded database: this script's, or bench_nightly.sh's in a cluster it kept
DB=bench_backup
if [ -n "$REUSED" ] && [ "$(psql -X -At "$ADMIN_URL" -c "select count(*) from pg_database where datname = 'bench_nightly'")" = 1 ]; then
    DB=bench_nightly
fi
DB_URL=postgres://postgres@127.0.0.1:$PGPORT/$DB
RESTORED_URL=postgres://postgres@127.0.0.1:$PGPORT/$RESTORED_DB

now() { date +%s.%N; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
since() { echo "$(now) $1" | awk '{printf "%.1f", $1 - $2}'; }
db_size() { psql -X -At "$ADMIN_URL" -c "select pg_size_pretty(pg_database_size('$1'))"; }

# --- the benchmark team ------------------------------------------------------------------------
SEED_LINE="reused: seeded earlier"
if [ "$(psql -X -At "$ADMIN_URL" -c "select count(*) from pg_database where datname = '$DB'")" = 0 ]; then
    psql -q "$ADMIN_URL" -c "create database $DB" >/dev/null
    log "seed: --recruiters $RECRUITERS --decision-makers $DMS --candidates $CANDIDATES --touches $TOUCHES --seed $SEED"
    t0=$(now)
    DATABASE_URL=$DB_URL RUST_LOG=error "$BIN" dev seed --recruiters "$RECRUITERS" --decision-makers "$DMS" \
        --candidates "$CANDIDATES" --touches "$TOUCHES" --seed "$SEED" >&2
    SEED_LINE="seeded in $(since "$t0") s, load $(load)"
    # lists and the history opened, as a team that has been running has them
    log "rebuild-due (so the backup holds due lists and the history)"
    DATABASE_URL=$DB_URL RUST_LOG=error "$BIN" rebuild-due >&2
fi
SOURCE_SIZE=$(db_size "$DB")
log "dataset: database $DB, $SOURCE_SIZE ($SEED_LINE)"

# --- backup ------------------------------------------------------------------------------------
export PG_BIN_DIR=$PGBIN
log "secondcall admin backup (load $(load))"
t0=$(now)
BACKUP_OUT=$(DATABASE_URL=$DB_URL RUST_LOG=warn "$BIN" admin backup --to "$WORK/bench.dump")
BACKUP_S=$(since "$t0")
BACKUP_LOAD=$(load)
echo "$BACKUP_OUT" >&2

# --- restore into an empty database -------------------------------------------------------------
psql -q "$ADMIN_URL" -c "create database $RESTORED_DB" >/dev/null
log "secondcall admin restore into the empty database $RESTORED_DB (load $(load))"
t0=$(now)
RESTORE_OUT=$(DATABASE_URL=$RESTORED_URL RUST_LOG=warn "$BIN" admin restore --from "$WORK/bench.dump")
RESTORE_S=$(since "$t0")
RESTORE_LOAD=$(load)
echo "$RESTORE_OUT" >&2
RESTORED_SIZE=$(db_size "$RESTORED_DB")

held=$(sed -n 's/^it holds //p' <<<"$BACKUP_OUT")
brought=$(sed -n 's/^the database holds //p' <<<"$RESTORE_OUT")
[ "$held" = "$brought" ] && SAME="the same counts" || SAME="COUNTS DIFFER: $held / $brought"

# --- summary ----------------------------------------------------------------------------------
{
    echo
    echo "== admin backup / admin restore ($([ -n "$REUSED" ] && echo "reused cluster $WORK" || echo "$SCALE scale, seed $SEED")) on $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GB RAM, $("$PGBIN/postgres" --version), shared_buffers=$SHARED_BUFFERS"
    echo "dataset: $held; database $SOURCE_SIZE"
    echo "backup:  $BACKUP_S s wall, file $(du -h "$WORK/bench.dump" | cut -f1) ($(stat -c %s "$WORK/bench.dump") bytes); load after: $BACKUP_LOAD"
    echo "restore: $RESTORE_S s wall into an empty database (migrations included), restored database $RESTORED_SIZE; load after: $RESTORE_LOAD"
    echo "restored: $SAME"
}
