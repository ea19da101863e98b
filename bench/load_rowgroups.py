"""How much of one big uncommitted insert DuckDB keeps in memory, by row group size and cap.

    .venv/bin/python bench/load_rowgroups.py default 4GB     # the warehouse's row groups
    .venv/bin/python bench/load_rowgroups.py default 512MB
    .venv/bin/python bench/load_rowgroups.py 16384 512MB     # a file ATTACHed with ROW_GROUP_SIZE

Inserts 110k rows of ~6 KB generated text (a 100k night's articles) in 11 Arrow chunks inside
one transaction, then commits; prints the process's RSS after each chunk, the commit's time,
the peak RSS and the file's size before the checkpoint.
"""

from __future__ import annotations

import os
import random
import resource
import sys
import tempfile
import time

import duckdb
import pyarrow as pa

CHUNKS, ROWS, WORDS = 11, 10_000, 900


def rss_mb() -> int:
    """This process's resident memory now."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def main(mode: str, limit: str) -> None:
    """Insert, commit and report for one row group size ("default" or a number) and cap."""
    path = os.path.join(tempfile.mkdtemp(prefix="rowgroups-"), "probe.duckdb")
    if mode == "default":
        con, db = duckdb.connect(path, config={"memory_limit": limit}), "main"
    else:
        con, db = duckdb.connect(config={"memory_limit": limit}), "w"
        con.execute(f"attach '{path}' as w (ROW_GROUP_SIZE {int(mode)})")
    con.execute(f"create table {db}.a (id varchar, body varchar, paras varchar[])")
    rng = random.Random(1)
    vocab = ["Hà Nội", "Bộ", "chuyển đổi", "số", "Regierung", "„Zitat“"]
    vocab += [f"w{i}" for i in range(3000)]
    start = time.perf_counter()
    con.execute("begin")
    for chunk in range(CHUNKS):
        bodies = [" ".join(rng.choices(vocab, k=WORDS)) for _ in range(ROWS)]
        rows = pa.table({
            "id": [f"{chunk}-{i}" for i in range(ROWS)],
            "body": bodies,
            "paras": [b.split(" w1 ") for b in bodies],
        })
        con.execute(f"insert into {db}.a select * from rows")
        del rows, bodies
        print(f"chunk {chunk}: RSS {rss_mb()} MB, {time.perf_counter() - start:.1f} s", flush=True)
    size = os.path.getsize(path) // 2**20
    commit = time.perf_counter()
    con.execute("commit")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    took, total = time.perf_counter() - commit, time.perf_counter() - start
    print(f"commit {took:.1f} s, total {total:.1f} s, peak RSS {peak} MB, "
          f"file before commit {size} MB")


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "default"
    main(mode, sys.argv[2] if len(sys.argv) > 2 else "512MB")
