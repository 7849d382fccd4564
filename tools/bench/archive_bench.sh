#!/usr/bin/env bash
# Benchmark: archive Store throughput for 40 kB documents, 1 and 2 threads,
# SQLite (each synchronous/checkpoint setting) and PostgreSQL 15 (a throwaway
# durable server: fsync and synchronous_commit on, as in production; then
# with synchronous_commit off for the session), plus SHA-256 and raw SQLite
# group commit. Best of RUNS=3 runs of each benchmark (a shared machine).
#
#   tools/bench/archive_bench.sh [FILTER]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BIN=$ROOT/build/tools/bench/archive/archive_bench
[[ -x $BIN ]] || { echo "build first: tools/build.sh archive_bench" >&2; exit 2; }
FILTER=${1:-.}
RUNS=${RUNS:-3}
MIN_TIME=${MIN_TIME:-3}

WORK=$(mktemp -d)
pg_dir=""
cleanup() {
  [[ -n $pg_dir ]] && "$ROOT/tools/postgresql-test-server.sh" stop "$pg_dir" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
if env=$("$ROOT/tools/postgresql-test-server.sh" start 2>"$WORK/pg.log"); then
  eval "$env"
  pg_dir=$KANTA_TEST_POSTGRESQL_DIR
else
  echo "PostgreSQL could not be started; its benchmarks are skipped" >&2
  cat "$WORK/pg.log" >&2
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
run() {  # run NAME EXTRA_ENV...: RUNS runs, JSON out
  local name=$1; shift
  for ((i = 0; i < RUNS; ++i)); do
    env "$@" "$BIN" --benchmark_filter="$FILTER" --benchmark_min_time="$MIN_TIME" \
      --benchmark_format=json --benchmark_out="$WORK/$name.$i.json" >/dev/null 2>"$WORK/$name.err" || {
      cat "$WORK/$name.err" >&2; exit 3; }
  done
}
run durable KANTA_BENCH_POSTGRESQL_URL="${KANTA_TEST_POSTGRESQL_URL:-}"
if [[ -n $pg_dir ]]; then
  # Only the PostgreSQL benchmark again, with commits acknowledged before
  # they reach the disk (the server may lose the last ones if it crashes).
  FILTER='Postgresql' run async \
    KANTA_BENCH_POSTGRESQL_URL="$KANTA_TEST_POSTGRESQL_URL?options=-csynchronous_commit%3Doff"
fi

python3 - "$WORK" <<'PY'
import glob, json, os, sys
work = sys.argv[1]
best = {}
for path in sorted(glob.glob(os.path.join(work, "*.json"))):
    tag = os.path.basename(path).split(".")[0]
    for b in json.load(open(path))["benchmarks"]:
        if b.get("error_occurred"):
            continue
        name = b["name"].replace("/min_time:3.000", "").replace("/real_time", "")
        if tag == "async":
            if "Postgresql" not in name:
                continue
            name = name.replace("BM_PostgresqlStore", "BM_PostgresqlStore/synchronous_commit_off")
        per = b["real_time"] if b["time_unit"] == "ns" else b["real_time"] * 1000
        rate = b.get("items_per_second", 0)
        cpu = b["cpu_time"]
        if name not in best or rate > best[name][0]:
            best[name] = (rate, per, cpu)
print(f"{'benchmark (best of runs)':<66} {'docs/s':>9} {'us/doc wall':>12} {'us cpu':>8}")
for name, (rate, per, cpu) in best.items():
    print(f"{name:<66} {rate:9.0f} {1e6 / rate if rate else 0:12.0f} {cpu / 1000:8.0f}")
PY
