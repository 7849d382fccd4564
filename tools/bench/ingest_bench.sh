#!/usr/bin/env bash
# Benchmark: `kanta-pipeline ingest` into SQLite against `validate` on the same
# documents, in one run (issue 5: ingest at least 70% of validate's
# throughput with --jobs 2; peak memory flat in batch size).
#
#   tools/bench/ingest_bench.sh [COUNT] [JOBS]
#
# COUNT documents (default 20000) are generated with kanta-generate --ingest-kit
# (seed 1: the outsourced documents get their authorisations, replacements their
# version 1) with the matching organisation directory. After a warm-up of each,
# RUNS=3 rounds run validate and then ingest (into a fresh archive every time),
# so that the machine's load falls on both alike; the script prints the best
# of each, the ratio per round and the ratio of CPU times. Then peak RSS of
# ingest for 200, 2,000 and COUNT documents (MEMORY=0 skips it). Between the
# two, the floor: what storing the documents alone costs, on its own and
# beside a run of validate (FLOOR=0 skips it).
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

timed() {  # timed NAME COMMAND...: one run after `sync; sleep 1`; appends "NAME wall cpu rss"
  local name=$1 status=0; shift
  rm -f "$WORK"/archive.sqlite*
  sync; sleep 1
  /usr/bin/time -f "$name %e %U %S %M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || status=$?
  if ((status != 0)); then
    # Timed all the same (time then writes a line of its own first); a
    # refusal would show in the decisions printed below.
    echo "$name: exit status $status; the end of its standard error:" >&2
    tail -n 5 "$WORK/err" >&2
  fi
  read -r n e u s m < <(tail -n 1 "$WORK/time")
  echo "$n $e $(echo "$u + $s" | bc -l) $m" >> "$WORK/runs"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input:   $N generated documents ($((BYTES / 1024)) KiB), --jobs $JOBS, bundled schema and rules"
echo
# One warm-up of each, then RUNS rounds of validate and ingest one after the
# other, so that a change in the machine's load falls on both alike.
: > "$WORK/runs"
for ((i = 0; i <= ${RUNS:-3}; i++)); do
  [[ $i == 0 ]] && name=warm- || name=
  timed "${name}validate" "$BIN" validate --jobs "$JOBS" --format json --out /dev/null "$WORK/docs"
  timed "${name}ingest" "$BIN" ingest --jobs "$JOBS" --format json --out "$WORK/report.json" \
    --archive "sqlite:$WORK/archive.sqlite" --directory "$WORK/directory.json" "$WORK/docs"
done
python3 - "$WORK/runs" "$N" <<'PY'
import statistics, sys
runs = [l.split() for l in open(sys.argv[1]) if not l.startswith("warm-")]
n = int(sys.argv[2])
by = {"validate": [], "ingest": []}
for name, wall, cpu, rss in runs:
    by[name].append((float(wall), float(cpu), int(rss)))
for name, rows in by.items():
    best = min(r[0] for r in rows)
    print(f"{name:<10} best {best:6.2f} s {n / best:8.0f} docs/s   walls "
          + " / ".join(f"{r[0]:.2f}" for r in rows) + "   user+system "
          + " / ".join(f"{r[1]:.1f}" for r in rows) + f" s   peak RSS {max(r[2] for r in rows)} KiB")
v, i = by["validate"], by["ingest"]
print()
print(f"ingest throughput / validate throughput: best against best "
      f"{min(r[0] for r in v) / min(r[0] for r in i):.2f}; per round "
      + " / ".join(f"{a[0] / b[0]:.2f}" for a, b in zip(v, i))
      + f" (median {statistics.median(a[0] / b[0] for a, b in zip(v, i)):.2f})")
print(f"validate CPU time / ingest CPU time: "
      f"{statistics.median(a[1] for a in v) / statistics.median(b[1] for b in i):.2f} (medians)")
PY
python3 - "$WORK/report.json" <<'PY'
import json, sys, collections
docs = json.load(open(sys.argv[1]))["documents"]
print("ingest decisions:", dict(collections.Counter(d.get("decision", {}).get("action", "none") for d in docs)))
PY

if [[ ${FLOOR:-1} != 0 ]]; then
  echo
  # The least any SQLite (WAL) archive spends storing these documents with
  # their SHA-256 (tools/bench/min_store.py, one thread, nothing else). An
  # ingest that did nothing but validate and store would take validate's CPU
  # time plus this. Where both commands keep every core busy (two cores,
  # --jobs 2), the ratio of CPU times bounds the ratio of throughputs.
  floor=$(python3 "$ROOT/tools/bench/min_store.py" "$WORK/docs" "$WORK/floor.sqlite" --sha256)
  rm -f "$WORK"/floor.sqlite*
  echo "$floor"
  python3 - "$WORK/runs" "$floor" <<'PY'
import re, statistics, sys
v = statistics.median(float(l.split()[2]) for l in open(sys.argv[1]) if l.startswith("validate "))
f = float(re.search(r"lowest cpu ([0-9.]+) s", sys.argv[2]).group(1))
print(f"validate CPU time / (validate + that storing): {v:.1f} / ({v:.1f} + {f:.1f}) = {v / (v + f):.2f}: "
      "the highest ratio of CPU times an ingest into SQLite could reach with nothing else to do")
PY
  # The same storing started at the same moment as a validate run: the two
  # then share the cores and caches as an ingest's workers and its storing
  # do, and each slows the other. An ingest that only validated and stored
  # would need the CPU time of both. The wall time until both are done is
  # the stricter bound: while the storing's one thread waits for a sync,
  # validate's workers cannot always use the core it frees.
  beside=$(python3 "$ROOT/tools/bench/min_store.py" "$WORK/docs" "$WORK/floor.sqlite" --sha256 \
    --beside "$BIN" validate --jobs "$JOBS" --format json --out /dev/null "$WORK/docs")
  rm -f "$WORK"/floor.sqlite*
  echo "$beside" | grep -v warm-up
  python3 - "$WORK/runs" "$beside" <<'PY'
import re, statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.startswith("validate ")]
wall = statistics.median(float(r[1]) for r in rows)
cpu = statistics.median(float(r[2]) for r in rows)
store = float(re.search(r"beside the command.*cpu ([0-9.]+) s", sys.argv[2]).group(1))
m = re.search(r"beside it: wall [0-9.]+ s, cpu ([0-9.]+) s; both done after ([0-9.]+) s",
              sys.argv[2])
command, both = float(m.group(1)), float(m.group(2))
print(f"validate CPU time alone / CPU time of validate and storing side by side: {cpu:.1f} / "
      f"({command:.1f} + {store:.1f}) = {cpu / (command + store):.2f}")
print(f"validate's wall time alone / until both are done: {wall:.2f} / {both:.2f} = "
      f"{wall / both:.2f} (validate alone: medians of the rounds above)")
PY
fi

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
