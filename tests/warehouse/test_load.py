"""Loading a run's batch: idempotent upserts, lineage, history, one transaction."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import duckdb
import pytest

from parsers.records import Article, Citation, Page, to_article_id
from warehouse.load import LoadBatch, load_batch
from warehouse.state import read_pages


def _article(n: int, body: str = "Ein Absatz.") -> Article:
    """A small seed article."""
    return Article(
        article_id=to_article_id(f"seed:{n}.txt"),
        origin="seed",
        seed_path=f"{n}.txt",
        lang="de",
        body=(body,),
        extractor="seed_text/1",
        citations=(Citation(url=f"https://example.vn/{n}.htm"),),
    )


def _batch(run_id: str, articles: list[Article], **kw: object) -> LoadBatch:
    """A batch with one singleton story per article."""
    members = [
        {"story_id": "s_" + a.article_id, "article_id": a.article_id, "role": "original",
         "score": 1.0, "evidence": {}}
        for a in articles
    ]
    return LoadBatch(run_id=run_id, articles=articles, members=members, **kw)  # type: ignore[arg-type]


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Rows in a table."""
    row = con.execute(f"select count(*) from {table}").fetchone()
    assert row is not None
    return int(row[0])


def test_loading_the_same_batch_twice_adds_no_rows(fresh_db: duckdb.DuckDBPyConnection) -> None:
    articles = [_article(1), _article(2)]
    first = load_batch(fresh_db, _batch("r1", articles))
    second = load_batch(fresh_db, _batch("r2", articles))
    assert (first.articles_new, second.articles_new, second.articles_unchanged) == (2, 0, 2)
    for table, n in [("articles", 2), ("citations", 2), ("story_members", 2), ("stories", 2),
                     ("article_versions", 2)]:
        assert _count(fresh_db, table) == n, table


def test_lineage_keeps_first_seen_and_moves_last_seen(fresh_db: duckdb.DuckDBPyConnection) -> None:
    load_batch(fresh_db, _batch("r1", [_article(1)]))
    load_batch(fresh_db, _batch("r2", [_article(1)]))
    row = fresh_db.execute("select first_seen_run, last_seen_run from articles").fetchone()
    assert row == ("r1", "r2")


def test_changed_article_keeps_its_earlier_version(fresh_db: duckdb.DuckDBPyConnection) -> None:
    load_batch(fresh_db, _batch("r1", [_article(1, "Erste Fassung.")]))
    counts = load_batch(fresh_db, _batch("r2", [_article(1, "Zweite Fassung.")]))
    assert counts.articles_changed == 1
    assert fresh_db.execute("select body from articles").fetchall() == [("Zweite Fassung.",)]
    versions = fresh_db.execute(
        "select run_id, body from article_versions order by recorded_at, run_id"
    ).fetchall()
    assert versions == [("r1", "Erste Fassung."), ("r2", "Zweite Fassung.")]


def test_a_failing_load_leaves_nothing_behind(fresh_db: duckdb.DuckDBPyConnection) -> None:
    bad = _batch("r1", [_article(1)], fetches=[{"url": "u", "attempt": "not a number"}])
    with pytest.raises(Exception):  # noqa: B017 - the type is pyarrow's, the point is the rollback
        load_batch(fresh_db, bad)
    assert _count(fresh_db, "articles") == 0
    assert _count(fresh_db, "story_members") == 0


def test_pages_round_trip_compressed(fresh_db: duckdb.DuckDBPyConnection) -> None:
    body = "<html><body><p>Xin chào Việt Nam</p></body></html>".encode() * 50
    page = Page(
        url="https://example.vn/1.htm", final_url="https://example.vn/1.htm", status=200,
        fetched_at=datetime(2026, 11, 1, tzinfo=UTC), body=body,
        headers=(("Content-Type", "text/html"),), content_type="text/html", etag='"abc"',
    )
    load_batch(fresh_db, LoadBatch(run_id="r1", pages=[page]))
    load_batch(fresh_db, LoadBatch(run_id="r2", pages=[dataclasses.replace(page, etag='"def"')]))
    stored = read_pages(fresh_db)["https://example.vn/1.htm"]
    assert stored.body == body and stored.etag == '"def"'
    assert stored.body_sha256 == page.body_sha256
    size = fresh_db.execute("select octet_length(body), body_bytes from pages").fetchone()
    assert size is not None and size[0] < size[1]


def test_merged_story_is_recorded_and_its_row_removed(fresh_db: duckdb.DuckDBPyConnection) -> None:
    a, b = _article(1), _article(2)
    load_batch(fresh_db, _batch("r1", [a, b]))
    members = [
        {"story_id": "s_keep", "article_id": a.article_id, "role": "original", "score": 1.0,
         "evidence": {}},
        {"story_id": "s_keep", "article_id": b.article_id, "role": "translation", "score": 0.9,
         "evidence": {"anchors": 0.9}},
    ]
    load_batch(fresh_db, LoadBatch(run_id="r2", members=members,
                                   merges=[("s_" + b.article_id, "s_keep")]))
    stories = fresh_db.execute("select story_id, n_articles from stories order by 1").fetchall()
    assert ("s_keep", 2) in stories
    assert ("s_" + b.article_id, 1) not in stories
    merged = fresh_db.execute("select merged_id, into_id from story_merges").fetchall()
    assert merged == [("s_" + b.article_id, "s_keep")]
