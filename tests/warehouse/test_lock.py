"""One writer: a second run waits for the lock or fails with a clear message."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from warehouse.db import connect, open_warehouse, run_lock
from warehouse.errors import WarehouseLocked

HOLD = """
import sys, time
from pathlib import Path
from warehouse.db import run_lock, open_warehouse
path = Path(sys.argv[1])
with run_lock(path, 0):
    con = open_warehouse(path)
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    Path(sys.argv[1] + ".released").write_text(repr(time.time()))
"""


def _holder(db: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process holding the run lock and the DuckDB file."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_second_run_gets_a_clear_message_naming_the_holder(tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    proc = _holder(db, 5)
    try:
        with (
            pytest.raises(WarehouseLocked, match=rf"pid {proc.pid}.*waited 0\.2 s"),
            run_lock(db, 0.2),
        ):
            pass
    finally:
        proc.kill()
        proc.wait()


def test_second_run_waits_and_proceeds_when_the_first_ends(tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    proc = _holder(db, 1.0)
    with run_lock(db, 30):
        acquired = time.time()
    proc.wait()
    released = float(Path(str(db) + ".released").read_text())
    assert acquired >= released  # we only got in after the holder let go


def test_opening_a_file_another_process_writes_is_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    proc = _holder(db, 5)
    try:
        with pytest.raises(WarehouseLocked, match="in use by another process"):
            connect(db, read_only=True)
    finally:
        proc.kill()
        proc.wait()
    open_warehouse(db).close()  # intact after the holder was killed
