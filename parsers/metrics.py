"""Clustering metrics against a labelling: pairwise precision/recall/F1 and B-cubed."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

# Scripts whose names fold to ASCII letters: the subset the precision target is set on.
LATIN_LANGS = frozenset(
    [
        "vi",
        "en",
        "de",
        "fr",
        "es",
        "it",
        "pt",
        "nl",
        "sv",
        "da",
        "no",
        "nb",
        "nn",
        "fi",
        "pl",
        "cs",
        "sk",
        "sl",
        "hr",
        "ro",
        "hu",
        "tr",
        "id",
        "ms",
        "tl",
        "et",
        "lv",
        "lt",
        "ca",
        "gl",
        "eu",
        "af",
        "sq",
        "is",
        "ga",
        "cy",
        "mt",
        "sw",
    ]
)
# Match types that are copies of one text (recall target), loosest last.
COPY_TYPES = ("source", "translation", "near_duplicate_same_language")
TYPE_ORDER = (*COPY_TYPES, "parallel_report", "same_event_other_article")


@dataclass(frozen=True, slots=True)
class Scores:
    """Precision, recall, F1 and the counts behind them (tp, predicted, gold)."""

    precision: float
    recall: float
    f1: float
    tp: int = 0
    predicted: int = 0
    gold: int = 0


def _f1(p: float, r: float) -> float:
    """Harmonic mean; 0 when both are 0."""
    return 2 * p * r / (p + r) if p + r else 0.0


def to_scores(tp: int, predicted: int, gold: int) -> Scores:
    """Scores from counts; precision 1 when nothing was predicted, recall 1 when nothing is gold."""
    p = tp / predicted if predicted else 1.0
    r = tp / gold if gold else 1.0
    return Scores(p, r, _f1(p, r), tp, predicted, gold)


def pairwise(
    gold: Mapping[str, str],
    pred: Mapping[str, str],
    keep: Callable[[str, str], bool] | None = None,
) -> Scores:
    """Pairwise P/R/F1 over items in both labellings; `keep(a, b)` restricts the pairs.

    Without `keep` this counts through the contingency table (no pair enumeration).
    """
    items = sorted(set(gold) & set(pred))
    if keep is None:
        joint, g_size, p_size = _contingency(gold, pred, items)
        tp = sum(n * (n - 1) // 2 for n in joint.values())
        return to_scores(
            tp,
            sum(n * (n - 1) // 2 for n in p_size.values()),
            sum(n * (n - 1) // 2 for n in g_size.values()),
        )
    tp = predicted = positive = 0
    for a, b in itertools.combinations(items, 2):
        if not keep(a, b):
            continue
        same_gold, same_pred = gold[a] == gold[b], pred[a] == pred[b]
        tp += same_gold and same_pred
        predicted += same_pred
        positive += same_gold
    return to_scores(tp, predicted, positive)


def _contingency(
    gold: Mapping[str, str], pred: Mapping[str, str], items: Sequence[str]
) -> tuple[dict[tuple[str, str], int], dict[str, int], dict[str, int]]:
    """Counts per (gold, predicted) cluster pair, per gold cluster and per predicted cluster."""
    joint: dict[tuple[str, str], int] = defaultdict(int)
    g_size: dict[str, int] = defaultdict(int)
    p_size: dict[str, int] = defaultdict(int)
    for x in items:
        joint[(gold[x], pred[x])] += 1
        g_size[gold[x]] += 1
        p_size[pred[x]] += 1
    return joint, g_size, p_size


def bcubed(gold: Mapping[str, str], pred: Mapping[str, str]) -> Scores:
    """B-cubed precision/recall/F1 (Bagga & Baldwin), averaged over items."""
    items = sorted(set(gold) & set(pred))
    if not items:
        return to_scores(0, 0, 0)
    joint, g_size, p_size = _contingency(gold, pred, items)
    p = sum(joint[(gold[x], pred[x])] / p_size[pred[x]] for x in items) / len(items)
    r = sum(joint[(gold[x], pred[x])] / g_size[gold[x]] for x in items) / len(items)
    return Scores(p, r, _f1(p, r))


def pair_type(type_a: str, type_b: str) -> str:
    """The looser of two members' match types (a source with a translation: translation)."""
    rank = {t: i for i, t in enumerate(TYPE_ORDER)}
    return max(type_a, type_b, key=lambda t: rank.get(t, len(TYPE_ORDER)))


def recall_by_type(
    gold: Mapping[str, str],
    pred: Mapping[str, str],
    match_type: Mapping[str, str],
    keep: Callable[[str, str], bool] | None = None,
) -> dict[str, Scores]:
    """Recall of gold pairs grouped by pair type (see pair_type); precision is not defined."""
    hits: dict[str, int] = defaultdict(int)
    totals: dict[str, int] = defaultdict(int)
    items = sorted(set(gold) & set(pred))
    for a, b in itertools.combinations(items, 2):
        if gold[a] != gold[b] or (keep is not None and not keep(a, b)):
            continue
        kind = pair_type(match_type.get(a, ""), match_type.get(b, ""))
        totals[kind] += 1
        hits[kind] += pred[a] == pred[b]
    return {k: to_scores(hits[k], hits[k], totals[k]) for k in sorted(totals)}


def by_language_pair(
    gold: Mapping[str, str], pred: Mapping[str, str], lang: Mapping[str, str]
) -> dict[str, Scores]:
    """Pairwise scores per unordered language pair ('de-vi'), in one pass over pairs."""
    tp: dict[str, int] = defaultdict(int)
    predicted: dict[str, int] = defaultdict(int)
    positive: dict[str, int] = defaultdict(int)
    items = sorted(set(gold) & set(pred))
    for a, b in itertools.combinations(items, 2):
        key = "-".join(sorted((lang.get(a, "und"), lang.get(b, "und"))))
        same_gold, same_pred = gold[a] == gold[b], pred[a] == pred[b]
        tp[key] += same_gold and same_pred
        predicted[key] += same_pred
        positive[key] += same_gold
    keys = sorted(k for k in set(predicted) | set(positive) if predicted[k] or positive[k])
    return {k: to_scores(tp[k], predicted[k], positive[k]) for k in keys}


def latin_only(lang: Mapping[str, str]) -> Callable[[str, str], bool]:
    """Pair filter: both articles in a Latin-script language."""
    return lambda a, b: lang.get(a) in LATIN_LANGS and lang.get(b) in LATIN_LANGS


def copy_recall(
    gold: Mapping[str, str],
    pred: Mapping[str, str],
    match_type: Mapping[str, str],
    keep: Callable[[str, str], bool] | None = None,
    types: Iterable[str] = COPY_TYPES,
) -> Scores:
    """Recall over gold pairs whose pair type is one of `types`."""
    wanted = set(types)
    per = recall_by_type(gold, pred, match_type, keep)
    tp = sum(s.tp for k, s in per.items() if k in wanted)
    total = sum(s.gold for k, s in per.items() if k in wanted)
    return to_scores(tp, tp, total)
