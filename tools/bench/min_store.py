#!/usr/bin/env python3
"""The least any SQLite (WAL) archive must spend storing a batch.

Reads every *.xml under DOCS into memory first (that is not timed), then
inserts each document's bytes, with its id and, with --sha256, the SHA-256 of
its bytes, into a fresh WAL database with the settings kanta's archive uses
(16 KiB pages, synchronous=NORMAL, a RESTART checkpoint every 4 MiB stored),
64 documents to a transaction, on one thread. No metadata, no index but the
id's, no journal, resolution, stamping or report: what is left is the storing that issue 5
requires of every ingest. Prints the CPU time (user + system) of each of
--runs runs into a fresh database, and the lowest: on a shared machine other
load only ever adds to it.

    tools/bench/min_store.py DOCS DATABASE [--sha256] [--runs N]

ingest_bench.sh uses it to print the highest ingest/validate ratio that any
ingest storing into SQLite could reach on the machine.
"""
import argparse
import hashlib
import os
import pathlib
import sqlite3
import sys
import time

BATCH = 64
CHECKPOINT_BYTES = 4 << 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("docs", type=pathlib.Path, help="folder of documents (*.xml, recursive)")
    parser.add_argument("database", type=pathlib.Path, help="SQLite file to create (replaced)")
    parser.add_argument("--sha256", action="store_true", help="hash every document's bytes too")
    parser.add_argument("--runs", type=int, default=3, help="runs, each into a fresh database")
    args = parser.parse_args()

    documents = [p.read_bytes() for p in sorted(args.docs.rglob("*.xml"))]
    if not documents:
        print(f"min_store.py: no *.xml under {args.docs}", file=sys.stderr)
        return 2
    cpus = [store(documents, args.database, args.sha256) for _ in range(max(args.runs, 1))]
    print(f"min_store: lowest cpu {min(cpus):.2f} s")
    return 0


def store(documents, database: pathlib.Path, sha256: bool) -> float:
    """One timed run into a fresh `database`; prints it and returns its CPU time."""
    for suffix in ("", "-wal", "-shm"):
        pathlib.Path(str(database) + suffix).unlink(missing_ok=True)
    os.sync()
    time.sleep(1)

    start, started = os.times(), time.monotonic()
    db = sqlite3.connect(database, isolation_level=None)
    for pragma in ("page_size=16384", "journal_mode=WAL", "synchronous=NORMAL",
                   "wal_autocheckpoint=0"):
        db.execute(f"PRAGMA {pragma}")
    db.execute("CREATE TABLE documents (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, "
               "sha256 TEXT NOT NULL, bytes BLOB)")
    pending = 0
    for first in range(0, len(documents), BATCH):
        db.execute("BEGIN")
        for n, data in enumerate(documents[first:first + BATCH], start=first):
            digest = hashlib.sha256(data).hexdigest() if sha256 else ""
            db.execute("INSERT INTO documents (id, sha256, bytes) VALUES (?, ?, ?)",
                       (str(n), digest, data))
            pending += len(data)
        db.execute("COMMIT")
        if pending >= CHECKPOINT_BYTES:
            db.execute("PRAGMA wal_checkpoint(RESTART)")
            pending = 0
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    end, wall = os.times(), time.monotonic() - started

    user, system = end.user - start.user, end.system - start.system
    print(f"min_store: {len(documents)} documents, {sum(map(len, documents)) >> 20} MiB"
          f"{', SHA-256' if sha256 else ''}: wall {wall:.2f} s, user {user:.2f} s, "
          f"system {system:.2f} s, cpu {user + system:.2f} s")
    return user + system


if __name__ == "__main__":
    sys.exit(main())
