#!/usr/bin/env bash
# Set up, build, and run the main job on the bundled samples: validate every
# sample document and archive message, first as a readable text report, then
# as JSON in build/demo-report.json and HTML in build/demo-report.html.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh
BIN=build/tools/kanta-pipeline/kanta-pipeline
# The bundled schema is the default; until it is in the tree, fall back to the
# official Kanta schema when the shared corpus is beside the project.
SCHEMA=()
if [[ ! -f schemas/cda/CDA_Fi.xsd ]]; then
  if [[ -d ../shared/corpus/kanta/schemas ]]; then
    SCHEMA=(--schema-dir ../shared/corpus/kanta/schemas)
  else
    echo "demo: no schema: schemas/cda/CDA_Fi.xsd is missing; give one with --schema-dir" >&2
    exit 2
  fi
fi

echo "== valid samples and the archive message (expect: all valid, exit 0)"
"$BIN" validate "${SCHEMA[@]}" --no-progress samples/documents/valid samples/messages

echo
echo "== deliberately broken samples (expect: a finding for each, exit 1)"
set +e
"$BIN" validate "${SCHEMA[@]}" --no-progress samples/documents/invalid
rc=$?
set -e
[[ $rc -eq 1 ]] || { echo "demo: expected exit 1 for the broken samples, got $rc" >&2; exit 1; }

"$BIN" validate "${SCHEMA[@]}" --no-progress --format json --out build/demo-report.json samples >/dev/null || true
"$BIN" validate "${SCHEMA[@]}" --no-progress --format html --out build/demo-report.html samples >/dev/null || true
echo
echo "reports: build/demo-report.json, build/demo-report.html"
