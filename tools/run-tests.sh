#!/usr/bin/env bash
# Set up, build and run every test (unit, corpus, command-line end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh
# The PostgreSQL archive tests run against a throwaway local server, unless
# KANTA_TEST_POSTGRESQL_URL already names one.
if [[ -z ${KANTA_TEST_POSTGRESQL_URL:-} ]]; then
  if pg_env=$(tools/postgresql-test-server.sh start --fast); then
    eval "$pg_env"
    trap "'$PWD/tools/postgresql-test-server.sh' stop '$KANTA_TEST_POSTGRESQL_DIR'" EXIT
  else
    echo "run-tests.sh: could not start PostgreSQL; its archive tests will be skipped" >&2
  fi
fi
cd build
ctest --output-on-failure -j "$(nproc)"
