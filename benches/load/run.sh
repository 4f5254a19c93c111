#!/usr/bin/env bash
# Load test: wrk drives a realistic mix of GraphQL requests (benches/load/mix.lua) against a
# running server for 60 s at 64 connections and fails on any error.
#
#   benches/load/run.sh [--prepare] [--serve] [URL]
#
#   URL        the server to load (default http://127.0.0.1:8080; with --serve, the one started)
#   --prepare  load the demo data set (`demo seed --scale $SCALE`, default region) into
#              DATABASE_URL first; a missing PostgreSQL database is created; it must have no
#              districts yet
#   --serve    start `$BIN serve` on DATABASE_URL for the run (waits for its start-up reminder
#              tick) and stop it afterwards; prints its resident memory before and after
#
# Environment: DATABASE_URL (for --prepare / --serve), LOGIN (default the coordinator of the
# first demo district, coordinator@chesmenskiy.demo.test), PASSWORD (demo12345), DURATION (60s),
# CONNECTIONS (64), THREADS (2), TIMEOUT (wrk's per-request timeout, 10s), WRITES (1: one request
# in 20 is a reportIndicator correction; 0: read only), SCALE (region), BIN
# (target/release/project-office), PORT (for --serve, 8088).
#
# Example, region scale on PostgreSQL:
#   cargo build --release
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/po_load benches/load/run.sh --prepare --serve
#
# Needs wrk (Debian: apt-get install wrk), curl and jq. Exit status: 0 only when every request
# answered 200 without "errors".
set -euo pipefail
cd "$(dirname "$0")/../.."

PREPARE=0
SERVE=0
URL=""
for arg in "$@"; do
  case "$arg" in
    --prepare) PREPARE=1 ;;
    --serve) SERVE=1 ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    -*) echo "unknown option $arg (see --help)" >&2; exit 2 ;;
    *) URL="$arg" ;;
  esac
done
LOGIN="${LOGIN:-coordinator@chesmenskiy.demo.test}"
PASSWORD="${PASSWORD:-demo12345}"
DURATION="${DURATION:-60s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
TIMEOUT="${TIMEOUT:-10s}"
WRITES="${WRITES:-1}"
SCALE="${SCALE:-region}"
BIN="${BIN:-target/release/project-office}"
PORT="${PORT:-8088}"

for tool in wrk curl jq; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (Debian: apt-get install $tool)" >&2; exit 2; }
done
if (( PREPARE || SERVE )); then
  [[ -n "${DATABASE_URL:-}" ]] || { echo "--prepare and --serve need DATABASE_URL" >&2; exit 2; }
  [[ -x "$BIN" ]] || { echo "$BIN is missing: cargo build --release" >&2; exit 2; }
fi

if (( PREPARE )); then
  if [[ "$DATABASE_URL" == postgres* ]]; then
    name="${DATABASE_URL##*/}"
    name="${name%%\?*}"
    admin="${DATABASE_URL%/*}/postgres"
    if [[ "$(psql "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")" != 1 ]]; then
      psql "$admin" -qc "CREATE DATABASE \"$name\""
    fi
  fi
  echo "== demo seed --scale $SCALE into $(sed -E 's#//[^@/]*@#//…@#' <<<"$DATABASE_URL")"
  /usr/bin/time -f "seeded in %e s, max RSS %M KiB" "$BIN" demo seed --scale "$SCALE" | tail -n 3
fi

SERVER_PID=""
DATA_DIR=""
stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  [[ -n "$DATA_DIR" ]] && rm -rf "$DATA_DIR"
}
trap stop_server EXIT
rss() { ps -o rss= -p "$SERVER_PID" | awk '{printf "%.1f MB", $1 / 1024}'; }

if (( SERVE )); then
  DATA_DIR="$(mktemp -d)"
  URL="http://127.0.0.1:$PORT"
  # Reminders of the demo people go to .eml files in the scratch folder, not to anyone.
  PO_DATA_DIR="$DATA_DIR" "$BIN" serve --listen "127.0.0.1:$PORT" >"$DATA_DIR/serve.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 600); do
    curl -sf "$URL/readyz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DATA_DIR/serve.log" >&2; exit 1; }
    sleep 0.2
  done
  # The scheduler ticks once at start-up (planning over the whole database and a first batch of
  # deliveries); measure the API after it, not during it.
  for _ in $(seq 1 600); do
    grep -q "reminder tick" "$DATA_DIR/serve.log" && break
    sleep 0.5
  done
  grep -q "reminder tick" "$DATA_DIR/serve.log" || { echo "no start-up reminder tick in 5 minutes" >&2; exit 1; }
  sleep 2
  echo "== server $URL (pid $SERVER_PID) ready; RSS idle $(rss)"
fi
URL="${URL:-http://127.0.0.1:8080}"

TOKEN=""
# gql QUERY [VARIABLES-JSON]: the response's data; stops the script on errors.
gql() {
  local body response
  body="$(jq -nc --arg q "$1" --argjson v "${2:-{\}}" '{query: $q, variables: $v}')"
  response="$(curl -sS "$URL/graphql" -H 'Content-Type: application/json' -H 'Accept: application/json' \
    ${TOKEN:+-H "Authorization: Bearer $TOKEN"} --data "$body")"
  if jq -e 'has("errors")' <<<"$response" >/dev/null; then
    echo "GraphQL error: $(jq -c .errors <<<"$response")" >&2
    return 1
  fi
  jq -c .data <<<"$response"
}

# What the mix needs: a token, the district, page cursors, projects, organizations, and reports
# to correct (existing reports of active projects: a valid correction by construction).
TOKEN="$(gql 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }' \
  "$(jq -nc --arg e "$LOGIN" --arg p "$PASSWORD" '{e: $e, p: $p}')" | jq -r .login.token)"
ME="$(gql '{ me { role district { id name } } }')"
DISTRICT="$(jq -r '.me.district.id // empty' <<<"$ME")"
[[ -n "$DISTRICT" ]] || { echo "$LOGIN has no district: use a coordinator's login" >&2; exit 2; }
PAGE='query($f: ProjectFilterInput, $after: String) { projects(filter: $f, first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id status } } }'
CURSORS=()
PROJECTS=""
after=null
for _ in 1 2 3 4 5 6; do
  page="$(gql "$PAGE" "{\"f\": {\"districtId\": \"$DISTRICT\"}, \"after\": $after}")"
  [[ -z "$PROJECTS" ]] && PROJECTS="$(jq -r '[.projects.nodes[].id][:60] | join(",")' <<<"$page")"
  [[ "$(jq -r .projects.pageInfo.hasNextPage <<<"$page")" == true ]] || break
  cursor="$(jq -r .projects.pageInfo.endCursor <<<"$page")"
  CURSORS+=("$cursor")
  after="\"$cursor\""
done
TOTAL="$(jq -r .projects.totalCount <<<"$(gql "$PAGE" "{\"f\": {\"districtId\": \"$DISTRICT\"}}")")"
ORGANIZATIONS="$(gql 'query($d: ID) { organizations(districtId: $d) { id } }' "{\"d\": \"$DISTRICT\"}" \
  | jq -r '[.organizations[].id][:40] | join(",")')"
WRITE_TARGETS=""
if [[ "$WRITES" == 1 ]]; then
  active="$(gql "$PAGE" "{\"f\": {\"districtId\": \"$DISTRICT\", \"status\": \"ACTIVE\"}}" | jq -r '.projects.nodes[].id')"
  targets=()
  for p in $active; do
    report="$(gql 'query($f: ReportFilterInput) { indicatorReports(filter: $f) { projectId organization { id } indicator period value } }' \
      "{\"f\": {\"projectId\": \"$p\"}}" \
      | jq -r '.indicatorReports[0] // empty | "\(.projectId):\(.organization.id):\(.indicator):\(.period):\(.value)"')"
    [[ -n "$report" ]] && targets+=("$report")
    (( ${#targets[@]} >= 12 )) && break
  done
  WRITE_TARGETS="$(IFS=,; echo "${targets[*]}")"
  [[ -n "$WRITE_TARGETS" ]] || echo "no reports of active projects found: the run is read only" >&2
fi
echo "== $LOGIN, district $(jq -r .me.district.name <<<"$ME") (id $DISTRICT): $TOTAL projects, ${#CURSORS[@]} further pages," \
  "$(tr ',' '\n' <<<"$ORGANIZATIONS" | wc -l) organizations, $(tr ',' '\n' <<<"$WRITE_TARGETS" | grep -c . || true) reports to correct"

echo "== wrk -t$THREADS -c$CONNECTIONS -d$DURATION --timeout $TIMEOUT --latency -s benches/load/mix.lua $URL"
OUT="$(mktemp)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout "$TIMEOUT" --latency -s benches/load/mix.lua "$URL" \
  -- "$TOKEN" "$DISTRICT" "$(IFS=,; echo "${CURSORS[*]:-}")" "$PROJECTS" "$ORGANIZATIONS" "$WRITE_TARGETS" | tee "$OUT"
[[ -n "$SERVER_PID" ]] && echo "== server RSS after the load $(rss)"
ERRORS="$(sed -n 's/^LOAD_ERRORS=//p' "$OUT")"
rm -f "$OUT"
if [[ "$ERRORS" != 0 ]]; then
  echo "FAILED: ${ERRORS:-unknown number of} errors" >&2
  exit 1
fi
echo "OK: no errors"
