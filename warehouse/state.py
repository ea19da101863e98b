"""What a run reads before it works: archive, known articles, stories; fingerprints to match."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from parsers.records import Page
from warehouse.rows import from_page_row, to_json


@dataclass(frozen=True, slots=True)
class WarehouseState:
    """The stored facts a run compares its new work against."""

    known_sha: dict[str, str]  # article_id → content_sha256
    members: dict[str, str]  # article_id → story_id
    roles: dict[str, str]  # article_id → role
    citations: list[tuple[str, str]]  # (citing article_id, cited canonical URL)
    page_articles: dict[str, str]  # archived page URL → the article parsed from it


def read_state(con: duckdb.DuckDBPyConnection) -> WarehouseState:
    """Read article hashes, memberships and citations of everything stored."""
    known = dict(con.execute("select article_id, content_sha256 from articles").fetchall())
    rows = con.execute("select article_id, story_id, role from story_members").fetchall()
    members = {r[0]: r[1] for r in rows}
    roles = {r[0]: r[2] for r in rows}
    citations = [
        (r[0], r[1]) for r in con.execute("select article_id, url from citations").fetchall()
    ]
    page_articles = dict(
        con.execute("select url, article_id from pages where article_id is not null").fetchall()
    )
    return WarehouseState(
        known_sha=known, members=members, roles=roles, citations=citations,
        page_articles=page_articles,
    )


def read_fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every stored Fingerprint row as JSON text by article_id, for a night that matches: at
    100k articles they are ~600 MB, which an unchanged night need not read or hold."""
    return dict(con.execute("select article_id, data from fingerprints").fetchall())


def read_pages(
    con: duckdb.DuckDBPyConnection, urls: Sequence[str] | None = None, bodies: bool = True
) -> dict[str, Page]:
    """Archived pages by URL: the given ones, or all of them (for replay).

    bodies=False reads what revisits need (validators, hash, size) and leaves the bodies on
    disk: decompressing every cited page cost an unchanged night of 10k pages 13 s.
    """
    sql = "select * from pages" if bodies else "select * exclude (body) from pages"
    if urls is not None:
        # A registered Arrow column, not a bound list: DuckDB converts bound lists item by item.
        con.register("_wanted", pa.table({"url": pa.array(list(urls), pa.string())}))
        sql += " where url in (select url from _wanted)"
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    if urls is not None:
        con.unregister("_wanted")
    return {row[0]: from_page_row(dict(zip(names, row, strict=True))) for row in rows}


def read_cited_urls(con: duckdb.DuckDBPyConnection, since: datetime) -> list[str]:
    """URLs cited by articles seen since a date (for `quelle run --since`)."""
    rows = con.execute(
        """
        select distinct c.url from citations as c join articles as a using (article_id)
        where a.updated_at >= ? or a.published_at >= ?
        """,
        [since, since],
    ).fetchall()
    return [r[0] for r in rows]


def start_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    flow_run_id: str | None,
    started_at: datetime,
    seeds_dir: str,
    shard: str | None = None,
) -> None:
    """Record a run as running, committed at once so a crash leaves a trace.

    The caller holds the run lock, so a run still marked running was killed: say so.
    """
    con.execute(
        "update runs set status = 'failed', finished_at = ?, "
        "error = 'interrupted: the process ended before the run finished' "
        "where status = 'running'",
        [started_at],
    )
    con.execute(
        "insert into runs (run_id, flow_run_id, started_at, status, seeds_dir, quelle_version, "
        "shard) values (?, ?, ?, 'running', ?, ?, ?)",
        [run_id, flow_run_id, started_at, seeds_dir, quelle_version(), shard],
    )


def quelle_version() -> str:
    """The installed quelle version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("quelle")
    except PackageNotFoundError:
        return "unknown"


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    status: str,
    counts: dict[str, Any],
    timings: dict[str, float],
    error: str | None,
    report: str,
    finished_at: datetime,
) -> None:
    """Close the run's row with its outcome."""
    con.execute(
        "update runs set finished_at = ?, status = ?, counts = ?, timings = ?, error = ?, "
        "report = ? where run_id = ?",
        [finished_at, status, to_json(counts), to_json(timings), error, report, run_id],
    )
