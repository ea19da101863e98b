"""The match stage: new fingerprints against stored ones, and the night's recall figure."""

from __future__ import annotations

import gc
import json
from dataclasses import replace

from flows.stages import changed_articles, citation_pairs, fingerprint_changed, match_stories
from parsers.records import Article, Citation, to_article_id, to_content_sha256
from tests.gc_watch import collections_started
from tests.parsers.matching_texts import FESTIVAL_FR, MINISTER_HANOI_EN, PORT_DE, PORT_VI

PORT_URL = "https://port.example/lach-huyen"
MINISTER_URL = "https://news.example/minister"


def _page(article: Article, url: str) -> Article:
    """The article as the page at url (its id is the URL's)."""
    return replace(article, article_id=to_article_id(url), url=url)


def _citing(article: Article, url: str) -> Article:
    """The article with a Quelle line citing url."""
    return replace(article, citations=(Citation(url),))


PORT_PAGE = _page(PORT_VI, PORT_URL)
MINISTER_PAGE = _page(MINISTER_HANOI_EN, MINISTER_URL)
# A translation that matches its source, and a seed whose cited page says something else.
PORT_SEED = _citing(PORT_DE, PORT_URL)
FESTIVAL_SEED = _citing(FESTIVAL_FR, MINISTER_URL)
NIGHT = [PORT_SEED, FESTIVAL_SEED, PORT_PAGE, MINISTER_PAGE]


def test_first_night_measures_recall_on_every_seed_source_pair() -> None:
    fps = fingerprint_changed(NIGHT, {})
    result = match_stories(NIGHT, fps, {}, {}, {})
    assert len(result.fingerprints) == 4
    assert set(result.citation_pairs) == {
        (PORT_SEED.article_id, PORT_PAGE.article_id),
        (FESTIVAL_SEED.article_id, MINISTER_PAGE.article_id),
    }
    # The port pair matches on content, the festival seed does not match its cited page.
    assert result.recall_without_citations == 0.5
    # The citation still joins the festival seed to the page it cites.
    stories = {m.article_id: m.story_id for m in result.assignment.members}
    assert stories[FESTIVAL_SEED.article_id] == stories[MINISTER_PAGE.article_id]


def test_a_later_night_measures_only_pairs_with_a_changed_article() -> None:
    first = fingerprint_changed(NIGHT, {})
    stored = {fp.article_id: json.dumps(fp.to_row(), default=str) for fp in first}
    known = {a.article_id: a.content_sha256 for a in NIGHT}
    edited = replace(PORT_SEED, body=(*PORT_SEED.body, "Der Hafen ist der größte im Norden."))
    edited = replace(edited, content_sha256=to_content_sha256(edited))
    night = [edited, FESTIVAL_SEED, PORT_PAGE, MINISTER_PAGE]
    assert list(changed_articles(night, known)) == [edited]
    fps = fingerprint_changed(night, known)
    result = match_stories(night, fps, known, stored, {})
    assert [f.article_id for f in result.fingerprints] == [edited.article_id]
    assert result.citation_pairs == ((edited.article_id, PORT_PAGE.article_id),)
    assert result.recall_without_citations == 1.0


def test_an_unchanged_night_matches_nothing_and_reports_no_recall() -> None:
    known = {a.article_id: a.content_sha256 for a in NIGHT}
    assert fingerprint_changed(NIGHT, known) == []
    result = match_stories(NIGHT, [], known, {}, {})
    assert result.recall_without_citations is None
    assert result.edges == () and result.citation_pairs == ()


def test_citation_pairs_resolve_canonical_and_raw_urls_alike() -> None:
    page = to_article_id(PORT_URL)
    ids = {page, "seed-a", "seed-b", "seed-c", "seed-d"}
    citations = [
        ("seed-a", PORT_URL),  # canonical: its own id is the page's
        ("seed-b", "HTTPS://Port.Example:443/lach-huyen?utm_source=x#top"),  # raw
        ("seed-c", "https://port.example/not-fetched"),
        ("seed-d", PORT_URL),
        ("seed-a", "https://PORT.example/lach-huyen"),  # the same pair again
        (page, PORT_URL),  # a page citing itself
    ]
    assert citation_pairs(citations, ids) == [
        ("seed-a", page), ("seed-b", page), ("seed-d", page)
    ]


def test_matching_against_many_stored_prints_runs_no_collection() -> None:
    fps = fingerprint_changed(NIGHT, {})
    row = fps[0].to_row()
    stored = {
        f"s{k:05d}": json.dumps({**row, "article_id": f"s{k:05d}"}, default=str)
        for k in range(3000)
    }
    with collections_started() as collections:
        result = match_stories(NIGHT, fps, {}, stored, {})
    # One young collection may run as the collector restarts, counting what it missed.
    assert len(result.assignment.members) == 3004 and len(collections) <= 1
    assert gc.isenabled()
