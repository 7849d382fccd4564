#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL 15 cluster for the archive tests and
# benchmarks: a fresh data folder under the temp dir, owned by an unprivileged
# user (the caller, or `postgres` when run as root, since PostgreSQL refuses to
# run as root), listening on 127.0.0.1 on a free port, trust authentication.
#
#   eval "$(tools/postgresql-test-server.sh start [--fast])"
#       ... KANTA_TEST_POSTGRESQL_URL is now set (and KANTA_TEST_POSTGRESQL_DIR)
#   tools/postgresql-test-server.sh stop "$KANTA_TEST_POSTGRESQL_DIR"
#
# --fast turns fsync and synchronous_commit off: fine for tests (the server
# itself is never crashed there), never for benchmarks of durable storage.
# `start` prints only the export lines on stdout; progress goes to stderr.
set -euo pipefail

BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
die() { echo "postgresql-test-server: $*" >&2; exit 2; }

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u "$OWNER" -- "$@"; else "$@"; fi
}

cmd=${1:-}
case "$cmd" in
  start)
    fast=0
    [[ ${2:-} == --fast ]] && fast=1
    [[ -x $BIN/initdb && -x $BIN/pg_ctl ]] || die "PostgreSQL 15 is not installed ($BIN); run tools/setup.sh"
    OWNER=$(id -un)
    if [[ $(id -u) -eq 0 ]]; then
      OWNER=postgres
      getent passwd "$OWNER" >/dev/null || die "running as root needs the 'postgres' user (package postgresql-15)"
    fi
    dir=$(mktemp -d "${TMPDIR:-/tmp}/kanta-pg.XXXXXX")
    chmod 755 "$dir"
    [[ $(id -u) -eq 0 ]] && chown "$OWNER" "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$BIN/initdb" -D "$dir/data" -U kanta --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    {
      echo "listen_addresses = '127.0.0.1'"
      echo "port = $port"
      echo "unix_socket_directories = '$dir'"
      echo "max_connections = 100"
      echo "shared_buffers = 64MB"
      if [[ $fast == 1 ]]; then
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
      fi
    } | as_owner tee -a "$dir/data/postgresql.conf" >/dev/null
    as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >&2 ||
      { cat "$dir/server.log" >&2; die "the server did not start"; }
    echo "postgresql-test-server: PostgreSQL 15 on 127.0.0.1:$port, data in $dir" >&2
    echo "export KANTA_TEST_POSTGRESQL_URL='postgresql://kanta@127.0.0.1:$port/postgres'"
    echo "export KANTA_TEST_POSTGRESQL_DIR='$dir'"
    ;;
  stop)
    dir=${2:-}
    [[ -n $dir && -d $dir/data ]] || die "usage: $0 stop DIR (the KANTA_TEST_POSTGRESQL_DIR that start printed)"
    OWNER=$(stat -c %U "$dir/data")
    as_owner "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    rm -rf "$dir"
    ;;
  *)
    die "usage: $0 start [--fast] | stop DIR"
    ;;
esac
