"""`quelle sql` and `quelle export`: the warehouse for people, read-only unless asked."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from warehouse.db import connect, open_warehouse
from warehouse.export import export_parquet


def _cell(value: Any, width: int) -> str:
    """One value as table text, cut to the column width."""
    if value is None:
        text = "NULL"
    elif isinstance(value, datetime):
        text = value.isoformat(sep=" ")
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(columns: list[str], rows: list[tuple[Any, ...]], width: int) -> str:
    """Rows as an aligned text table with a header rule and a row count."""
    cells = [[_cell(v, width) for v in row] for row in rows]
    widths = [len(c) for c in columns]
    for row in cells:
        widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]
    line = " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))
    rule = "-+-".join("-" * w for w in widths)
    body = [" | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join([line, rule, *body, f"({len(rows)} row{'s' if len(rows) != 1 else ''})"])


def _json_default(value: Any) -> Any:
    """JSON for the values DuckDB returns that json does not know."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def run_sql(db: Path | None, query: str, fmt: str, write: bool, width: int) -> int:
    """Run one statement and print its rows as a table, CSV or JSON lines."""
    assert db is not None
    con = open_warehouse(db) if write else connect(db, read_only=True)
    try:
        try:
            cur = con.execute(query)
        except duckdb.Error as exc:
            hint = " (the warehouse is opened read-only; add --write to change it)" if (
                "read-only" in str(exc).lower()
            ) else ""
            print(f"quelle sql: {exc}{hint}", file=sys.stderr)
            return 1
        if cur.description is None:
            print("ok")
            return 0
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
    finally:
        con.close()
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif fmt == "json":
        for row in rows:
            print(json.dumps(dict(zip(columns, row, strict=True)), default=_json_default,
                             ensure_ascii=False))
    else:
        print(format_table(columns, rows, width))
    return 0


def run_export(db: Path | None, out_dir: Path) -> int:
    """Write every table as Parquet under out_dir (articles partitioned by date)."""
    assert db is not None
    con = connect(db, read_only=True)
    try:
        written = export_parquet(con, out_dir)
    finally:
        con.close()
    for name, rows in written.items():
        print(f"{name}: {rows} rows")
    print(f"written to {out_dir}")
    return 0
