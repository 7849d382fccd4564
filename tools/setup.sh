#!/usr/bin/env bash
# Installs every Debian package kanta-pipeline needs to build, test and run.
# Idempotent; run as root (or with sudo available) on Debian 12.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # libraries
  libxml2-dev libxerces-c-dev libpoco-dev libcli11-dev libssl-dev
  libxmlsec1-dev libxslt1-dev libsqlite3-dev libpq-dev
  # the allocator linked into the program (docs/performance.md; KANTA_ALLOCATOR=system opts out)
  libjemalloc-dev
  # the PostgreSQL archive tests start a throwaway server (tools/postgresql-test-server.sh)
  postgresql-15 sqlite3
  # tests and benchmarks
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  libxml2-utils xsltproc xmlsec1 openssl python3 time bc
)

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "setup.sh: run as root (or install sudo)" >&2; exit 2
  fi
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup.sh: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi
echo "setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
