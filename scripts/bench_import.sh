#!/usr/bin/env bash
# A 50,000-row CSV import through the API, timed, against the release build: builds the release
# binary, starts a private PostgreSQL 15 cluster in a temp dir, makes a team and a token with the
# command line, serves the app, writes a 50,000-row LinkedIn-style file (BOM, CRLF, a quoted
# company with a comma, a quoted line break, phones written two ways, 1 row in 50 a duplicate of
# an earlier one, 1 in 100 without a first name), then times `POST /api/v1/imports` three times:
# the dry run (the preview), the import, and the same file again (which must create nothing).
#
#   BENCH_ROWS=50000   rows in the file
#   BENCH_NO_BUILD=1   use the existing release binary
#
# Everything lives under one mktemp dir in /tmp and is removed at the end (also on failure or ^C).
set -euo pipefail

ROWS=${BENCH_ROWS:-50000}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/secondcall
log() { printf '\n== %s\n' "$*" >&2; }

for tool in curl python3 "$PGBIN/initdb" "$PGBIN/pg_ctl"; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 2; }
done
if [ -z "${BENCH_NO_BUILD:-}" ]; then
    log "cargo build --release"
    cargo build --release --locked
fi
[ -x "$BIN" ] || { echo "no $BIN (unset BENCH_NO_BUILD)" >&2; exit 2; }

as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { /usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
WORK=$(mktemp -d /tmp/secondcall-bench-import.XXXXXX)
[ "$(id -u)" -eq 0 ] && chown postgres: "$WORK"
STARTED_PG=
SERVER=
cleanup() {
    set +e
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
    [ -n "$STARTED_PG" ] && as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

log "PostgreSQL cluster in $WORK"
PGPORT=$(free_port)
as_pg "$PGBIN/initdb" -D "$WORK/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w -o \
    "-k $WORK -c listen_addresses=127.0.0.1 -p $PGPORT" start >/dev/null
STARTED_PG=1
export DATABASE_URL=postgres://postgres@127.0.0.1:$PGPORT/postgres RUST_LOG=warn NIGHTLY=false

log "a team, a token, the server"
"$BIN" migrate >/dev/null
echo 'quartz meadow lantern 93' | "$BIN" admin create-team --team Bench --email mia@bench.test \
    --name 'Mia Bench' --password-stdin >/dev/null
TOKEN=$("$BIN" admin create-token --email mia@bench.test | tail -1)
PORT=$(free_port)
BIND=127.0.0.1:$PORT "$BIN" serve >"$WORK/app.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done

log "a $ROWS-row file"
python3 - "$ROWS" >"$WORK/connections.csv" <<'PY'
import sys
rows = int(sys.argv[1])
out = sys.stdout
out.write("\ufeffFirst Name,Last Name,URL,Email Address,Phone Number,Company,Position,Connected On\r\n")
for i in range(rows):
    n = i - 7 if i % 50 == 49 else i          # 1 in 50 repeats an earlier person
    first = "" if i % 100 == 99 else f"First{n}"
    company = f"\"Company {n % 2000}, Inc.\"" if n % 3 else f"Company {n % 2000}"
    title = "\"Head of\r\nSales\"" if n % 10 == 0 else f"Title {n % 37}"
    phone = f"+1 (201) {200 + n // 10000:03d}-{n % 10000:04d}" if n % 2 else f"201.{200 + n // 10000:03d}.{n % 10000:04d}"
    out.write(f"{first},Last{n},https://www.linkedin.com/in/p{n},person{n}@example.test,{phone},{company},{title},12 Jan 2024\r\n")
PY
ls -l "$WORK/connections.csv" | awk '{printf "file: %.1f MB\n", $5 / 1048576}'

import_once() {
    local query=$1
    curl -s -o "$WORK/answer.json" -w '%{http_code} %{time_total}\n' -X POST \
        "http://127.0.0.1:$PORT/api/v1/imports$query" -H "Authorization: Bearer $TOKEN" \
        -H 'content-type: text/csv' --data-binary @"$WORK/connections.csv"
}
summary() {
    python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); print("rows %d, created %d, updated %d, skipped %d, errors %d" % (a["rows"], a["created"], a["updated"], len(a["skipped"]), len(a["errors"])))' "$WORK/answer.json"
}
for step in "dry run:?dry_run=true" "import:?kind=decision_maker" "again:?kind=decision_maker"; do
    name=${step%%:*}
    read -r code secs < <(import_once "${step#*:}")
    [ "$code" = 200 ] || { echo "$name: HTTP $code"; cat "$WORK/answer.json"; exit 1; }
    printf '%-8s %6.2f s   %s\n' "$name" "$secs" "$(summary)"
done
