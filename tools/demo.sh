#!/usr/bin/env bash
# Set up, build, and run the main job on the bundled samples:
#  1. validate the sample documents and the archive message (text report;
#     JSON and HTML reports in build/);
#  2. ingest every sample into a fresh SQLite archive (build/demo-archive.sqlite):
#     for each document, the register it landed in and why, or why it was refused;
#  3. show what the archive holds: the authorisations in force and what one
#     provider may read from it.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh
BIN=build/tools/kanta-pipeline/kanta-pipeline

echo "== validate: the valid samples and the archive message (expect: all valid, exit 0)"
"$BIN" validate --no-progress samples/documents/valid samples/messages

echo
echo "== validate: deliberately broken samples (expect: a finding for each, exit 1)"
set +e
"$BIN" validate --no-progress samples/documents/invalid
rc=$?
set -e
[[ $rc -eq 1 ]] || { echo "demo: expected exit 1 for the broken samples, got $rc" >&2; exit 1; }
"$BIN" validate --no-progress --format json --out build/demo-report.json samples >/dev/null || true
"$BIN" validate --no-progress --format html --out build/demo-report.html samples >/dev/null || true

ARCHIVE=build/demo-archive.sqlite
rm -rf "$ARCHIVE" "$ARCHIVE"-wal "$ARCHIVE"-shm build/demo-outbox
echo
echo "== ingest: authorisations first, then every document to its register (expect: exit 1, some refused)"
set +e
"$BIN" ingest --no-progress --archive "sqlite:$ARCHIVE" --directory samples/directory.json \
  --emit-messages build/demo-outbox \
  samples/outsourcing samples/social-welfare samples/documents/valid samples/messages samples/authorisations
rc=$?
set -e
[[ $rc -eq 1 ]] || { echo "demo: expected exit 1 (refused documents) from ingest, got $rc" >&2; exit 1; }

echo
echo "== the authorisations in force on 2026-06-15"
"$BIN" authorisations list --archive "sqlite:$ARCHIVE" --at 2026-06-15

echo
echo "== what the private provider Testilääkärit Oy may read on 2026-06-15"
"$BIN" archive list --archive "sqlite:$ARCHIVE" --directory samples/directory.json \
  --as 1.2.246.10.90000033.10.0 --at 2026-06-15

echo
echo "reports: build/demo-report.json, build/demo-report.html; archive: $ARCHIVE;"
echo "archive messages of the stored documents: build/demo-outbox"
