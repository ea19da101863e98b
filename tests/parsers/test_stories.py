"""Stories: one per matched group, stable ids, recorded merges, roles, no weak chaining."""

from __future__ import annotations

import gc
from dataclasses import replace
from datetime import UTC, datetime

from parsers.fingerprint import Fingerprint, to_fingerprint
from parsers.matching import Edge, match_new
from parsers.stories import StoryAssignment, assign_stories, to_story_id
from tests.gc_watch import collections_started
from tests.parsers.matching_texts import (
    FESTIVAL_FR,
    MINISTER_DANANG_EN,
    MINISTER_HANOI_DE,
    MINISTER_HANOI_EN,
    PORT_DE,
    PORT_VI,
    seed_article,
)

SEEDS = {n: to_fingerprint(seed_article(n)) for n in ("000", "001", "002", "003", "004")}


def _fps(*fps: Fingerprint) -> dict[str, Fingerprint]:
    return {fp.article_id: fp for fp in fps}


def _story_of(assignment: StoryAssignment, article_id: str) -> str:
    (member,) = [m for m in assignment.members if m.article_id == article_id]
    return member.story_id


def _bare(aid: str, lang: str = "en") -> Fingerprint:
    return Fingerprint(article_id=aid, lang=lang, content_sha256=aid, published_at=None)


def test_seeds_000_and_001_form_one_story_and_the_rest_stay_apart() -> None:
    fps = _fps(*SEEDS.values())
    result = assign_stories(fps, match_new(list(fps.values()), [], use_citations=False), {}, set())
    assert len(result.members) == 5
    stories = {n: _story_of(result, fp.article_id) for n, fp in SEEDS.items()}
    assert stories["000"] == stories["001"]
    assert len({stories[n] for n in ("000", "002", "003", "004")}) == 4


def test_vietnamese_original_is_canonical_and_german_is_its_translation() -> None:
    fps = _fps(SEEDS["000"], SEEDS["001"])
    result = assign_stories(fps, match_new(list(fps.values()), []), {}, set())
    roles = {m.article_id: m.role for m in result.members}
    assert roles == {SEEDS["001"].article_id: "original", SEEDS["000"].article_id: "translation"}
    (translation,) = [m for m in result.members if m.role == "translation"]
    assert translation.score > 0 and "nm" in translation.evidence
    assert {m.story_id for m in result.members} == {to_story_id(SEEDS["001"].article_id)}


def test_cited_source_is_the_canonical_original() -> None:
    fps = _fps(SEEDS["000"], SEEDS["001"])
    result = assign_stories(fps, match_new(list(fps.values()), []), {}, {SEEDS["000"].article_id})
    original = [m.article_id for m in result.members if m.role == "original"]
    assert original == [SEEDS["000"].article_id]


def test_story_ids_are_stable_and_a_growing_story_keeps_its_id() -> None:
    port_vi, port_de = to_fingerprint(PORT_VI), to_fingerprint(PORT_DE)
    festival = to_fingerprint(FESTIVAL_FR)
    first_fps = _fps(port_vi, festival)
    first = assign_stories(first_fps, match_new(list(first_fps.values()), []), {}, set())
    again = assign_stories(first_fps, match_new(list(first_fps.values()), []), {}, set())
    assert first == again
    previous = {m.article_id: m.story_id for m in first.members}
    second_fps = _fps(port_vi, festival, port_de)
    second = assign_stories(second_fps, match_new([port_de], [port_vi, festival]), previous, set())
    assert _story_of(second, port_de.article_id) == previous[port_vi.article_id]
    assert _story_of(second, festival.article_id) == previous[festival.article_id]
    assert second.merges == ()


def test_merge_keeps_the_larger_story_and_records_the_other() -> None:
    fps = _fps(*(_bare(x) for x in ("a1", "a2", "b1", "n")))
    previous = {"a1": "s_big", "a2": "s_big", "b1": "s_small"}
    edges = [
        Edge("a1", "n", 0.9, {"anchors": 0.9}),
        Edge("a2", "n", 0.8, {"anchors": 0.8}),
        Edge("b1", "n", 0.9, {"anchors": 0.9}),
    ]
    result = assign_stories(fps, edges, previous, set())
    assert {m.story_id for m in result.members} == {"s_big"}
    assert result.merges == (("s_small", "s_big"),)


def test_one_weak_edge_does_not_chain_two_stories() -> None:
    ids = ("a1", "a2", "a3", "b1", "b2", "b3")
    fps = _fps(*(_bare(x) for x in ids))
    edges = [
        Edge("a1", "a2", 0.9),
        Edge("a1", "a3", 0.9),
        Edge("a2", "a3", 0.9),
        Edge("b1", "b2", 0.9),
        Edge("b1", "b3", 0.9),
        Edge("b2", "b3", 0.9),
        Edge("a3", "b1", 0.3),
    ]
    result = assign_stories(fps, edges, {}, set())
    assert _story_of(result, "a1") == _story_of(result, "a3")
    assert _story_of(result, "b1") == _story_of(result, "b3")
    assert _story_of(result, "a3") != _story_of(result, "b1")


def test_citation_edge_joins_regardless_of_linkage() -> None:
    ids = ("a1", "a2", "a3", "c")
    fps = _fps(*(_bare(x) for x in ids))
    edges = [
        Edge("a1", "a2", 0.9),
        Edge("a1", "a3", 0.9),
        Edge("a2", "a3", 0.9),
        Edge("a1", "c", 1.0, {"citation": 1.0}),
    ]
    result = assign_stories(fps, edges, {}, {"c"})
    assert len({m.story_id for m in result.members}) == 1
    assert [m.article_id for m in result.members if m.role == "original"] == ["c"]


def test_every_article_gets_exactly_one_member_and_singletons_are_originals() -> None:
    fps = _fps(
        *(
            to_fingerprint(a)
            for a in (MINISTER_HANOI_EN, MINISTER_HANOI_DE, MINISTER_DANANG_EN, FESTIVAL_FR)
        )
    )
    result = assign_stories(fps, match_new(list(fps.values()), []), {}, set())
    assert sorted(m.article_id for m in result.members) == sorted(fps)
    danang = to_fingerprint(MINISTER_DANANG_EN).article_id
    (member,) = [m for m in result.members if m.article_id == danang]
    assert member.role == "original" and member.story_id == to_story_id(danang)


def test_same_language_members_are_duplicates() -> None:
    fps = _fps(_bare("x1", "en"), _bare("x2", "en"), _bare("x3", "de"))
    edges = [Edge("x1", "x2", 0.9), Edge("x1", "x3", 0.9), Edge("x2", "x3", 0.9)]
    result = assign_stories(fps, edges, {}, {"x1"})
    roles = {m.article_id: m.role for m in result.members}
    assert roles == {"x1": "original", "x2": "duplicate", "x3": "translation"}


def test_merge_of_equal_stories_keeps_the_older_one() -> None:
    old = replace(_bare("b1"), published_at=datetime(2024, 1, 1, tzinfo=UTC))
    young = replace(_bare("a1"), published_at=datetime(2024, 6, 1, tzinfo=UTC))
    fps = _fps(young, old, _bare("n"))
    previous = {"a1": "s_aaa", "b1": "s_bbb"}
    edges = [Edge("a1", "n", 0.9, {"anchors": 0.9}), Edge("b1", "n", 0.9, {"anchors": 0.9})]
    result = assign_stories(fps, edges, previous, set())
    assert {m.story_id for m in result.members} == {"s_bbb"}
    assert result.merges == (("s_aaa", "s_bbb"),)


def test_an_article_alone_keeps_its_previous_story() -> None:
    fps = _fps(_bare("placed"), _bare("fresh"))
    result = assign_stories(fps, [], {"placed": "s_kept"}, set())
    assert _story_of(result, "placed") == "s_kept"
    assert _story_of(result, "fresh") == to_story_id("fresh")
    assert result.merges == ()


def test_a_citation_joins_groups_that_linkage_keeps_apart() -> None:
    fps = _fps(*(_bare(a) for a in ("a1", "a2", "b1", "b2")))
    same = {"content_hash": 1.0}
    edges = [
        Edge("a1", "a2", 1.0, same),
        Edge("b1", "b2", 1.0, same),
        # Scored below the groups' edges, so met when both groups stand: it covers 1 of
        # the 4 pairs between them, which only a citation may join.
        Edge("a2", "b1", 0.9, {"anchors": 0.9}),
    ]
    apart = assign_stories(fps, edges, {}, set())
    assert _story_of(apart, "a1") != _story_of(apart, "b1")
    edges[2] = Edge("a2", "b1", 0.9, {"anchors": 0.9, "citation": 1.0})
    joined = assign_stories(fps, edges, {}, set())
    assert _story_of(joined, "a1") == _story_of(joined, "b1")


def test_assigning_many_articles_runs_no_collection() -> None:
    fps = _fps(*(_bare(f"a{k:04d}") for k in range(3000)))
    edges = [Edge(f"a{k:04d}", f"a{k + 1:04d}", 0.5, {}) for k in range(0, 3000, 2)]
    with collections_started() as collections:
        assignment = assign_stories(fps, edges, {}, set())
    # One young collection may run as the collector restarts, counting what it missed.
    assert len(assignment.members) == 3000 and len(collections) <= 1
    assert gc.isenabled()
