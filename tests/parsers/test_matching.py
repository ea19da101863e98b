"""Matching: content finds translations, hard negatives stay apart, citations are truth."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from parsers import match_filter, matching
from parsers.fingerprint import Fingerprint, to_fingerprint
from parsers.match_sketch import to_shared_bound, to_sketch
from parsers.match_threads import map_blocks
from parsers.matching import (
    QUERY_ANCHORS,
    THRESHOLD,
    _upper_bound,
    _usable,
    _view,
    add_citations,
    candidates,
    citation_recall,
    content_edges,
    match_and_recall,
    match_new,
    score_pair,
    to_corpus,
)
from tests.gc_watch import collections_started
from tests.parsers.matching_texts import SHORT_ARTICLES, article, seed_article

SEEDS = {n: to_fingerprint(seed_article(n)) for n in ("000", "001", "002", "003", "004")}
OTHERS = [to_fingerprint(a) for a in SHORT_ARTICLES]


def _pairs(edges: list) -> set[frozenset[str]]:
    return {frozenset((e.a, e.b)) for e in edges}


def test_seed_translation_matches_its_vietnamese_original_by_content() -> None:
    new = [SEEDS["000"]]
    existing = [SEEDS[n] for n in ("001", "002", "003", "004")] + OTHERS
    edges = match_new(new, existing, use_citations=False)
    pair = frozenset((SEEDS["000"].article_id, SEEDS["001"].article_id))
    assert _pairs(edges) == {pair}
    (edge,) = edges
    assert edge.score >= THRESHOLD
    assert edge.evidence["dt"] > 0 and edge.evidence["nm"] > 0


def test_other_seeds_match_nothing() -> None:
    everything = list(SEEDS.values()) + OTHERS
    edges = match_new(everything, [], use_citations=False)
    seed_ids = {fp.article_id for fp in SEEDS.values()}
    seed_edges = {p for p in _pairs(edges) if p & seed_ids}
    assert seed_edges == {frozenset((SEEDS["000"].article_id, SEEDS["001"].article_id))}


def test_hard_negative_same_minister_other_meeting_stays_apart() -> None:
    hanoi_en, hanoi_de, danang_en = OTHERS[:3]
    edges = match_new(OTHERS, list(SEEDS.values()), use_citations=False)
    pairs = _pairs(edges)
    assert frozenset((hanoi_en.article_id, hanoi_de.article_id)) in pairs
    assert frozenset((hanoi_en.article_id, danang_en.article_id)) not in pairs
    assert frozenset((hanoi_de.article_id, danang_en.article_id)) not in pairs


def test_cross_language_report_matches_without_citation() -> None:
    port_vi, port_de = OTHERS[3], OTHERS[4]
    edges = match_new([port_de], [port_vi, *SEEDS.values()], use_citations=False)
    assert _pairs(edges) == {frozenset((port_vi.article_id, port_de.article_id))}


def test_citation_forces_a_match() -> None:
    festival, seed = OTHERS[5], SEEDS["004"]
    cites = [(seed.article_id, festival.article_id)]
    with_truth = match_new([seed], [festival], cites)
    assert len(with_truth) == 1
    assert with_truth[0].score == 1.0
    assert with_truth[0].evidence["citation"] == 1.0
    assert match_new([seed], [festival], cites, use_citations=False) == []


def test_citation_recall_without_the_citation_signal() -> None:
    port_vi, port_de, festival = OTHERS[3], OTHERS[4], OTHERS[5]
    cites = [
        (port_de.article_id, port_vi.article_id),
        (SEEDS["003"].article_id, festival.article_id),
    ]
    edges = match_new([port_de, SEEDS["003"]], [port_vi, festival], cites, use_citations=False)
    assert citation_recall(edges, cites) == 0.5
    assert citation_recall(match_new([port_de], [port_vi], cites), cites[:1]) == 1.0
    assert citation_recall(edges, []) is None


def test_identical_content_matches_by_hash() -> None:
    one = to_fingerprint(seed_article("002"))
    copy = replace(one, article_id="copy")
    (edge,) = match_new([copy], [one, *OTHERS])
    assert edge.evidence == {"content_hash": 1.0}


def test_candidates_come_from_shared_anchors_not_all_pairs() -> None:
    corpus = to_corpus([*SEEDS.values(), *OTHERS])
    assert candidates(corpus, OTHERS[5].article_id) == set()
    assert SEEDS["001"].article_id in candidates(corpus, SEEDS["000"].article_id)


def test_edges_are_sorted_and_ordered() -> None:
    edges = match_new(list(SEEDS.values()) + OTHERS, [], use_citations=False)
    assert all(e.a < e.b for e in edges)
    assert [(e.a, e.b) for e in edges] == sorted((e.a, e.b) for e in edges)


def test_match_and_recall_reports_content_recall_and_keeps_citation_edges() -> None:
    port_vi, port_de, festival = OTHERS[3], OTHERS[4], OTHERS[5]
    cites = [
        (port_de.article_id, port_vi.article_id),
        (SEEDS["003"].article_id, festival.article_id),
    ]
    edges, recall = match_and_recall([port_de, SEEDS["003"]], [port_vi, festival], cites)
    assert recall == 0.5
    assert _pairs(edges) == {frozenset(p) for p in cites}


def test_a_shared_date_alone_is_no_evidence() -> None:
    one = to_fingerprint(
        article("same-day-1", "en", "On 14 March 2024 the Hue festival opened with 3,200 guests.")
    )
    two = to_fingerprint(
        article("same-day-2", "de", "Am 14. März 2024 eröffnete Bosch ein Werk in Dong Nai.")
    )
    assert match_new([one], [two], use_citations=False) == []


def test_same_series_other_year_stays_apart_while_its_translation_matches() -> None:
    forum_2023 = article(
        "forum-2023",
        "en",
        "The 5th Vietnam-Laos Digital Forum opened in Vientiane on 12 October 2023 with "
        "Minister Nguyen Manh Hung and Lao Minister Boviengkham Vongdara.",
        "About 300 delegates from VNPT, Viettel and LTC attended; 7 agreements were signed.",
    )
    forum_2023_de = article(
        "forum-2023-de",
        "de",
        "Das 5. Digitalforum Vietnam-Laos wurde am 12. Oktober 2023 in Vientiane mit Minister "
        "Nguyen Manh Hung und dem laotischen Minister Boviengkham Vongdara eröffnet.",
        "Rund 300 Delegierte von VNPT, Viettel und LTC nahmen teil; 7 Abkommen wurden "
        "unterzeichnet.",
    )
    forum_2024 = article(
        "forum-2024",
        "en",
        "The 6th Vietnam-Laos Digital Forum opened in Hanoi on 9 November 2024 with "
        "Minister Nguyen Manh Hung and Lao Minister Boviengkham Vongdara.",
        "VNPT, Viettel and LTC signed 12 agreements before 450 delegates.",
    )
    fps = [to_fingerprint(a) for a in (forum_2023, forum_2023_de, forum_2024)]
    pairs = _pairs(match_new(fps, list(SEEDS.values()) + OTHERS, use_citations=False))
    assert pairs == {frozenset((fps[0].article_id, fps[1].article_id))}


def _fp(aid: str, *anchors: str, script: str = "latin", lang: str = "en") -> Fingerprint:
    """A hand-made fingerprint without text (no MinHash, no bands): anchors decide."""
    return Fingerprint(aid, lang, f"sha-{aid}", None, anchors=anchors, script=script)


def test_rarest_anchor_ties_keep_tuple_order() -> None:
    # 30 anchors of one kind and df 2 weigh the same: the first QUERY_ANCHORS in tuple
    # order are looked up, so the holder of the last six is no candidate.
    anchors = [f"num:{k}" for k in range(100, 130)]
    query = _fp("query", *anchors)
    early = _fp("early", *anchors[:QUERY_ANCHORS])
    late = _fp("late", *anchors[QUERY_ANCHORS:])
    corpus = to_corpus([query, early, late])
    assert candidates(corpus, "query") == {"early"}


def test_cross_script_pair_compares_skeletons_not_names() -> None:
    latin = _fp("latin", "nm:ivan petrov", "ns:ivnptrv", "num:3200", "code:5g")
    cyrillic = _fp(
        "cyrillic", "nm:иван петров", "ns:ivnptrv", "num:3200", "code:5g", script="cyrillic"
    )
    (edge,) = match_new([cyrillic], [latin], use_citations=False)
    assert edge.evidence["ns"] > 0 and "nm" not in edge.evidence


def test_same_script_pair_ignores_skeletons() -> None:
    one = _fp("one", "nm:ivan petrov", "ns:ivnptrv", "num:3200")
    two = _fp("two", "nm:iwan petrow", "ns:ivnptrv", "num:3200", lang="de")
    assert match_new([one], [two], use_citations=False) == []


def test_article_without_anchors_matches_only_by_hash() -> None:
    empty = replace(_fp("empty"), n_tokens=5)
    copy = replace(empty, article_id="copy")
    other = _fp("other", "num:1", "num:2")
    edges = match_new([empty], [copy, other], use_citations=False)
    assert [(e.a, e.b) for e in edges] == [("copy", "empty")]


def test_empty_corpus_has_no_edges() -> None:
    assert match_new([], [], use_citations=False) == []
    assert to_corpus([]).fps == {}


def test_new_fingerprint_replaces_the_stored_one_with_its_id() -> None:
    stored = _fp("x", "num:41", "code:5g", "pct:78")
    partner = _fp("y", "num:41", "code:5g", "pct:78")
    changed = _fp("x", "num:99", "acr:mot")
    assert len(match_new([stored], [partner], use_citations=False)) == 1
    assert match_new([changed], [stored, partner], use_citations=False) == []


def test_array_filter_keeps_every_pair_the_scalar_bound_keeps() -> None:
    everything = list(SEEDS.values()) + OTHERS
    corpus = to_corpus(everything)
    expected = set()
    for fp in everything:
        for other in candidates(corpus, fp.article_id):
            a, b = sorted((fp.article_id, other))
            if (
                _upper_bound(corpus, a, b) >= THRESHOLD
                and score_pair(corpus, a, b).score >= THRESHOLD
            ):
                expected.add((a, b))
    edges = match_new(everything, [], use_citations=False)
    assert {(e.a, e.b) for e in edges} == expected


def test_all_anchors_common_gives_the_same_edges(monkeypatch: pytest.MonkeyPatch) -> None:
    # The tiny corpus has no anchor on more than EXACT_POSTING articles; lowering it sends
    # every shared anchor through the bitset sketch and the gather instead of the postings.
    everything = list(SEEDS.values()) + OTHERS
    expected = match_new(everything, [], use_citations=False)
    monkeypatch.setattr(match_filter, "EXACT_POSTING", 1)
    assert match_new(everything, [], use_citations=False) == expected
    assert expected


def _random_occurrences(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(row_of, CSR ptr, anchors, per-anchor weights) of 80 rows with skewed anchor ids."""
    rng = np.random.default_rng(seed)
    weights = rng.choice([0.0, 0.1, 0.7, 2.5, 4.4, 9.3], size=3000)
    rows, anchors = [], []
    for row in range(80):
        # Zipf-like ids: small ids recur, so rows share anchors and buckets collide.
        ids = np.unique(np.minimum(rng.zipf(1.3, size=int(rng.integers(5, 300))), 2999))
        rows.append(np.full(len(ids), row))
        anchors.append(ids)
    row_of, occ = np.concatenate(rows), np.concatenate(anchors)
    ptr = np.concatenate(([0], np.cumsum(np.bincount(row_of, minlength=80))))
    return row_of, ptr, occ, weights


def test_sketch_bound_is_never_below_the_shared_weight() -> None:
    for seed in range(5):
        row_of, ptr, occ, weights = _random_occurrences(seed)
        sketch = to_sketch(ptr, occ, weights)
        sets = [set(occ[row_of == r].tolist()) for r in range(80)]
        xs, ys = (a.reshape(-1) for a in np.meshgrid(np.arange(80), np.arange(80)))
        bound = to_shared_bound(sketch, xs, ys)
        exact = np.array(
            [sum(weights[t] for t in sets[x] & sets[y]) for x, y in zip(xs, ys, strict=True)]
        )
        assert (bound >= exact).all()
        # A row against itself: its whole mass (rounded up), or inf past TOP buckets.
        self_pairs = (xs == ys) & np.isfinite(bound)
        assert self_pairs.any()
        assert np.allclose(bound[self_pairs], exact[self_pairs], rtol=0, atol=1e-3)


def test_sketch_bound_prunes_rows_that_share_nothing() -> None:
    sketch = to_sketch(np.array([0, 100, 200]), np.arange(200), np.full(200, 4.0))
    (bound,) = to_shared_bound(sketch, np.array([0]), np.array([1]))
    # ~100 anchors each in SKETCH_BITS buckets overlap in a few buckets, not in 100.
    assert bound < 100 * 4.0 / 4


def test_views_from_interned_ids_are_the_usable_anchors() -> None:
    odd = _fp("odd", "ns", "nm", "nsx:1", "nm:ivan petrov", "ns:ivnptrv", "num:3200", "num:3200")
    cyrillic = _fp("cyr", "nm:иван петров", "ns:ivnptrv", "code:5g", script="cyrillic")
    everything = [odd, cyrillic, *SEEDS.values(), *OTHERS]
    corpus = to_corpus(everything)
    for fp in everything:
        for cross in (False, True):
            anchors, mass = _view(corpus, fp.article_id, cross)
            usable = frozenset(_usable(fp.anchors, cross))
            assert anchors == usable
            assert mass == pytest.approx(sum(corpus.weight[t] for t in usable), rel=1e-12)
    assert _view(corpus, "odd", False)[0] == {"nm", "nsx:1", "nm:ivan petrov", "num:3200"}


def test_content_edges_do_not_depend_on_workers_or_block_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fps = list(SEEDS.values()) + OTHERS
    whole = content_edges(fps[:8], fps[8:], workers=1)
    assert whole
    # Blocks of 1 and 2 rows (cells per block over the 11 rows), over 1 and 2 threads.
    for cells, workers in ((11, 1), (11, 2), (22, 2), (22, 3)):
        monkeypatch.setattr(match_filter, "BLOCK_CELLS", cells)
        monkeypatch.setattr(match_filter, "THREADED_BLOCK_CELLS", cells)
        assert content_edges(fps[:8], fps[8:], workers=workers) == whole


def test_content_edges_give_each_thread_scratch_of_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fps = list(SEEDS.values()) + OTHERS
    seen: list[int] = []

    def spy(work, rows, block, scratches):  # type: ignore[no-untyped-def]
        """map_blocks, after noting how many distinct scratches it was given."""
        seen.append(len({id(s) for s in scratches}))
        return map_blocks(work, rows, block, scratches)

    monkeypatch.setattr(matching, "map_blocks", spy)
    # Blocks of 2 rows: 4 blocks for 2 threads; one block would keep to one thread.
    monkeypatch.setattr(match_filter, "THREADED_BLOCK_CELLS", 22)
    content_edges(fps[:8], fps[8:], workers=2)
    monkeypatch.setattr(match_filter, "THREADED_BLOCK_CELLS", 10**6)
    content_edges(fps[:8], fps[8:], workers=2)
    assert seen == [2, 1]


def test_matching_many_articles_runs_no_collection() -> None:
    fps = [Fingerprint(f"a{k:04d}", "en", f"sha-{k // 2}", None, n_tokens=5) for k in range(2000)]
    cites = [(f"a{k:04d}", f"a{k + 1:04d}") for k in range(1, 1999, 2)]
    with collections_started() as starts:
        content = content_edges(fps, [], workers=1)
        after_content = len(starts)
        edges = add_citations(content, cites, fps, [])
    # Identical content pairs and citations: 1000 + 999 edges. One young collection may run
    # as the collector restarts after each call, counting what it missed.
    assert len(content) == 1000 and len(edges) == 1999
    assert after_content <= 1 and len(starts) <= 2
