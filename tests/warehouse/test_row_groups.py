"""The warehouse is written in small row groups: a night's rows leave memory before its commit."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa

from tests.conftest import ROOT
from warehouse.db import ROW_GROUP_ROWS, connect, open_warehouse


def test_tables_are_written_in_row_groups_of_row_group_rows(tmp_path: Path) -> None:
    con = open_warehouse(tmp_path / "w.duckdb")
    con.execute("create table scratch as select range as n from range(3 * ROW_GROUP_ROWS + 7)"
                .replace("ROW_GROUP_ROWS", str(ROW_GROUP_ROWS)))
    counts = con.execute(
        "select row_group_id, max(count) from pragma_storage_info('scratch') group by 1 order by 1"
    ).fetchall()
    con.close()
    assert [c for _, c in counts] == [ROW_GROUP_ROWS] * 3 + [7]


def _written_before_commit(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Bytes the file grew by while four row groups of text were inserted, uncommitted."""
    con.execute("create table scratch (body varchar)")
    con.execute("checkpoint")
    empty = path.stat().st_size
    rng = random.Random(7)
    words = [f"w{i}" for i in range(5000)]
    con.execute("begin")
    for _ in range(4):
        # As the load inserts: an Arrow table by name, one slice at a time.
        texts = [" ".join(rng.choices(words, k=60)) for _ in range(ROW_GROUP_ROWS)]
        rows = pa.table({"body": texts})  # noqa: F841 - read by name in the SQL
        con.execute("insert into scratch select * from rows")
    written = path.stat().st_size - empty
    con.execute("rollback")
    return written


def test_full_row_groups_reach_the_file_before_the_commit(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    open_warehouse(path).close()
    con = connect(path)
    written = _written_before_commit(con, path)
    con.close()
    assert written > 2**20
    # Rolled back: none of it is in the warehouse.
    con = connect(path, read_only=True)
    assert con.execute("select count(*) from scratch").fetchone() == (0,)
    con.close()


def test_with_duckdbs_own_row_groups_nothing_is_written_before_the_commit(
    tmp_path: Path,
) -> None:
    path = tmp_path / "plain.duckdb"
    con = duckdb.connect(str(path))  # what connect's ATTACH option changes
    written = _written_before_commit(con, path)
    con.close()
    assert written == 0


_KILLED_MID_INSERT = """
import os, random, signal, sys
import pyarrow as pa
from pathlib import Path
from warehouse.db import ROW_GROUP_ROWS, connect
con = connect(Path(sys.argv[1]))
rng = random.Random(7)
con.execute("begin")
for _ in range(4):
    texts = [" ".join(rng.choices("abcdefgh", k=200)) for _ in range(ROW_GROUP_ROWS)]
    rows = pa.table({"body": texts})
    con.execute("insert into scratch select * from rows")
print(os.path.getsize(sys.argv[1]), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_load_killed_after_writing_row_groups_leaves_the_warehouse_usable(
    tmp_path: Path,
) -> None:
    path = tmp_path / "w.duckdb"
    con = open_warehouse(path)
    con.execute("create table scratch (body varchar)")
    con.execute("insert into scratch values ('committed')")
    con.execute("checkpoint")
    before = path.stat().st_size
    con.close()
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_MID_INSERT, str(path)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL
    assert int(killed.stdout) > before  # row groups were in the file when it died
    con = open_warehouse(path)
    assert con.execute("select body from scratch").fetchall() == [("committed",)]
    con.execute("insert into scratch select 'again ' || range from range(3 * 16384)")
    con.execute("checkpoint")
    con.close()
    con = connect(path, read_only=True)
    assert con.execute("select count(*) from scratch").fetchone() == (3 * 16384 + 1,)
    con.close()


def test_a_read_only_connection_reads_the_same_tables(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    open_warehouse(path).close()
    con = connect(path, read_only=True)
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    con.close()
    assert {"articles", "pages", "stories", "story_members", "runs", "rejects"} <= tables
