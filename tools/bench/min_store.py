#!/usr/bin/env python3
"""The least any SQLite (WAL) archive must spend storing a batch.

Reads every *.xml under DOCS into memory first (that is not timed), then
inserts each document's bytes, with its id and, with --sha256, the SHA-256 of
its bytes, into a fresh WAL database with the settings kanta's archive uses
(16 KiB pages, synchronous=NORMAL, a RESTART checkpoint every 4 MiB stored),
64 documents to a transaction (--batch), on one thread. No metadata, no index but the
id's, no journal, resolution, stamping or report: what is left is the storing that issue 5
requires of every ingest. Prints the CPU time (user + system) of each of
--runs runs into a fresh database, and the lowest: on a shared machine other
load only ever adds to it.

    tools/bench/min_store.py DOCS DATABASE [--sha256] [--runs N] [--batch N] [--random-indexes K]
    tools/bench/min_store.py DOCS DATABASE [--sha256] --beside COMMAND...

--random-indexes K adds K text columns of random values, each indexed, as
the archive indexes the id, set id and patient, whose values arrive in no
order: what such indexes cost the storing, with --batch documents to a
transaction.

With --beside, after one untimed run (a process's first run costs more than
the later ones), COMMAND is started at the same moment as one timed run, so
that the two share the machine as an ingest's validation and storing do.
It prints COMMAND's wall and CPU time, the storing's, and the wall time until
both are done.

ingest_bench.sh uses it to print the highest ingest/validate ratio that any
ingest storing into SQLite could reach on the machine: storing alone, and
storing beside `validate`.
"""
import argparse
import hashlib
import os
import pathlib
import random
import sqlite3
import subprocess
import sys
import threading
import time

CHECKPOINT_BYTES = 4 << 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("docs", type=pathlib.Path, help="folder of documents (*.xml, recursive)")
    parser.add_argument("database", type=pathlib.Path, help="SQLite file to create (replaced)")
    parser.add_argument("--sha256", action="store_true", help="hash every document's bytes too")
    parser.add_argument("--runs", type=int, default=3, help="runs, each into a fresh database")
    parser.add_argument("--batch", type=int, default=64, help="documents to a transaction")
    parser.add_argument("--random-indexes", type=int, default=0, metavar="K",
                        help="K more text columns of random values, each indexed")
    parser.add_argument("--beside", nargs=argparse.REMAINDER, metavar="COMMAND",
                        help="time one run beside COMMAND (the rest of the line), started with it")
    args = parser.parse_args()

    documents = [p.read_bytes() for p in sorted(args.docs.rglob("*.xml"))]
    if not documents:
        print(f"min_store.py: no *.xml under {args.docs}", file=sys.stderr)
        return 2
    if args.beside:
        return beside(documents, args)
    cpus = [store(documents, args) for _ in range(max(args.runs, 1))]
    print(f"min_store: lowest cpu {min(cpus):.2f} s")
    return 0


def beside(documents, args) -> int:
    """Starts args.beside and a timed store at the same moment; prints both."""
    store(documents, args, label=" (warm-up)")
    settle(args.database)
    command: dict = {}
    started = time.monotonic()
    child = subprocess.Popen(args.beside, stdout=subprocess.DEVNULL)

    def reap():
        _, status, usage = os.wait4(child.pid, 0)
        command.update(wall=time.monotonic() - started, cpu=usage.ru_utime + usage.ru_stime,
                       status=os.waitstatus_to_exitcode(status))

    reaper = threading.Thread(target=reap)
    reaper.start()
    store(documents, args, settled=True, label=" (beside the command)")
    reaper.join()
    both = time.monotonic() - started
    print(f"min_store: the command beside it: wall {command['wall']:.2f} s, "
          f"cpu {command['cpu']:.2f} s; both done after {both:.2f} s")
    if command["status"] != 0:
        print(f"min_store.py: the command exited with {command['status']}", file=sys.stderr)
        return 1
    return 0


def settle(database: pathlib.Path) -> None:
    """Removes `database` and lets the disk catch up before a timed run."""
    for suffix in ("", "-wal", "-shm"):
        pathlib.Path(str(database) + suffix).unlink(missing_ok=True)
    os.sync()
    time.sleep(1)


def store(documents, args, settled: bool = False, label: str = "") -> float:
    """One timed run into a fresh args.database; prints it and returns its CPU time.

    settled: settle(args.database) was called already (the run then starts at once).
    label: said after "min_store" in the line printed.
    """
    database, sha256, batch = args.database, args.sha256, max(args.batch, 1)
    extra = [f"r{k}" for k in range(args.random_indexes)]
    keys = [[f"1.2.246.10.{random.getrandbits(48)}" for _ in extra] for _ in documents]
    if not settled:
        settle(database)

    start, started = os.times(), time.monotonic()
    db = sqlite3.connect(database, isolation_level=None)
    for pragma in ("page_size=16384", "journal_mode=WAL", "synchronous=NORMAL",
                   "wal_autocheckpoint=0"):
        db.execute(f"PRAGMA {pragma}")
    columns = "".join(f"{c} TEXT NOT NULL, " for c in extra)
    db.execute("CREATE TABLE documents (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, "
               f"sha256 TEXT NOT NULL, {columns}bytes BLOB)")
    for c in extra:
        db.execute(f"CREATE INDEX documents_{c} ON documents ({c})")
    insert = (f"INSERT INTO documents (id, sha256, {''.join(c + ', ' for c in extra)}bytes) "
              f"VALUES ({'?, ' * (len(extra) + 2)}?)")
    pending = 0
    for first in range(0, len(documents), batch):
        db.execute("BEGIN")
        for n, data in enumerate(documents[first:first + batch], start=first):
            digest = hashlib.sha256(data).hexdigest() if sha256 else ""
            db.execute(insert, (str(n), digest, *keys[n], data))
            pending += len(data)
        db.execute("COMMIT")
        if pending >= CHECKPOINT_BYTES:
            db.execute("PRAGMA wal_checkpoint(RESTART)")
            pending = 0
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    end, wall = os.times(), time.monotonic() - started

    user, system = end.user - start.user, end.system - start.system
    print(f"min_store{label}: {len(documents)} documents, {sum(map(len, documents)) >> 20} MiB"
          f"{', SHA-256' if sha256 else ''}: wall {wall:.2f} s, user {user:.2f} s, "
          f"system {system:.2f} s, cpu {user + system:.2f} s")
    return user + system


if __name__ == "__main__":
    sys.exit(main())
