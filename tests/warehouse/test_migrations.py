"""Numbered migrations: a new file gets them all, an old one is upgraded in place."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse import db as wdb
from warehouse.db import apply_migrations, open_warehouse, read_migrations, schema_version
from warehouse.errors import MigrationError


def test_new_warehouse_is_at_the_newest_version(db_path: Path) -> None:
    con = open_warehouse(db_path)
    assert schema_version(con) == max(v for v, _, _ in read_migrations())
    con.close()


def test_opening_twice_applies_nothing_again(db_path: Path) -> None:
    open_warehouse(db_path).close()
    con = duckdb.connect(str(db_path))
    assert apply_migrations(con) == []
    con.close()


def test_an_old_warehouse_is_upgraded_in_place_keeping_its_rows(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    every = read_migrations()
    monkeypatch.setattr(wdb, "read_migrations", lambda: every[:1])
    con = open_warehouse(db_path)
    con.execute(
        "insert into rejects values ('r0', 'read_seed', 'old.txt', 'empty file', now())"
    )
    con.execute("insert into runs (run_id, started_at, status) values ('r0', now(), 'completed')")
    assert "quelle_version" not in _columns(con, "runs")
    con.close()
    monkeypatch.setattr(wdb, "read_migrations", lambda: every)
    con = open_warehouse(db_path)
    assert len(every) >= 2 and schema_version(con) == every[-1][0]
    assert {"quelle_version", "shard"} <= _columns(con, "runs")
    assert con.execute("select input from rejects").fetchall() == [("old.txt",)]
    assert con.execute("select run_id, quelle_version from runs").fetchall() == [("r0", None)]
    con.close()


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """Column names of a table."""
    rows = con.execute(
        "select column_name from information_schema.columns where table_name = ?", [table]
    ).fetchall()
    return {r[0] for r in rows}


def test_a_broken_migration_leaves_the_previous_version(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = read_migrations()
    broken = [*good, (999, "999_broken.sql", "create table ok_t (a int); select * from nowhere;")]
    monkeypatch.setattr(wdb, "read_migrations", lambda: broken)
    with pytest.raises(MigrationError, match="999_broken"):
        open_warehouse(db_path)
    con = duckdb.connect(str(db_path))
    assert schema_version(con) == good[-1][0]
    assert con.execute(
        "select count(*) from information_schema.tables where table_name = 'ok_t'"
    ).fetchone() == (0,)
    con.close()
