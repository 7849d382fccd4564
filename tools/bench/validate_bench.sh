#!/usr/bin/env bash
# Benchmark: `kanta-pipeline validate` against `xmllint --schema` (one
# process for the whole batch) on the same files, in one run.
#
#   tools/bench/validate_bench.sh [COUNT] [SCHEMA.xsd]
#
# COUNT documents (default 2000) are generated with kanta-generate (seed 1)
# into a temporary folder. SCHEMA defaults to the bundled schemas/cda/CDA_Fi.xsd.
# Like is compared with like: xmllint checks the schema only, so the kanta
# contenders it is compared with run with --no-default-rules; the run with
# the bundled rule sets is reported on its own line.
# Every contender runs once to warm the page cache, then RUNS times (default
# 3) in turn (contender after contender, so a burst of load on this shared
# machine hits them all alike); the fastest wall time is kept, with the CPU
# time (user + system) of that run. Prints documents per second, peak RSS,
# the ratios asked for in docs/performance.md, and peak RSS for 200 vs
# 20,000 documents (MEMORY=0 skips that part).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
COUNT=${1:-2000}
SCHEMA=${2:-$ROOT/schemas/cda/CDA_Fi.xsd}
RUNS=${RUNS:-3}
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

names=() cmds=()
contender() { names+=("$1"); cmds+=("$2"); }
KANTA="$BIN validate --schema-dir $SCHEMA --format json --out /dev/null"
contender xmllint            "xargs -a $WORK/list xmllint --noout --nonet --schema $SCHEMA"
contender kanta-jobs1        "$KANTA --no-default-rules --jobs 1 $WORK/docs"
contender kanta-jobs2        "$KANTA --no-default-rules --jobs 2 $WORK/docs"
contender kanta-rules-jobs1  "$KANTA --jobs 1 $WORK/docs"
contender xerces-jobs1       "$KANTA --no-default-rules --schema-engine xerces --jobs 1 $WORK/docs"
contender xerces-jobs2       "$KANTA --no-default-rules --schema-engine xerces --jobs 2 $WORK/docs"

declare -A best cpu rss
for i in "${!names[@]}"; do bash -c "${cmds[$i]}" >/dev/null 2>&1 || true; done
for ((r = 0; r < RUNS; r++)); do
  for i in "${!names[@]}"; do
    n=${names[$i]}
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" bash -c "${cmds[$i]}" >/dev/null 2>&1 || true
    read -r s u sy m < "$WORK/time"
    if [[ -z ${best[$n]:-} ]] || (( $(echo "$s < ${best[$n]}" | bc -l) )); then
      best[$n]=$s
      cpu[$n]=$(echo "$u + $sy" | bc -l)
    fi
    (( m > ${rss[$n]:-0} )) && rss[$n]=$m
  done
done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input:   $N generated documents, $((BYTES / 1024)) KiB, schema $SCHEMA; best of $RUNS"
echo
printf '%-20s %8s %8s %10s %10s\n' contender wall cpu docs/s 'peak RSS'
for n in "${names[@]}"; do
  printf '%-20s %7.2fs %7.2fs %10.0f %7d KiB\n' "$n" "${best[$n]}" "${cpu[$n]}" \
    "$(echo "$N / ${best[$n]}" | bc -l)" "${rss[$n]}"
done
ratio() { echo "scale=2; ${best[$1]} / ${best[$2]}" | bc -l; }
echo
echo "xmllint / kanta --jobs 1 (schema only):      $(ratio xmllint kanta-jobs1)x   (target >= 1)"
echo "kanta --jobs 1 / --jobs 2 (schema only):     $(ratio kanta-jobs1 kanta-jobs2)x   (target >= 1.7)"
echo "bundled rules add to --jobs 1:               $(echo "scale=1; (${best[kanta-rules-jobs1]} - ${best[kanta-jobs1]}) * 100 / ${best[kanta-jobs1]}" | bc -l) %   (target < 30 %)"
echo "xerces --jobs 1 / --jobs 2:                  $(ratio xerces-jobs1 xerces-jobs2)x"
echo "xerces / libxml2 (--jobs 1):                 $(ratio xerces-jobs1 kanta-jobs1)x"

if [[ ${MEMORY:-1} != 0 ]]; then
  echo
  for n in 200 20000; do
    rm -rf "$WORK/mem"
    "$GEN" --count "$n" --out "$WORK/mem" --seed 2 >/dev/null
    /usr/bin/time -f '%M' -o "$WORK/rss" "$BIN" validate --schema-dir "$SCHEMA" --jobs 2 \
      --format json --out /dev/null "$WORK/mem" >/dev/null 2>&1 || true
    echo "peak RSS for $n documents (--jobs 2, bundled rules): $(cat "$WORK/rss") KiB"
    cp "$WORK/rss" "$WORK/rss.$n"
  done
  echo "ratio 20000/200: $(echo "scale=2; $(cat "$WORK/rss.20000") / $(cat "$WORK/rss.200")" | bc -l)   (target <= 1.3)"
fi
