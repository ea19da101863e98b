"""The pinned duckdb shell opens the file quelle writes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from warehouse.db import open_warehouse, read_migrations


def test_the_duckdb_shell_reads_our_warehouse(db_path: Path) -> None:
    con = open_warehouse(db_path)
    con.execute("insert into rejects values ('r1', 'read_seed', 'ä.txt', 'empty file', now())")
    con.close()
    shell = Path(sys.executable).with_name("duckdb")
    out = subprocess.run(
        [str(shell), "-csv", "-readonly", str(db_path), "-c",
         "select input, (select max(version) from schema_version) as v from rejects"],
        capture_output=True, text=True, check=True, timeout=60,
    )
    latest = read_migrations()[-1][0]
    assert out.stdout.splitlines()[1] == f'"ä.txt",{latest}'
