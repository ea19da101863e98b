"""A fresh warehouse file per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from warehouse.db import open_warehouse


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test's warehouse lives."""
    return tmp_path / "wh.duckdb"


@pytest.fixture
def fresh_db(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An open, migrated warehouse on a real DuckDB file."""
    con = open_warehouse(db_path)
    yield con
    con.close()
