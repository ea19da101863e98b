"""Array scoring: the edges of a block's pairs are score_pair's, pair by pair."""

from __future__ import annotations

import itertools

import numpy as np

from parsers.fingerprint import NUM_PERM, Fingerprint, to_fingerprint
from parsers.match_index import to_row_sums
from parsers.matching import THRESHOLD, Corpus, Edge, _array_edges, _bounded_edge, to_corpus
from parsers.minhash import pack_signature
from tests.parsers.matching_texts import SHORT_ARTICLES, seed_article

SIG = pack_signature(range(NUM_PERM))
HALF = pack_signature(k if k % 2 else k + NUM_PERM for k in range(NUM_PERM))
EdgeKey = tuple[str, str, float, tuple[tuple[str, float], ...]]


def _fp(aid: str, *anchors: str, **fields: object) -> Fingerprint:
    """A hand-made fingerprint: anchors, and whatever other fields a case needs."""
    return Fingerprint(aid, str(fields.pop("lang", "en")), f"sha-{aid}", None, anchors, **fields)  # type: ignore[arg-type]


# Each pair below tests one rule of score_pair; the filler fingerprints make the anchors rare.
CASES = [
    # Shared date and one name: under MIN_FACTS, so no anchor similarity.
    _fp("dates-a", "dt:6-5", "nm:le minh", "yr:2024", "ym:2024-06"),
    _fp("dates-b", "dt:6-5", "nm:le minh", "yr:2024", "ym:2024-06"),
    # Other lead days, but a mentions b's (b does not mention a's): no conflict. c's lead
    # year is another: a conflict.
    _fp(
        "lead-a",
        "dt:6-5",
        "dt:7-5",
        "yr:2024",
        "num:12",
        "code:snp",
        "acr:pt",
        "nm:ha an",
        lead_dates=("dt:6-5", "yr:2024"),
    ),
    _fp("lead-b", "dt:7-5", "num:12", "code:snp", lead_dates=("dt:7-5",)),
    _fp("lead-c", "yr:2023", "num:12", "code:snp", "acr:pt", "nm:ha an", lead_dates=("yr:2023",)),
    # Across scripts, skeletons count and names do not; a repeated anchor counts once.
    _fp("lat", "nm:ivan petrov", "ns:ivnptrv", "num:3200", "num:3200", "code:5g"),
    _fp("cyr", "nm:иван петров", "ns:ivnptrv", "num:3200", "code:5g", script="cyrillic"),
    _fp("lat-2", "nm:ivan petrov", "ns:ivnptrv", "num:3200", "acr:ptit"),
    # Same content without tokens: scored like any pair, not forced by the hash.
    Fingerprint("empty-a", "en", "sha-same", None, ("num:77", "code:zz", "acr:qq")),
    Fingerprint("empty-b", "en", "sha-same", None, ("num:77", "code:zz", "acr:qq")),
    # Same content with tokens: the hash decides. Same MinHash in another language: no MinHash.
    Fingerprint("tok-a", "en", "sha-tok", None, ("num:5",), SIG, n_tokens=40),
    Fingerprint("tok-b", "en", "sha-tok", None, ("num:6",), SIG, n_tokens=40),
    Fingerprint("mh-fr", "fr", "sha-fr", None, ("num:5",), SIG, n_tokens=40),
    # Half the MinHash values of tok-a and tok-b, no anchor in common: MinHash alone decides.
    Fingerprint("mh-en", "en", "sha-en", None, ("num:9",), HALF, n_tokens=40),
    *(_fp(f"filler-{k}", f"num:{1000 + k}", f"nm:other {k}") for k in range(40)),
]
TEXTS = [
    to_fingerprint(a) for a in (*(seed_article(n) for n in ("000", "001", "002")), *SHORT_ARTICLES)
]


def _scalar_edges(corpus: Corpus) -> set[EdgeKey]:
    """Every pair's edge by the pair-by-pair bound and score."""
    found = set()
    for a, b in itertools.combinations(sorted(corpus.fps), 2):
        edge = _bounded_edge(corpus, a, b)
        if edge is not None and edge.score >= THRESHOLD:
            found.add(_key(edge))
    return found


def _key(edge: Edge) -> EdgeKey:
    """An edge as a hashable tuple, its evidence sorted."""
    return edge.a, edge.b, edge.score, tuple(sorted(edge.evidence.items()))


def _array_all(corpus: Corpus, lower_first: bool) -> set[EdgeKey]:
    """Every pair's edge by _array_edges, each pair given once, its lower or higher row first."""
    rows = len(corpus.index.ids)
    xs, ys = (a.reshape(-1).astype(np.int64) for a in np.meshgrid(np.arange(rows), np.arange(rows)))
    once = xs < ys if lower_first else xs > ys
    return {_key(e) for e in _array_edges(corpus, xs[once], ys[once])}


def test_array_edges_are_the_scalar_edges_of_hand_made_pairs() -> None:
    corpus = to_corpus(CASES)
    expected = _scalar_edges(corpus)
    assert _array_all(corpus, True) == _array_all(corpus, False) == expected
    # The cases reach the rules: a date conflict, a MinHash-free language pair, the hash.
    ids = {(a, b) for a, b, _, _ in expected}
    assert ("lead-a", "lead-b") in ids and ("dates-a", "dates-b") not in ids
    assert ("lat", "lat-2") in ids and ("empty-a", "empty-b") in ids
    assert ("tok-a", "tok-b") in ids and ("mh-fr", "tok-a") not in ids
    assert ("mh-en", "tok-a") in ids
    assert any(dict(ev).get("date_conflict", 0) > 0 for _, _, _, ev in expected)


def test_array_edges_are_the_scalar_edges_of_real_texts() -> None:
    corpus = to_corpus(TEXTS + CASES)
    expected = _scalar_edges(corpus)
    assert len(expected) > 5
    assert _array_all(corpus, True) == _array_all(corpus, False) == expected


def test_row_sums_skip_empty_rows() -> None:
    rng = np.random.default_rng(5)
    for _ in range(50):
        lens = rng.integers(0, 4, size=int(rng.integers(1, 30))) * (rng.random() < 0.5)
        ptr = np.concatenate(([0], np.cumsum(lens))).astype(np.int64)
        values = rng.random(int(ptr[-1]))
        expected = [values[ptr[r] : ptr[r + 1]].sum() for r in range(len(lens))]
        assert np.allclose(to_row_sums(ptr, values, len(lens)), expected, rtol=1e-12, atol=0)
