#!/usr/bin/env bash
# Benchmark: `kanta-pipeline ingest` into SQLite against `validate` on the same
# documents, in one run (issue 5: ingest at least 70% of validate's
# throughput with --jobs 2; peak memory flat in batch size).
#
#   tools/bench/ingest_bench.sh [COUNT] [JOBS]
#
# COUNT documents (default 20000) are generated with kanta-generate --ingest-kit
# (seed 1: the outsourced documents get their authorisations, replacements their
# version 1) with the matching organisation directory. Each contender runs
# RUNS=3 times (best kept; ingest into a fresh archive every time). Then peak
# RSS of ingest for 200, 2,000 and COUNT documents (MEMORY=0 skips it).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
COUNT=${1:-20000}
JOBS=${2:-2}
BIN=$ROOT/build/tools/kanta-pipeline/kanta-pipeline
GEN=$ROOT/build/tools/generate/kanta-generate
[[ -x $BIN && -x $GEN ]] || { echo "build first: tools/build.sh" >&2; exit 2; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$GEN" --count "$COUNT" --out "$WORK/docs" --seed 1 --ingest-kit --directory-out "$WORK/directory.json" >/dev/null
N=$(find "$WORK/docs" -name '*.xml' | wc -l)
BYTES=$(find "$WORK/docs" -name '*.xml' -print0 | xargs -0 cat | wc -c)

best() {  # best NAME COMMAND...: fastest of RUNS runs, after one warm-up
  local name=$1; shift
  local b="" rss=0
  for ((i = 0; i <= ${RUNS:-3}; i++)); do
    rm -f "$WORK"/archive.sqlite*
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || true
    ((i == 0)) && continue
    read -r s r < "$WORK/time"
    if [[ -z $b ]] || (( $(echo "$s < $b" | bc -l) )); then b=$s; fi
    (( r > rss )) && rss=$r
  done
  printf '%-26s %7.2f s %8.0f docs/s %8d KiB peak RSS\n' "$name" "$b" "$(echo "$N / $b" | bc -l)" "$rss"
  echo "$b" > "$WORK/secs.$name"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input:   $N generated documents ($((BYTES / 1024)) KiB), --jobs $JOBS, bundled schema and rules"
echo
best validate "$BIN" validate --jobs "$JOBS" --format json --out /dev/null "$WORK/docs"
best ingest "$BIN" ingest --jobs "$JOBS" --format json --out "$WORK/report.json" \
  --archive "sqlite:$WORK/archive.sqlite" --directory "$WORK/directory.json" "$WORK/docs"
echo
echo "ingest throughput / validate throughput: $(echo "scale=2; $(cat "$WORK/secs.validate") / $(cat "$WORK/secs.ingest")" | bc -l)"
python3 - "$WORK/report.json" <<'PY'
import json, sys, collections
docs = json.load(open(sys.argv[1]))["documents"]
print("ingest decisions:", dict(collections.Counter(d.get("decision", {}).get("action", "none") for d in docs)))
PY

if [[ ${MEMORY:-1} != 0 ]]; then
  echo
  # 200 never fills the window of documents in flight; 2,000 does, so the
  # second ratio is the one that shows growth with the batch, if any.
  for n in 200 2000 "$COUNT"; do
    rm -rf "$WORK/mem" "$WORK"/mem.sqlite*
    "$GEN" --count "$n" --out "$WORK/mem" --seed 2 --ingest-kit --directory-out "$WORK/mem-dir.json" >/dev/null
    /usr/bin/time -f '%M' -o "$WORK/rss" "$BIN" ingest --jobs "$JOBS" --format json --out /dev/null \
      --archive "sqlite:$WORK/mem.sqlite" --directory "$WORK/mem-dir.json" "$WORK/mem" >/dev/null 2>&1 || true
    echo "ingest peak RSS for $n documents: $(cat "$WORK/rss") KiB"
    cp "$WORK/rss" "$WORK/rss.$n"
  done
  echo "ratio $COUNT/200: $(echo "scale=2; $(cat "$WORK/rss.$COUNT") / $(cat "$WORK/rss.200")" | bc -l)"
  echo "ratio $COUNT/2000: $(echo "scale=2; $(cat "$WORK/rss.$COUNT") / $(cat "$WORK/rss.2000")" | bc -l)"
fi
