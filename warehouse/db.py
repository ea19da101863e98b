"""Opening the warehouse: one writer, migrations applied in order, views refreshed."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

from warehouse.errors import DuplicateView, MigrationError, WarehouseError, WarehouseLocked

LOCK_POLL_S = 0.2


def read_migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every numbered migration, in order."""
    folder = resources.files("warehouse") / "migrations"
    found = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), name, entry.read_text(encoding="utf-8")))
    versions = [v for v, _, _ in found]
    if len(versions) != len(set(versions)):
        raise MigrationError(f"two migrations share a number: {sorted(versions)}")
    return sorted(found)


def read_views() -> dict[str, str]:
    """View name → its SQL (`select …`), one file each under warehouse/views/."""
    folder = resources.files("warehouse") / "views"
    views: dict[str, str] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".sql"):
            continue
        name = entry.name[:-4]
        if name in views:
            raise DuplicateView(name)
        views[name] = entry.read_text(encoding="utf-8")
    return views


def apply_migrations(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Bring the schema to the newest version, each migration in its own transaction."""
    con.execute(
        "create table if not exists schema_version "
        "(version integer not null, name varchar not null, applied_at timestamptz not null)"
    )
    done = {row[0] for row in con.execute("select version from schema_version").fetchall()}
    applied = []
    for version, name, sql in read_migrations():
        if version in done:
            continue
        try:
            con.execute("begin transaction")
            con.execute(sql)
            con.execute(
                "insert into schema_version values (?, ?, current_timestamp)", [version, name]
            )
            con.execute("commit")
        except duckdb.Error as exc:
            con.execute("rollback")
            raise MigrationError(f"migration {name} failed: {exc}") from exc
        applied.append(version)
    return applied


def apply_views(con: duckdb.DuckDBPyConnection) -> None:
    """Create or replace every view from its file, a view after the views it reads."""
    pending = read_views()
    while pending:
        failed: dict[str, str] = {}
        errors = []
        for name, sql in pending.items():
            try:
                con.execute(f"create or replace view {name} as {sql.strip().rstrip(';')}")
            except duckdb.CatalogException as exc:  # reads a view not created yet
                failed[name] = sql
                errors.append(f"{name}: {exc}")
        if len(failed) == len(pending):
            raise WarehouseError("views cannot be created: " + "; ".join(errors))
        pending = failed


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The newest migration applied to this warehouse (0 for a new file)."""
    row = con.execute("select coalesce(max(version), 0) from schema_version").fetchone()
    return int(row[0]) if row else 0


# DuckDB's default (80% of RAM) let a 10k-page load hold ~500 MB more than it needs; with a
# cap it writes blocks out sooner (measured: same speed, a third of the extra memory). It
# fills its cap with blocks already written: loading 100k seed articles peaked +819 MB over
# the start with 512 MB, +541 with 256 (21.8 and 21.0 s); 128 MB took 26 s.
MEMORY = os.environ.get("QUELLE_DB_MEMORY_LIMIT", "256MB")
# Rows per row group of what a connection writes (DuckDB's default is 122,880). DuckDB writes
# a transaction's full row groups to the file before the commit, so with smaller ones a
# night's new rows leave memory as they are inserted instead of waiting for the one commit:
# at 100k (110k articles) the load added 0.04 GB to the peak RSS instead of 3.4, under the
# 512 MB cap, in 31.9 and 43.1 s against 35.7 (bench/load_rowgroups.py shows the mechanism).
ROW_GROUP_ROWS = 16_384
# The name the warehouse file is attached under (analysts' SQL does not need it).
CATALOG = "warehouse"


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the DuckDB file, turning a lock conflict into a clear WarehouseLocked."""
    if read_only and not path.exists():
        raise WarehouseError(f"no warehouse at {path}: run `quelle run` first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    # DuckDB sets the row group size only on ATTACH; spills go beside the file, as a file
    # opened directly would put them, not into the working directory.
    quoted = str(path).replace("'", "''")
    con = duckdb.connect(config={"memory_limit": MEMORY, "temp_directory": f"{path}.tmp"})
    try:
        mode = ", READ_ONLY" if read_only else ""
        con.execute(f"attach '{quoted}' as {CATALOG} (ROW_GROUP_SIZE {ROW_GROUP_ROWS}{mode})")
        con.execute(f"use {CATALOG}")
    except BaseException as exc:
        con.close()
        if not isinstance(exc, duckdb.IOException):
            raise
        if "lock" in str(exc).lower():
            raise WarehouseLocked(
                f"the warehouse {path} is in use by another process (a running `quelle run`?); "
                "try again when it has finished"
            ) from exc
        raise WarehouseError(f"cannot open the warehouse {path}: {exc}") from exc
    return con


def open_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """Open for writing, migrate and refresh the views."""
    con = connect(path)
    try:
        apply_migrations(con)
        apply_views(con)
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def run_lock(path: Path, wait_s: float) -> Iterator[None]:
    """Hold the run lock beside the warehouse; wait up to wait_s for another run to finish."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_s
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
                    raise WarehouseLocked(
                        f"another quelle run (pid {holder}) is writing {path}; waited {wait_s:g} s "
                        "(set QUELLE_LOCK_WAIT_S to wait longer)"
                    ) from None
                time.sleep(LOCK_POLL_S)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)
