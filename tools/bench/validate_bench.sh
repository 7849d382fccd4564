#!/usr/bin/env bash
# Benchmark: `kanta-pipeline validate` against `xmllint --schema` (one
# process for the whole batch) on the same files, in one run.
#
#   tools/bench/validate_bench.sh [COUNT] [SCHEMA.xsd]
#
# COUNT documents (default 2000) are generated with kanta-generate (seed 1)
# into a temporary folder. SCHEMA defaults to the bundled schemas/cda/CDA_Fi.xsd.
# Prints wall time (best of RUNS=3), documents per second and peak RSS for each contender, the
# speed-ups asked for in docs/performance.md, and peak RSS for 200 vs 20,000
# documents (set MEMORY=0 to skip that part).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
COUNT=${1:-2000}
SCHEMA=${2:-$ROOT/schemas/cda/CDA_Fi.xsd}
BIN=$ROOT/build/tools/kanta-pipeline/kanta-pipeline
GEN=$ROOT/build/tools/generate/kanta-generate
[[ -x $BIN && -x $GEN ]] || { echo "build first: tools/build.sh" >&2; exit 2; }
command -v xmllint >/dev/null || { echo "xmllint missing: tools/setup.sh" >&2; exit 2; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$GEN" --count "$COUNT" --out "$WORK/docs" --seed 1 >/dev/null
find "$WORK/docs" -name '*.xml' | sort > "$WORK/list"
N=$(wc -l < "$WORK/list")
BYTES=$(xargs cat < "$WORK/list" | wc -c)

# measure NAME COMMAND...: runs once to warm the page cache, then RUNS times
# (default 3), keeping the fastest run: on a shared machine the minimum is the
# figure least disturbed by other load.
measure() {
  local name=$1; shift
  "$@" >/dev/null 2>&1 || true
  local best="" rss=0
  for ((i = 0; i < ${RUNS:-3}; i++)); do
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || true
    read -r s r < "$WORK/time"
    if [[ -z $best ]] || (( $(echo "$s < $best" | bc -l) )); then best=$s; fi
    (( r > rss )) && rss=$r
  done
  secs=$best
  printf '%-34s %7.2f s %9.0f docs/s %8d KiB peak RSS\n' "$name" "$secs" \
    "$(echo "$N / $secs" | bc -l)" "$rss"
  echo "$secs" > "$WORK/secs.$name"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "input:   $N generated documents, $((BYTES / 1024)) KiB, schema $SCHEMA"
echo
measure xmllint          xargs -a "$WORK/list" xmllint --noout --nonet --schema "$SCHEMA"
for engine in libxml2 xerces; do
  for jobs in 1 2; do
    measure "kanta-$engine-jobs$jobs" "$BIN" validate --schema-dir "$SCHEMA" \
      --schema-engine "$engine" --jobs "$jobs" --format json --out /dev/null "$WORK/docs"
  done
done
ratio() { echo "scale=2; $(cat "$WORK/secs.$1") / $(cat "$WORK/secs.$2")" | bc -l; }
echo
echo "speed-up libxml2 --jobs 1 over xmllint:   $(ratio xmllint kanta-libxml2-jobs1)x"
echo "speed-up libxml2 --jobs 2 over --jobs 1:  $(ratio kanta-libxml2-jobs1 kanta-libxml2-jobs2)x"
echo "speed-up xerces  --jobs 2 over --jobs 1:  $(ratio kanta-xerces-jobs1 kanta-xerces-jobs2)x"
echo "libxml2 vs xerces (--jobs 1):             $(ratio kanta-xerces-jobs1 kanta-libxml2-jobs1)x"

if [[ ${MEMORY:-1} != 0 ]]; then
  echo
  for n in 200 20000; do
    rm -rf "$WORK/mem"
    "$GEN" --count "$n" --out "$WORK/mem" --seed 2 >/dev/null
    /usr/bin/time -f '%M' -o "$WORK/rss" "$BIN" validate --schema-dir "$SCHEMA" --jobs 2 \
      --format json --out /dev/null "$WORK/mem" >/dev/null 2>&1 || true
    echo "peak RSS for $n documents: $(cat "$WORK/rss") KiB"
    echo "$(cat "$WORK/rss")" > "$WORK/rss.$n"
  done
  echo "ratio 20000/200: $(echo "scale=2; $(cat "$WORK/rss.20000") / $(cat "$WORK/rss.200")" | bc -l)"
fi
