"""The record spools give back the records they were given, in order, holding one chunk."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest

from parsers.fingerprint import to_fingerprint
from parsers.record_spool import (
    ArticleSpool,
    Picked,
    PrintSpool,
    citations_of,
    ids_of,
    latest,
    shas_of,
)
from parsers.records import Article, Citation


def _article(i: int, text: str = "") -> Article:
    """A small seed article numbered i."""
    return Article(
        article_id=f"id-{i:04d}",
        origin="seed",
        lang="de",
        body=(f"Absatz {i}. {text}", "Zweiter Absatz."),
        extractor="seed_text",
        seed_path=f"{i:04d}.txt",
        title=f"Titel {i}",
        citations=(Citation(f"https://vnexpress.net/{i}.html"),),
    )


def test_records_come_back_equal_and_in_order_across_chunks(tmp_path: Path) -> None:
    articles = [_article(i) for i in range(25)]
    with ArticleSpool(tmp_path / "spool", chunk=10) as spool:
        spool.extend(articles[:7])
        spool.extend(articles[7:])
        assert len(spool) == 25
        assert list(spool) == articles
        assert spool[0] == articles[0] and spool[-1] == articles[-1] and spool[13] == articles[13]
        assert spool[8:12] == articles[8:12]
        # Two full chunks went to disk; the last five wait in memory.
        assert sorted(p.name for p in (tmp_path / "spool").iterdir()) == [
            "000000.pickle", "000001.pickle"
        ]
        assert ids_of(spool) == [a.article_id for a in articles]
        assert shas_of(spool) == [a.content_sha256 for a in articles]
        assert citations_of(spool) == [a.citations for a in articles]
        with pytest.raises(IndexError):
            spool[25]
    assert not (tmp_path / "spool").exists()


def test_records_are_read_from_disk_not_held(tmp_path: Path) -> None:
    with ArticleSpool(tmp_path / "spool", chunk=10) as spool:
        spool.extend(_article(i) for i in range(20))
        first = spool[3]
        # What the spool gives back is read from its file: another read is another object.
        spool[15]
        again = spool[3]
        assert again == first and again is not first


def test_iteration_sees_articles_appended_meanwhile(tmp_path: Path) -> None:
    with ArticleSpool(tmp_path / "spool", chunk=4) as spool:
        spool.extend(_article(i) for i in range(5))
        seen = []
        for a in spool:
            seen.append(a.article_id)
            if len(seen) == 2:
                spool.extend([_article(99)])
        assert seen[-1] == "id-0099" and len(seen) == 6


def test_readers_and_a_writer_in_threads_agree(tmp_path: Path) -> None:
    articles = [_article(i) for i in range(400)]
    with ArticleSpool(tmp_path / "spool", chunk=16) as spool:
        spool.extend(articles[:200])
        wrong: list[int] = []

        def read() -> None:
            for i in range(0, 200, 7):
                if spool[i] != articles[i]:
                    wrong.append(i)

        readers = [threading.Thread(target=read) for _ in range(3)]
        for t in readers:
            t.start()
        spool.extend(articles[200:])
        for t in readers:
            t.join()
        assert wrong == [] and list(spool) == articles


def test_latest_keeps_first_place_and_last_record(tmp_path: Path) -> None:
    one, two, three = _article(1), _article(2), _article(3)
    two_again = replace(_article(2, "geändert"), content_sha256="")
    two_again = Article(**{f: getattr(two_again, f) for f in Article.__dataclass_fields__
                          if f != "content_sha256"})
    with ArticleSpool(tmp_path / "spool", chunk=2) as spool:
        spool.extend([one, two, three, two_again])
        got = latest(spool)
        assert list(got) == [one, two_again, three]
        assert ids_of(got) == ["id-0001", "id-0002", "id-0003"]
        assert shas_of(got)[1] == two_again.content_sha256 != two.content_sha256
        # The same from a plain list.
        assert list(latest([one, two, three, two_again])) == [one, two_again, three]


def test_picked_reads_only_its_indexes() -> None:
    articles = [_article(i) for i in range(6)]
    picked = Picked(articles, [4, 1, 5])
    assert len(picked) == 3 and list(picked) == [articles[4], articles[1], articles[5]]
    assert picked[1:] == [articles[1], articles[5]]
    assert ids_of(Picked(picked, [2, 0])) == ["id-0005", "id-0004"]
    assert citations_of(picked) == [articles[4].citations, articles[1].citations,
                                    articles[5].citations]


def test_prints_come_back_equal_and_the_last_of_an_id_wins(tmp_path: Path) -> None:
    prints = [to_fingerprint(_article(i, f"Hanoi am {i}. März 2024")) for i in range(7)]
    # A later print of id 2 (its article changed in the night): it replaces the first.
    later = to_fingerprint(_article(2, "Ho-Chi-Minh-Stadt, 5. April 2024"))
    with PrintSpool(tmp_path / "prints", chunk=3) as spool:
        spool.extend([*prints, later])
        assert list(spool) == [*prints, later]
        assert ids_of(spool) == [p.article_id for p in [*prints, later]]
        picked = latest(spool)
        assert ids_of(picked) == [p.article_id for p in prints]
        assert list(picked) == [*prints[:2], later, *prints[3:]]
        assert later != prints[2]
    assert not (tmp_path / "prints").exists()
