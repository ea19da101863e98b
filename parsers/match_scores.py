"""The exact score of a block's surviving pairs, as arrays: score_pair's sums, pair by pair.

parsers.matching.score_pair stays the reference; here the same terms are summed for many
pairs at once (in another order, last bits apart before rounding) and the edges come out as
rows (a, b, score, evidence) that parsers.matching wraps as Edge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from parsers.match_index import Bools, Floats, Ints, to_slices

if TYPE_CHECKING:
    from parsers.matching import Corpus

EdgeRow = tuple[str, str, float, dict[str, float]]


@dataclass(frozen=True, slots=True)
class PairTerms:
    """What score_pair computes for each pair of rows, as arrays (one entry per pair)."""

    # Shared usable anchors: weight and count per kind (pairs × kinds), weight in all,
    # and how many are not dates.
    kind_weights: Floats
    kind_counts: Ints
    shared: Floats
    facts: Ints
    norm: Floats
    jaccard: Floats
    penalty: Floats
    same_hash: Bools


def to_distinct_views(corpus: Corpus, rows: Ints, cross: Bools) -> Ints:
    """Sorted pair * vocabulary + anchor id of each pair's row's usable anchors, once each."""
    index = corpus.index
    occ = to_slices(index.ptr, index.occ, rows)
    owner = np.repeat(np.arange(len(rows), dtype=np.int64), index.ptr[rows + 1] - index.ptr[rows])
    usable = ~np.where(cross[owner], corpus.dropped[1][occ], corpus.dropped[0][occ])
    keys = np.sort(owner[usable] * len(index.df) + occ[usable])
    # A sort and a look at neighbours: np.unique's hashing took twice as long here.
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys


def to_lead_hits(corpus: Corpus, rows: Ints, other_views: Ints) -> Bools:
    """(pairs, date kinds): whether a lead date of the row is among the other row's anchors."""
    leads, vocab = corpus.leads, len(corpus.index.df)
    ids = to_slices(leads.ptr, leads.ids, rows)
    kinds = to_slices(leads.ptr, leads.kinds, rows)
    owner = np.repeat(np.arange(len(rows), dtype=np.int64), leads.ptr[rows + 1] - leads.ptr[rows])
    hits = np.zeros((len(rows), len(leads.strengths)), dtype=bool)
    known = ids >= 0
    keys = owner[known] * vocab + ids[known]
    at = np.minimum(np.searchsorted(other_views, keys), max(len(other_views) - 1, 0))
    found = other_views[at] == keys if len(other_views) else np.zeros(len(keys), dtype=bool)
    hits[owner[known][found], kinds[known][found]] = True
    return hits


def to_sums(keys: Ints, values: Floats, size: int) -> Floats:
    """Sums of values by key over range(size) (bincount, typed as the floats it gives)."""
    return np.bincount(keys, weights=values, minlength=size).astype(np.float64, copy=False)


def to_pair_terms(corpus: Corpus, xs: Ints, ys: Ints) -> PairTerms:
    """score_pair's terms for pairs (xs[k], ys[k]) of rows, the same sums in another order."""
    index, pairs, vocab = corpus.index, len(xs), len(corpus.index.df)
    kinds = len(corpus.kind_names)
    cross = index.cyrillic[xs] != index.cyrillic[ys]
    weights = corpus.arrays.weights
    views = to_distinct_views(corpus, xs, cross), to_distinct_views(corpus, ys, cross)
    masses = [to_sums(v // vocab, weights[v % vocab], pairs) for v in views]
    shared = np.intersect1d(views[0], views[1], assume_unique=True)
    owner, anchor = shared // vocab, shared % vocab
    cells = owner * kinds + corpus.kind_codes[anchor]
    floor = corpus.mass_floor
    same_lang = (index.lang[xs] == index.lang[ys]) & index.has_tokens[xs] & index.has_tokens[ys]
    equal = (index.minhash[xs] == index.minhash[ys]).sum(axis=1)
    # Lead dates of a kind disagree when both have some and neither's is in the other's text.
    leads = corpus.leads
    both = leads.has[xs] & leads.has[ys]
    apart = both & ~to_lead_hits(corpus, xs, views[1]) & ~to_lead_hits(corpus, ys, views[0])
    return PairTerms(
        kind_weights=to_sums(cells, weights[anchor], pairs * kinds).reshape(pairs, kinds),
        kind_counts=np.bincount(cells, minlength=pairs * kinds).reshape(pairs, kinds),
        shared=to_sums(owner, weights[anchor], pairs),
        facts=np.bincount(owner[~corpus.is_date[anchor]], minlength=pairs),
        norm=np.sqrt(np.maximum(masses[0], floor) * np.maximum(masses[1], floor)),
        jaccard=np.where(same_lang, equal / index.minhash.shape[1], 0.0),
        penalty=np.where(apart, leads.strengths, 0.0).max(axis=1, initial=0.0),
        same_hash=index.hash_group[xs] == index.hash_group[ys],
    )


def to_edge_rows(
    corpus: Corpus, xs: Ints, ys: Ints, threshold: float, min_facts: int
) -> list[EdgeRow]:
    """The edges _bounded_edge gives pairs of rows (xs[k], ys[k]) as (a, b, score, evidence)."""
    terms = to_pair_terms(corpus, xs, ys)
    norm = terms.norm
    anchor_sim = np.divide(terms.shared, norm, out=np.zeros(len(norm)), where=norm != 0)
    # _bounded_edge's bound: the anchor similarity before any rule, or MinHash.
    kept = terms.same_hash | (anchor_sim >= threshold) | (terms.jaccard >= threshold)
    picked = np.flatnonzero(kept)
    # Evidence per shared kind, from the (pair, kind) cells that hold a shared anchor.
    cell_pairs, cell_kinds = np.nonzero(terms.kind_counts[picked])
    values = terms.kind_weights[picked[cell_pairs], cell_kinds]
    evidences: list[dict[str, float]] = [{} for _ in range(len(picked))]
    names = corpus.kind_names
    for p, k, value in zip(cell_pairs.tolist(), cell_kinds.tolist(), values.tolist(), strict=True):
        evidences[p][names[k]] = round(value, 3)
    ids, has_tokens = corpus.index.ids, corpus.index.has_tokens
    rows: list[EdgeRow] = []
    for x, y, sim, jaccard, penalty, facts, same_hash, evidence in zip(
        xs[picked].tolist(),
        ys[picked].tolist(),
        anchor_sim[picked].tolist(),
        terms.jaccard[picked].tolist(),
        terms.penalty[picked].tolist(),
        terms.facts[picked].tolist(),
        terms.same_hash[picked].tolist(),
        evidences,
        strict=True,
    ):
        if ids[y] < ids[x]:
            x, y = y, x
        a, b = ids[x], ids[y]
        # score_pair's shortcut asks the first article (by id) for tokens.
        if same_hash and bool(has_tokens[x]):
            rows.append((a, b, 1.0, {"content_hash": 1.0}))
            continue
        evidence["anchors"] = round(sim, 4)
        evidence["minhash"] = round(jaccard, 4)
        evidence["date_conflict"] = penalty
        if facts < min_facts:
            # _to_edge's rule: min_facts shared anchors besides dates.
            sim = 0.0
        score = round(min(max(sim, jaccard) * (1.0 - penalty), 1.0), 4)
        if score >= threshold:
            rows.append((a, b, score, evidence))
    return rows
