#!/usr/bin/env python3
"""Which tables and indexes a SQLite server's commits write.

Copy the database's `-wal` file now and then while a benchmark runs (e.g. every 0.4 s), then:

    python3 crates/bench/scripts/wal_frames.py DB COPY.wal [COPY.wal ...]

In each copy, the frames of the current log generation (their salts equal the header's) are cut
into commits (a frame with a non-zero database size ends one); a commit seen in several copies
counts once. Each frame's page is mapped to its b-tree through SQLite's `dbstat` table (pages
that changed owner since are few). Commits that write a points or stored-value ledger page are
counted apart as member commits; commits of under 50 frames (checkpoint bookkeeping, small
writes) are left out. Prints the average frames per commit for each b-tree.
"""
import collections
import sqlite3
import struct
import sys


def main(db, copies):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    owner = dict(con.execute("SELECT pageno, name FROM dbstat"))
    groups = {"plain": [collections.Counter(), 0], "member": [collections.Counter(), 0]}
    seen = set()
    for path in copies:
        data = open(path, "rb").read()
        if len(data) < 32:
            continue
        salts = struct.unpack(">II", data[16:24])
        off, index, pending = 32, 0, collections.Counter()
        while off + 24 + page_size <= len(data):
            page, db_size, s1, s2 = struct.unpack(">IIII", data[off:off + 16])
            if (s1, s2) != salts:
                break
            pending[owner.get(page, "?")] += 1
            if db_size:
                key = (salts, index)
                index += 1
                if key not in seen and sum(pending.values()) >= 50:
                    seen.add(key)
                    member = pending["points_ledger"] or pending["stored_value_ledger"]
                    group = groups["member" if member else "plain"]
                    group[0].update(pending)
                    group[1] += 1
                pending = collections.Counter()
            off += 24 + page_size
    for name, (frames, commits) in groups.items():
        if not commits:
            continue
        print(f"{name}: {commits} commits, {sum(frames.values()) / commits:.1f} frames per commit")
        for btree, n in frames.most_common(25):
            print(f"  {btree:<40} {n / commits:7.2f}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
