#!/usr/bin/env bash
# Set up, build, and run the main job on the bundled samples: validate every
# sample document and archive message, first as a readable text report, then
# as JSON in build/demo-report.json and HTML in build/demo-report.html.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh
BIN=build/tools/kanta-pipeline/kanta-pipeline

echo "== valid samples and the archive message (expect: all valid, exit 0)"
"$BIN" validate --no-progress samples/documents/valid samples/messages

echo
echo "== deliberately broken samples (expect: a finding for each, exit 1)"
set +e
"$BIN" validate --no-progress samples/documents/invalid
rc=$?
set -e
[[ $rc -eq 1 ]] || { echo "demo: expected exit 1 for the broken samples, got $rc" >&2; exit 1; }

"$BIN" validate --no-progress --format json --out build/demo-report.json samples >/dev/null || true
"$BIN" validate --no-progress --format html --out build/demo-report.html samples >/dev/null || true
echo
echo "reports: build/demo-report.json, build/demo-report.html"
