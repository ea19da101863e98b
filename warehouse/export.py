"""Parquet export of every table; articles partitioned by publication date."""

from __future__ import annotations

from pathlib import Path

import duckdb


def _quote(path: Path) -> str:
    """A path as a SQL string literal (COPY takes no bound parameter for its target)."""
    return "'" + str(path).replace("'", "''") + "'"


def export_parquet(con: duckdb.DuckDBPyConnection, out_dir: Path) -> dict[str, int]:
    """Write each base table to out_dir; returns rows written per table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' and table_schema = 'main' order by table_name"
        ).fetchall()
    ]
    written: dict[str, int] = {}
    for table in tables:
        row = con.execute(f'select count(*) from "{table}"').fetchone()
        written[table] = int(row[0]) if row else 0
        if table == "articles":
            target = out_dir / "articles"
            con.execute(
                "copy (select *, coalesce(cast(published_at as date), cast(updated_at as date)) "
                f"as date from articles) to {_quote(target)} "
                "(format parquet, partition_by (date), overwrite_or_ignore true)"
            )
        else:
            con.execute(
                f'copy "{table}" to {_quote(out_dir / (table + ".parquet"))} (format parquet)'
            )
    return written
