#!/usr/bin/env bash
# Benchmark of the rules stage, --jobs 1, best of RUNS (default 3) runs each,
# the runs with and without rules taken in turn (a burst of load on this
# shared machine then hits both alike):
#  1. the HL7 C-CDA R2.1 Schematron on the C-CDA R2.1 CCD example (copied N
#     times): time per document with and without the rules;
#  2. the bundled Kanta rule sets on COUNT generated documents: what they add
#     to parse + schema.
#   tools/bench/rules_bench.sh [N=200] [COUNT=2000]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-200}
COUNT=${2:-2000}
RUNS=${RUNS:-3}
BIN=$PWD/build/tools/kanta-pipeline/kanta-pipeline
GEN=$PWD/build/tools/generate/kanta-generate
CORPUS=$PWD/../shared/corpus
CCDA_SCH="$CORPUS/c-cda/ccda-2.1/validation"
CCD="$CORPUS/c-cda/ccda-2.1/examples/C-CDA_R2-1_CCD.xml"
[[ -x $BIN && -x $GEN ]] || { echo "build first: tools/build.sh" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# pair BASE_CMD RULES_CMD: sets base and rules to the best wall times.
pair() {
  base="" rules=""
  "$@" >/dev/null 2>&1 || true
  for ((i = 0; i < RUNS; i++)); do
    for which in base rules; do
      local cmd=$1
      [[ $which == rules ]] && cmd=$2
      /usr/bin/time -f '%e' -o "$WORK/t" bash -c "$cmd" >/dev/null 2>&1 || true
      local s; s=$(tail -1 "$WORK/t")
      if [[ -z ${!which} ]] || (( $(echo "$s < ${!which}" | bc -l) )); then printf -v "$which" '%s' "$s"; fi
    done
  done
}
per_doc_ms() { echo "scale=2; $1 * 1000 / $2" | bc -l; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
KANTA="$BIN validate --jobs 1 --format json --out /dev/null"
if [[ -f $CCD ]]; then
  mkdir -p "$WORK/ccd"
  for ((i = 0; i < N; i++)); do cp "$CCD" "$WORK/ccd/$i.xml"; done
  pair "$KANTA --no-default-rules $WORK/ccd" "$KANTA --no-default-rules --rules '$CCDA_SCH' $WORK/ccd"
  echo "C-CDA R2.1 rule set on the CCD example ($N copies, $(wc -c < "$CCD") bytes each):"
  echo "  parse + schema:          $(per_doc_ms "$base" "$N") ms/document"
  echo "  parse + schema + rules:  $(per_doc_ms "$rules" "$N") ms/document"
  echo "  rules alone:             $(per_doc_ms "$(echo "$rules - $base" | bc -l)" "$N") ms/document   (target < 10)"
else
  echo "(C-CDA part skipped: $CORPUS is absent)"
fi
"$GEN" --count "$COUNT" --out "$WORK/kanta" --seed 1 >/dev/null
pair "$KANTA --no-default-rules $WORK/kanta" "$KANTA $WORK/kanta"
echo "Bundled Kanta rule sets on $COUNT generated documents:"
echo "  parse + schema:          $(per_doc_ms "$base" "$COUNT") ms/document"
echo "  parse + schema + rules:  $(per_doc_ms "$rules" "$COUNT") ms/document"
echo "  rules add:               $(echo "scale=1; ($rules - $base) * 100 / $base" | bc -l) %   (target < 30 %)"
