"""`quelle sql` and `quelle export` on a real warehouse file."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from flows.cli import main
from warehouse.db import open_warehouse


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A warehouse with two rejects in it."""
    path = tmp_path / "wh.duckdb"
    con = open_warehouse(path)
    con.execute(
        "insert into rejects values ('r1', 'read_seed', 'a.txt', 'empty file', now()), "
        "('r1', 'fetch', 'https://x.vn/1', 'dns: no such host', now())"
    )
    con.close()
    return path


def test_select_prints_a_table(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "select stage, input from rejects order by stage", "--db", str(db)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split(" | ")[0].strip() == "stage"
    assert "fetch" in out[2] and "read_seed" in out[3]
    assert out[-1] == "(2 rows)"


def test_csv_and_json_outputs(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["sql", "select input from rejects order by input", "--db", str(db), "--csv"])
    assert capsys.readouterr().out.splitlines() == ["input", "a.txt", "https://x.vn/1"]
    query = "select input, rejected_at from rejects order by input"
    main(["sql", query, "--db", str(db), "--json"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows[0]["input"] == "a.txt" and "T" in rows[0]["rejected_at"]


def test_sql_cannot_write_unless_asked(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "delete from rejects", "--db", str(db)]) == 1
    assert "read-only" in capsys.readouterr().err
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from rejects").fetchone() == (2,)
    con.close()
    delete = "delete from rejects where stage = 'fetch'"
    assert main(["sql", delete, "--db", str(db), "--write"]) == 0
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from rejects").fetchone() == (1,)
    con.close()


def test_missing_warehouse_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sql", "select 1", "--db", str(tmp_path / "none.duckdb")]) == 2
    assert "quelle run" in capsys.readouterr().err


def test_export_writes_every_table_as_parquet(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    assert main(["export", "--parquet", str(out), "--db", str(db)]) == 0
    assert (out / "rejects.parquet").exists() and (out / "runs.parquet").exists()
    rows = duckdb.sql(f"select count(*) from '{out / 'rejects.parquet'}'").fetchone()
    assert rows == (2,)
