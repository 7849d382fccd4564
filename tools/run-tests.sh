#!/usr/bin/env bash
# Set up, build and run every test (unit, corpus, command-line end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh
cd build
ctest --output-on-failure -j "$(nproc)"
