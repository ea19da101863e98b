"""Loading a run's batch: idempotent upserts, lineage, history, one transaction."""

from __future__ import annotations

import dataclasses
import threading
import zlib
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import warehouse.load
from parsers.records import Article, Citation, Image, Page, to_article_id
from warehouse.db import open_warehouse
from warehouse.load import LoadBatch, load_batch
from warehouse.rows import compress_body
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


@dataclasses.dataclass(frozen=True)
class _Print:
    """A stored fingerprint as the load takes it: ids and the row it writes."""

    article_id: str
    content_sha256: str
    row: dict[str, object]

    def to_row(self) -> dict[str, object]:
        """The row as written."""
        return self.row


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


def test_a_stored_body_is_a_zlib_stream_the_standard_library_reads(
    fresh_db: duckdb.DuckDBPyConnection,
) -> None:
    # The contract (warehouse/README.md) tells analysts to use zlib.decompress, whatever packs it.
    body = "<p>Chính phủ họp phiên thường kỳ tháng 11</p>".encode() * 200
    assert zlib.decompress(compress_body(body)) == body
    page = Page(
        url="https://example.vn/2.htm", final_url="https://example.vn/2.htm", status=200,
        fetched_at=datetime(2026, 11, 1, tzinfo=UTC), body=body, content_type="text/html",
    )
    load_batch(fresh_db, LoadBatch(run_id="r1", pages=[page]))
    row = fresh_db.execute("select body from pages").fetchone()
    assert row is not None and zlib.decompress(row[0]) == body


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


def test_changed_article_keeps_first_seen_and_moves_the_rest(
    fresh_db: duckdb.DuckDBPyConnection,
) -> None:
    load_batch(fresh_db, _batch("r1", [_article(1, "Erste Fassung.")]))
    load_batch(fresh_db, _batch("r2", [_article(1, "Zweite Fassung.")]))
    row = fresh_db.execute(
        "select first_seen_run, last_seen_run, body, paragraphs from articles"
    ).fetchall()
    assert row == [("r1", "r2", "Zweite Fassung.", ["Zweite Fassung."])]


def test_an_article_back_to_an_earlier_text_adds_no_version(
    fresh_db: duckdb.DuckDBPyConnection,
) -> None:
    texts = [("r1", "Erste Fassung."), ("r2", "Zweite Fassung."), ("r3", "Erste Fassung.")]
    for run, text in texts:
        load_batch(fresh_db, _batch(run, [_article(1, text)]))
    versions = fresh_db.execute("select run_id from article_versions order by run_id").fetchall()
    assert versions == [("r1",), ("r2",)]
    assert fresh_db.execute("select body, last_seen_run from articles").fetchall() == [
        ("Erste Fassung.", "r3")
    ]


def test_seen_ids_move_last_seen_and_count_as_unchanged(
    fresh_db: duckdb.DuckDBPyConnection,
) -> None:
    a, b = _article(1), _article(2)
    load_batch(fresh_db, _batch("r1", [a, b]))
    counts = load_batch(fresh_db, LoadBatch(run_id="r2", articles=[a], seen_ids=[b.article_id]))
    assert (counts.articles_new, counts.articles_changed, counts.articles_unchanged) == (0, 0, 2)
    rows = fresh_db.execute("select last_seen_run, updated_at from articles").fetchall()
    assert {r[0] for r in rows} == {"r2"}
    assert _count(fresh_db, "article_versions") == 2


def _page(body: bytes, **kw: object) -> Page:
    """A fetched page of example.vn."""
    return Page(
        url="https://example.vn/1.htm", final_url="https://example.vn/1.htm", status=200,
        fetched_at=datetime(2026, 11, 1, tzinfo=UTC), body=body, **kw,  # type: ignore[arg-type]
    )


def test_a_revalidated_page_keeps_its_body_and_takes_the_new_headers(
    fresh_db: duckdb.DuckDBPyConnection,
) -> None:
    body = b"<html><p>Xin ch\xc3\xa0o</p></html>" * 20
    url = "https://example.vn/1.htm"
    load_batch(fresh_db, LoadBatch(run_id="r1", pages=[_page(body, etag='"a"')],
                                   page_articles={url: "art1"}))
    later = datetime(2026, 11, 2, tzinfo=UTC)
    again = dataclasses.replace(
        _page(body, etag='"b"', headers=(("ETag", '"b"'),)), fetched_at=later, status=304
    )
    load_batch(fresh_db, LoadBatch(run_id="r2", pages=[again]))
    stored = read_pages(fresh_db)[url]
    assert (stored.body, stored.etag, stored.status, stored.fetched_at) == (body, '"b"', 304, later)
    assert stored.headers == (("ETag", '"b"'),)
    # Not linked tonight: as when the row was rewritten whole, the page loses its article.
    assert fresh_db.execute("select article_id from pages").fetchall() == [(None,)]
    assert _count(fresh_db, "pages") == 1


def test_a_page_with_a_new_body_is_replaced(fresh_db: duckdb.DuckDBPyConnection) -> None:
    load_batch(fresh_db, LoadBatch(run_id="r1", pages=[_page(b"<p>alt</p>")]))
    load_batch(fresh_db, LoadBatch(run_id="r2", pages=[_page(b"<p>neu</p>")]))
    stored = read_pages(fresh_db)["https://example.vn/1.htm"]
    assert stored.body == b"<p>neu</p>"
    assert fresh_db.execute("select body_bytes from pages").fetchall() == [(10,)]


def test_json_columns_hold_the_text_as_written(fresh_db: duckdb.DuckDBPyConnection) -> None:
    article = dataclasses.replace(
        _article(1), images=(Image(url="https://example.vn/ả.jpg", caption="Hà Nội"),),
        provenance=(("title", "jsonld"),),
    )
    members = [{"story_id": "s1", "article_id": article.article_id, "role": "original",
                "score": 1.0, "evidence": {"anchors": 0.5}}]
    load_batch(fresh_db, LoadBatch(
        run_id="r1", articles=[article], members=members,
        fingerprints=[
            _Print(article.article_id, article.content_sha256, {"anchors": ["nm:hà nội"]})
        ],
    ))
    row = fresh_db.execute(
        "select a.images, a.provenance, typeof(a.images), f.data, m.evidence "
        "from articles as a join fingerprints as f using (article_id) "
        "join story_members as m using (article_id)"
    ).fetchone()
    assert row == (
        '[{"url":"https://example.vn/ả.jpg","file_name":null,"caption":"Hà Nội","credit":null}]',
        '{"title":"jsonld"}', "JSON", '{"anchors":["nm:hà nội"]}', '{"anchors":0.5}',
    )


def test_the_load_leaves_the_checkpoint_threshold_as_it_was(
    fresh_db: duckdb.DuckDBPyConnection,
) -> None:
    before = fresh_db.execute("select current_setting('checkpoint_threshold')").fetchone()
    load_batch(fresh_db, _batch("r1", [_article(1)]))
    after = fresh_db.execute("select current_setting('checkpoint_threshold')").fetchone()
    assert after == before


def test_a_current_text_without_its_version_row_gets_one(
    fresh_db: duckdb.DuckDBPyConnection,
) -> None:
    load_batch(fresh_db, _batch("r1", [_article(1)]))
    fresh_db.execute("delete from article_versions")  # as in a warehouse from before versions
    counts = load_batch(fresh_db, _batch("r2", [_article(1)]))
    assert counts.articles_unchanged == 1
    assert fresh_db.execute("select run_id from article_versions").fetchall() == [("r2",)]
    assert fresh_db.execute("select first_seen_run, last_seen_run from articles").fetchall() == [
        ("r1", "r2")
    ]


_TABLES = {
    "articles": "article_id, content_sha256, body, first_seen_run, last_seen_run",
    "article_versions": "article_id, content_sha256, run_id, body",
    "pages": "url, body, article_id",
    "fingerprints": "article_id, content_sha256, data",
}


def _two_nights(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    """Load 5 articles, pages and fingerprints, then a night where some changed; the tables."""
    def night(run_id: str, texts: dict[int, str]) -> LoadBatch:
        articles = [_article(n, text) for n, text in texts.items()]
        pages = [dataclasses.replace(_page(f"<p>{t}</p>".encode()), url=f"https://example.vn/{n}")
                 for n, t in texts.items()]
        return _batch(
            run_id, articles, pages=pages,
            page_articles={p.url: a.article_id for p, a in zip(pages, articles, strict=True)},
            fingerprints=[_Print(a.article_id, a.content_sha256, {"anchors": [a.body[0]]})
                          for a in articles],
        )

    load_batch(con, night("r1", {n: f"Text {n}." for n in range(5)}))
    load_batch(con, night("r2", {0: "Text 0.", 1: "Neu 1.", 2: "Text 2.", 3: "Neu 3.", 5: "T5."}))
    return {
        t: con.execute(f"select {cols} from {t} order by all").fetchall()
        for t, cols in _TABLES.items()
    }


def test_a_load_in_slices_writes_what_one_slice_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _two_nights(open_warehouse(tmp_path / "whole.duckdb"))
    monkeypatch.setattr(warehouse.load, "CHUNK_ROWS", 2)
    monkeypatch.setattr(warehouse.load, "PAGE_CHUNK_ROWS", 2)
    sliced = _two_nights(open_warehouse(tmp_path / "sliced.duckdb"))
    assert sliced == whole
    assert [len(whole[t]) for t in _TABLES] == [6, 8, 6, 6]


def test_the_load_leaves_the_memory_limit_as_it_was(
    fresh_db: duckdb.DuckDBPyConnection,
) -> None:
    before = fresh_db.execute("select current_setting('memory_limit')").fetchone()
    big = _article(1, "Ein langer Absatz. " * 20_000)
    prints = [_Print(big.article_id, "x", {})] * 10**5
    load_batch(fresh_db, _batch("r1", [big], fingerprints=prints))
    after = fresh_db.execute("select current_setting('memory_limit')").fetchone()
    assert after == before


def test_packed_bodies_come_from_a_thread_beside_the_writes(
    fresh_db: duckdb.DuckDBPyConnection,
) -> None:
    body = "<html><p>Xin chào</p></html>".encode() * 40
    page = _page(body)
    threads: list[str] = []

    def packed() -> dict[str, bytes]:
        """The night's packer: the body packed elsewhere, the page holding none."""
        threads.append(threading.current_thread().name)
        return {page.url: compress_body(body)}

    load_batch(fresh_db, _batch("r1", [_article(1)], pages=[page.without_body()]), packed=packed)
    assert read_pages(fresh_db)[page.url].body == body
    assert threads and threads[0] != threading.main_thread().name


def test_a_packing_failure_leaves_nothing_behind(fresh_db: duckdb.DuckDBPyConnection) -> None:
    def packed() -> dict[str, bytes]:
        """A packer whose worker died with nothing to show."""
        raise OSError("packing worker lost")

    with pytest.raises(OSError, match="packing worker lost"):
        load_batch(fresh_db, _batch("r1", [_article(1)], pages=[_page(b"<p>x</p>")]), packed=packed)
    assert _count(fresh_db, "articles") == 0 and _count(fresh_db, "pages") == 0


def test_a_load_writes_paragraphs_without_fsst(fresh_db: duckdb.DuckDBPyConnection) -> None:
    # FSST cost the commit ~11% of a 10k load for ~10% of the file; the load turns it off.
    words = ["Hà", "Nội", "Bộ", "trưởng", "kinh", "tế", "số", "năm", "2026", "dự", "án"]
    arts = [
        _article(n, " ".join(words[(n * k) % len(words)] for k in range(60)) + f" {n}.")
        for n in range(3000)
    ]
    load_batch(fresh_db, _batch("r1", arts))
    fresh_db.execute("checkpoint")
    used = {
        r[0]
        for r in fresh_db.execute(
            "select distinct compression from pragma_storage_info('articles') "
            "where column_name = 'paragraphs'"
        ).fetchall()
    }
    assert "FSST" not in used and used
    setting = fresh_db.execute("select current_setting('disabled_compression_methods')")
    assert setting.fetchone() == ("",)  # the connection is left as it was


def test_a_written_slice_is_let_go_before_the_commit(
    fresh_db: duckdb.DuckDBPyConnection,
) -> None:
    # A table DuckDB was given by `register` stayed alive until the commit, so slicing the
    # night's rows bounded nothing.
    texts = pa.array([f"Ein Absatz {i}. " * 400 for i in range(2_000)], pa.string())
    before = pa.total_allocated_bytes()
    fresh_db.execute("create temp table t (txt varchar)")
    fresh_db.execute("begin transaction")
    for _ in range(4):
        rows = pa.table({"txt": texts.take(pa.array(range(2_000)))})  # a copy of ~12 MB
        warehouse.load._insert_from(fresh_db, "insert into t select * from _rows", rows)
        del rows
        held = pa.total_allocated_bytes() - before
        assert held < 2_000_000, f"{held} bytes of Arrow still held mid-transaction"
    fresh_db.execute("commit")
    assert _count(fresh_db, "t") == 8_000


def test_print_rows_are_made_beside_the_writes_and_leave_no_file(
    fresh_db: duckdb.DuckDBPyConnection, db_path: Path
) -> None:
    articles = [_article(n) for n in range(3)]
    threads: list[str] = []

    class _Watched(_Print):
        """A print that notes the thread its row is made on."""

        def to_row(self) -> dict[str, object]:
            threads.append(threading.current_thread().name)
            return self.row

    prints = [_Watched(a.article_id, a.content_sha256, {"n": k}) for k, a in enumerate(articles)]
    load_batch(fresh_db, _batch("r1", articles, fingerprints=prints))
    stored = fresh_db.execute("select article_id, data from fingerprints order by data").fetchall()
    assert stored == [(a.article_id, f'{{"n":{k}}}') for k, a in enumerate(articles)]
    assert threads and all(name.startswith("load-side") for name in threads)

    def broken() -> dict[str, bytes]:
        """A packer that fails after the prints' file is written."""
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        load_batch(fresh_db, _batch("r2", [_article(9)], fingerprints=prints), packed=broken)
    # The scratch file of either load is gone; the failed one stored nothing.
    assert not list(db_path.parent.glob(".quelle-*"))
    assert fresh_db.execute("select count(*) from fingerprints").fetchone() == (3,)
