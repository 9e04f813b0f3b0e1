#!/usr/bin/env bash
# The reservation rush against PostgreSQL (or SQLite, for comparison):
# starts NODES `venuehop serve` processes on a fresh schema, runs
# `venuehop loadtest` against all of them (with the do-nothing ceiling),
# prints the seat engine's counters from each node's /metrics on stderr,
# stops the nodes, runs `venuehop check` and drops the schema. The
# loadtest's JSON report is the one line on stdout.
#
#   scripts/pgrush.sh [NODES|sqlite] [loadtest flags...]
#
# With PGRUSH_BASELINE=1 the loadtest then runs the same requests against
# its per-request locking baseline (--baseline-db) on the same database.
#
# Environment: VENUEHOP_BIN (default: build ./cmd/venuehop into a temp
# dir), PGRUSH_URL (default postgres://postgres@127.0.0.1:5432/test?sslmode=disable),
# PGRUSH_PORT (first node's port, default 18080), PGRUSH_KEEP=1 keeps the
# schema.
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${1:-1}
shift || true
url=${PGRUSH_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
port=${PGRUSH_PORT:-18080}
work=$(mktemp -d /tmp/pgrush.XXXXXX)
bin=${VENUEHOP_BIN:-}
if [ -z "$bin" ]; then
  bin=$work/venuehop
  go build -o "$bin" ./cmd/venuehop
fi
store=()
schema=
if [ "$nodes" = sqlite ]; then
  nodes=1
else
  schema=rush_$(date +%s)_$$
  psql -q "$url" -c "CREATE SCHEMA $schema"
  sep='?'; case "$url" in *\?*) sep='&';; esac
  db="$url${sep}search_path=$schema"
  store=(--db "$db")
fi

pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$schema" ]; then
    if [ -n "${PGRUSH_KEEP:-}" ]; then
      echo "kept schema $schema" >&2
    else
      psql -q "$url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
    fi
  fi
  rm -rf "$work"
}
trap cleanup EXIT

targets=()
for i in $(seq 0 $((nodes - 1))); do
  p=$((port + i))
  # The first node loads the demo; the others find it.
  [ "$i" -gt 0 ] && sleep 1
  "$bin" serve --addr "127.0.0.1:$p" --data "$work/node$i" "${store[@]}" >"$work/node$i.log" 2>&1 &
  pids+=($!)
  targets+=("http://127.0.0.1:$p")
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$p/healthz" >/dev/null 2>&1 && break
    sleep 0.5
  done
done
target=$(IFS=,; echo "${targets[*]}")
pidlist=$(IFS=,; echo "${pids[*]}")
baseline=()
[ -n "${PGRUSH_BASELINE:-}" ] && baseline=(--baseline-db "$url")
# The machine's idle share over the loadtest (preparation, rush, ceiling
# and baseline together): near 0 % means the run was bound by CPU.
read -r _ u0 n0 s0 i0 w0 q0 sq0 _ < /proc/stat
status=0
"$bin" loadtest --target "$target" --data "$work/node0" --ceiling --json --server-pid "$pidlist" "${baseline[@]}" "$@" || status=$?
read -r _ u1 n1 s1 i1 w1 q1 sq1 _ < /proc/stat
busy=$(( (u1 + n1 + s1 + q1 + sq1) - (u0 + n0 + s0 + q0 + sq0) ))
idle=$(( (i1 + w1) - (i0 + w0) ))
echo "machine idle during the loadtest: $(( 100 * idle / (busy + idle) )) %" >&2
for t in "${targets[@]}"; do
  curl -fs "$t/metrics" | grep '^venuehop_seat_\|^process_cpu_seconds_total' | sed "s|^|$t |" >&2 || true
done
for p in "${pids[@]}"; do kill -TERM "$p"; done
wait "${pids[@]}" 2>/dev/null || true
pids=()
if [ -n "$schema" ]; then
  "$bin" check --db "$db" >&2 || status=$?
else
  "$bin" check --data "$work/node0" >&2 || status=$?
fi
exit $status
