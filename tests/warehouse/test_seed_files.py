"""The seed-file record: what the next run may skip, and only while its article stands."""

from __future__ import annotations

import duckdb

from parsers.records import Article, Citation, to_article_id
from warehouse.load import LoadBatch, load_batch
from warehouse.seed_files import SeedFile, read_seed_files
from warehouse.state import quelle_version

DIR = "/srv/seeds"


def _article(name: str) -> Article:
    """A seed article citing two pages."""
    return Article(
        article_id=to_article_id(f"seed:{name}"), origin="seed", seed_path=name, lang="de",
        body=(f"Meldung aus {name}.",), extractor="seed_text/1",
        citations=(Citation("https://b.vn/2.htm"), Citation("https://a.vn/1.htm")),
    )


def _file(a: Article, stat: tuple[int, int, int, int] = (10, 1, 2, 3)) -> SeedFile:
    """The record of the file an article came from."""
    assert a.seed_path is not None
    return SeedFile(a.seed_path, stat, a.article_id, a.content_sha256)


def _load(con: duckdb.DuckDBPyConnection, run: str, arts: list[Article], **kw: object) -> None:
    """One run's load with its seed files recorded for DIR."""
    files = [_file(a) for a in arts]
    load_batch(con, LoadBatch(run_id=run, articles=arts, seed_files=files, seeds_dir=DIR, **kw))


def test_the_record_reads_back_with_each_files_citations(
    fresh_db: duckdb.DuckDBPyConnection,
) -> None:
    a, b = _article("a.txt"), _article("b.txt")
    _load(fresh_db, "r1", [a, b])
    known = read_seed_files(fresh_db, DIR, quelle_version())
    assert known == {
        "a.txt": SeedFile("a.txt", (10, 1, 2, 3), a.article_id, a.content_sha256,
                          ("https://a.vn/1.htm", "https://b.vn/2.htm")),
        "b.txt": SeedFile("b.txt", (10, 1, 2, 3), b.article_id, b.content_sha256,
                          ("https://a.vn/1.htm", "https://b.vn/2.htm")),
    }
    assert read_seed_files(fresh_db, "/other/seeds", quelle_version()) == {}
    assert read_seed_files(fresh_db, DIR, "another version") == {}


def test_a_run_replaces_the_record_of_its_directory(
    fresh_db: duckdb.DuckDBPyConnection,
) -> None:
    a, b = _article("a.txt"), _article("b.txt")
    _load(fresh_db, "r1", [a, b])
    load_batch(fresh_db, LoadBatch(run_id="other", seed_files=[_file(a)], seeds_dir="/x"))
    _load(fresh_db, "r2", [a])  # b.txt is gone (or rejected) tonight
    assert set(read_seed_files(fresh_db, DIR, quelle_version())) == {"a.txt"}
    assert set(read_seed_files(fresh_db, "/x", quelle_version())) == {"a.txt"}
    load_batch(fresh_db, LoadBatch(run_id="replay"))  # no seeds_dir: the record stays
    assert set(read_seed_files(fresh_db, DIR, quelle_version())) == {"a.txt"}


def test_a_file_whose_article_changed_or_went_is_not_known(
    fresh_db: duckdb.DuckDBPyConnection,
) -> None:
    a, b = _article("a.txt"), _article("b.txt")
    _load(fresh_db, "r1", [a, b])
    fresh_db.execute("update articles set content_sha256 = 'edited' where article_id = ?",
                     [a.article_id])
    fresh_db.execute("delete from articles where article_id = ?", [b.article_id])
    assert read_seed_files(fresh_db, DIR, quelle_version()) == {}
