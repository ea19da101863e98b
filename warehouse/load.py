"""One run's load: every table in one transaction, upserts by key, lineage and history."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from parsers.records import Article, Page
from warehouse.errors import to_clear_error
from warehouse.rows import TS, to_article_rows, to_fetch_rows, to_json, to_page_rows


@dataclass(frozen=True, slots=True)
class LoadBatch:
    """Everything a run writes, as values; the loader is the only writer."""

    run_id: str
    articles: Sequence[Article] = ()
    pages: Sequence[Page] = ()
    page_articles: Mapping[str, str] = field(default_factory=dict)  # page url → article_id
    fetches: Sequence[Mapping[str, Any]] = ()
    rejects: Sequence[tuple[str, str, str]] = ()  # (stage, input, reason)
    fingerprints: Sequence[tuple[str, str, Mapping[str, Any]]] = ()  # (article_id, sha, row)
    members: Sequence[Mapping[str, Any]] = ()  # story_id, article_id, role, score, evidence
    merges: Sequence[tuple[str, str]] = ()  # (merged_id, into_id)
    # Articles seen again unchanged without being re-parsed (their page did not change).
    seen_ids: Sequence[str] = ()
    compressed: Mapping[str, bytes] = field(default_factory=dict)  # page url → zlib body


@dataclass(frozen=True, slots=True)
class LoadCounts:
    """What the load changed, for the run report."""

    articles_new: int
    articles_changed: int
    articles_unchanged: int
    pages: int
    fetches: int
    rejects: int
    stories: int
    members: int


def load_batch(
    con: duckdb.DuckDBPyConnection, batch: LoadBatch, fault_pause_s: float = 0.0
) -> LoadCounts:
    """Write the batch in one transaction; on any error nothing of it stays.

    fault_pause_s > 0 (tests only) pauses inside the transaction, after the articles are
    written, and marks the pause with a file `<db>.fault-pause`, so a test can kill the
    process mid-load.
    """
    now = datetime.now(UTC)
    con.execute("begin transaction")
    try:
        new, changed, same = _load_articles(con, batch, now)
        same += _mark_seen(con, batch)
        _load_citations(con, batch.articles)
        if fault_pause_s > 0:
            _pause_for_fault(con, fault_pause_s)
        _load_pages(con, batch)
        _insert(con, "fetches", to_fetch_rows(batch.run_id, batch.fetches))
        _load_rejects(con, batch, now)
        _load_fingerprints(con, batch)
        n_stories = _load_stories(con, batch, now)
        con.execute("commit")
    except BaseException as exc:
        _rollback(con)
        clear = to_clear_error(exc, "file")  # the flow names the path
        if clear is not exc:
            raise clear from exc
        raise
    return LoadCounts(
        articles_new=new,
        articles_changed=changed,
        articles_unchanged=same,
        pages=len(batch.pages),
        fetches=len(batch.fetches),
        rejects=len(batch.rejects),
        stories=n_stories,
        members=len(batch.members),
    )


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back, tolerating a transaction DuckDB already aborted (e.g. a failed commit)."""
    with contextlib.suppress(duckdb.Error):
        con.execute("rollback")


def _register_ids(con: duckdb.DuckDBPyConnection, name: str, ids: Sequence[str]) -> None:
    """Make a list of ids a one-column view (a bound Python list costs ~1 ms per 1000 ids)."""
    con.register(name, pa.table({"id": pa.array(list(ids), pa.string())}))


def _pause_for_fault(con: duckdb.DuckDBPyConnection, seconds: float) -> None:
    """Hold the open transaction still so a test can SIGKILL the loader in the middle."""
    row = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    marker = Path(f"{row[0]}.fault-pause") if row and row[0] else None
    if marker:
        marker.write_text(str(os.getpid()))
    time.sleep(seconds)


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    """Bulk insert an Arrow table by column name (table names are ours, never input)."""
    if rows.num_rows:
        con.register("_rows", rows)
        con.execute(f"insert into {table} by name select * from _rows")
        con.unregister("_rows")


def _load_articles(
    con: duckdb.DuckDBPyConnection, batch: LoadBatch, now: datetime
) -> tuple[int, int, int]:
    """Upsert articles by id; keep every distinct content version in article_versions."""
    unique = list({a.article_id: a for a in batch.articles}.values())
    if not unique:
        return 0, 0, 0
    rows = to_article_rows(unique)
    con.register("_new", rows)
    counts = con.execute(
        """
        select
            count(*) filter (where a.article_id is null),
            count(*) filter (
                where a.article_id is not null and a.content_sha256 <> n.content_sha256
            ),
            count(*) filter (where a.content_sha256 = n.content_sha256)
        from _new as n left join articles as a using (article_id)
        """
    ).fetchone()
    con.execute(
        """
        insert into article_versions
        select n.article_id, n.content_sha256, ?, ?, n.title, n.lead, n.body,
               n.published_at, n.author, n.extractor
        from _new as n
        anti join article_versions as v
            on v.article_id = n.article_id and v.content_sha256 = n.content_sha256
        """,
        [batch.run_id, now],
    )
    con.execute(
        """
        merge into articles as a
        using (select *, ?::varchar as run_id, ?::timestamptz as now from _new) as n
        on a.article_id = n.article_id
        when matched and a.content_sha256 = n.content_sha256 then update set
            last_seen_run = n.run_id
        when matched then update set
            origin = n.origin, seed_path = n.seed_path, url = n.url, site = n.site,
            lang = n.lang, title = n.title, lead = n.lead, body = n.body,
            paragraphs = n.paragraphs, published_at = n.published_at,
            modified_at = n.modified_at, author = n.author, section = n.section,
            tags = n.tags, canonical_url = n.canonical_url, images = n.images,
            provenance = n.provenance, extractor = n.extractor,
            content_sha256 = n.content_sha256, last_seen_run = n.run_id, updated_at = n.now
        when not matched then insert (
            article_id, origin, seed_path, url, site, lang, title, lead, body, paragraphs,
            published_at, modified_at, author, section, tags, canonical_url, images,
            provenance, extractor, content_sha256, first_seen_run, last_seen_run, updated_at
        ) values (
            n.article_id, n.origin, n.seed_path, n.url, n.site, n.lang, n.title, n.lead,
            n.body, n.paragraphs, n.published_at, n.modified_at, n.author, n.section, n.tags,
            n.canonical_url, n.images, n.provenance, n.extractor, n.content_sha256,
            n.run_id, n.run_id, n.now
        )
        """,
        [batch.run_id, now],
    )
    con.unregister("_new")
    assert counts is not None
    return int(counts[0]), int(counts[1]), int(counts[2])


def _mark_seen(con: duckdb.DuckDBPyConnection, batch: LoadBatch) -> int:
    """Move last_seen_run for articles whose unchanged page was not parsed again."""
    if not batch.seen_ids:
        return 0
    _register_ids(con, "_seen", batch.seen_ids)
    con.execute(
        "update articles set last_seen_run = ? where article_id in (select id from _seen)",
        [batch.run_id],
    )
    con.unregister("_seen")
    return len(set(batch.seen_ids))


def _load_citations(con: duckdb.DuckDBPyConnection, articles: Sequence[Article]) -> None:
    """Replace the citations of every article in the batch."""
    ids = sorted({a.article_id for a in articles})
    if not ids:
        return
    rows = pa.table(
        {
            "article_id": [a.article_id for a in articles for _ in a.citations],
            "url": [c.url for a in articles for c in a.citations],
            "kind": [c.kind for a in articles for c in a.citations],
            "text": [c.text for a in articles for c in a.citations],
        },
        schema=pa.schema(
            [(n, pa.string()) for n in ("article_id", "url", "kind", "text")]
        ),
    )
    _register_ids(con, "_ids", ids)
    con.execute("delete from citations where article_id in (select id from _ids)")
    con.unregister("_ids")
    _insert(con, "citations", rows.group_by(rows.column_names).aggregate([]))


def _load_pages(con: duckdb.DuckDBPyConnection, batch: LoadBatch) -> None:
    """Upsert the archive: one row per URL, the latest response."""
    pages = list({p.url: p for p in batch.pages}.values())
    if pages:
        con.register("_pages", to_page_rows(pages, batch.page_articles, batch.compressed))
        con.execute("delete from pages where url in (select url from _pages)")
        con.execute("insert into pages by name select * from _pages")
        con.unregister("_pages")
    # A page revalidated (304) or re-parsed keeps its body but may gain its article.
    if batch.page_articles:
        links = pa.table(
            {
                "url": list(batch.page_articles),
                "article_id": list(batch.page_articles.values()),
            }
        )
        con.register("_links", links)
        con.execute(
            "update pages set article_id = l.article_id from _links as l "
            "where pages.url = l.url and pages.article_id is distinct from l.article_id"
        )
        con.unregister("_links")


def _load_rejects(con: duckdb.DuckDBPyConnection, batch: LoadBatch, now: datetime) -> None:
    """Append this run's rejects."""
    rows = pa.table(
        {
            "run_id": [batch.run_id] * len(batch.rejects),
            "stage": [r[0] for r in batch.rejects],
            "input": [r[1] for r in batch.rejects],
            "reason": [r[2] for r in batch.rejects],
            "rejected_at": pa.array([now] * len(batch.rejects), TS),
        }
    )
    _insert(con, "rejects", rows)


def _load_fingerprints(con: duckdb.DuckDBPyConnection, batch: LoadBatch) -> None:
    """Replace the fingerprints of the batch's articles."""
    fps = list({fp[0]: fp for fp in batch.fingerprints}.values())
    if not fps:
        return
    rows = pa.table(
        {
            "article_id": [f[0] for f in fps],
            "content_sha256": [f[1] for f in fps],
            "data": [to_json(f[2]) for f in fps],
        }
    )
    con.register("_fps", rows)
    con.execute("delete from fingerprints where article_id in (select article_id from _fps)")
    con.execute("insert into fingerprints by name select * from _fps")
    con.unregister("_fps")


def _load_stories(con: duckdb.DuckDBPyConnection, batch: LoadBatch, now: datetime) -> int:
    """Replace the batch's memberships, record merges, rebuild the touched stories."""
    members = list({m["article_id"]: m for m in batch.members}.values())
    if not members and not batch.merges:
        return 0
    rows = pa.table(
        {
            "story_id": [m["story_id"] for m in members],
            "article_id": [m["article_id"] for m in members],
            "role": [m["role"] for m in members],
            "score": pa.array([float(m["score"]) for m in members], pa.float64()),
            "evidence": [to_json(m["evidence"]) for m in members],
        }
    )
    con.register("_rows", rows)
    con.execute("create or replace temp table _members as select * from _rows")
    con.unregister("_rows")
    # A member placed only by its earlier story keeps the evidence it was matched on.
    con.execute(
        """
        update _members set score = old.score, evidence = old.evidence
        from story_members as old
        where _members.article_id = old.article_id
          and json_keys(_members.evidence::json) = ['previous']
        """
    )
    touched = con.execute(
        """
        select story_id from _members
        union select story_id from story_members
            where article_id in (select article_id from _members)
        """
    ).fetchall()
    touched_ids = [t[0] for t in touched] + [m for m, _ in batch.merges]
    con.execute("delete from story_members where article_id in (select article_id from _members)")
    con.execute("insert into story_members by name select * from _members")
    con.execute("drop table _members")
    for merged_id, into_id in batch.merges:
        con.execute(
            "insert into story_merges values (?, ?, ?, ?)", [merged_id, into_id, batch.run_id, now]
        )
    _register_ids(con, "_touched", touched_ids)
    con.execute("delete from stories where story_id in (select id from _touched)")
    con.execute(
        """
        insert into stories by name
        select
            m.story_id,
            arg_min(m.article_id, case m.role when 'original' then 0 else 1 end)
                as canonical_article_id,
            arg_min(
                coalesce(a.title, left(a.body, 120)),
                case m.role when 'original' then 0 else 1 end
            ) as title,
            count(*)::integer as n_articles,
            list_sort(list_distinct(list(a.lang))) as langs,
            min(a.published_at) as first_published_at,
            min(a.first_seen_run) as first_seen_run,
            ?::timestamptz as updated_at
        from story_members as m
        join articles as a using (article_id)
        where m.story_id in (select id from _touched)
        group by m.story_id
        """,
        [now],
    )
    con.unregister("_touched")
    return len({m["story_id"] for m in members})
