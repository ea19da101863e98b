"""`quelle eval FILE.jsonl`: cluster labelled articles and score the stories against the labels.

Reading the file is the only IO; building articles, matching, clustering and scoring are
pure steps the warehouse flow can reuse (to_eval_article, to_story_labels, to_eval_report).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from flows.eval_warehouse import cluster_in_warehouse
from parsers import metrics
from parsers.fingerprint import Fingerprint, to_fingerprint
from parsers.matching import citation_recall, match_new
from parsers.records import Article, to_article_id
from parsers.stories import StoryAssignment, assign_stories


@dataclass(frozen=True, slots=True)
class LabelledDoc:
    """One line of a labelled JSONL file."""

    doc_id: str
    story_id: str
    lang: str
    text: str
    url: str | None = None
    title: str | None = None
    match_type: str = ""
    role: str = ""


def load_labelled(path: str | Path) -> list[LabelledDoc]:
    """Read labelled articles (doc_id, story_id, lang, text; optional url, title, match_type)."""
    docs: list[LabelledDoc] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            docs.append(
                LabelledDoc(
                    doc_id=str(row["doc_id"]),
                    story_id=str(row["story_id"]),
                    lang=str(row["lang"]),
                    text=str(row["text"]),
                    url=row.get("url") or None,
                    title=row.get("title") or None,
                    match_type=str(row.get("match_type") or ""),
                    role=str(row.get("role") or ""),
                )
            )
    return docs


def to_eval_article(doc: LabelledDoc) -> Article:
    """An Article from a labelled line: id from doc_id, paragraphs from the text's lines."""
    body = tuple(line.strip() for line in doc.text.split("\n") if line.strip())
    return Article(
        article_id=to_article_id(f"eval:{doc.doc_id}"),
        origin="web",
        lang=doc.lang,
        body=body,
        extractor="eval",
        url=doc.url,
        title=doc.title,
    )


def cluster_articles(
    articles: Sequence[Article],
    citations: Sequence[tuple[str, str]] = (),
    use_citations: bool = True,
) -> tuple[dict[str, Fingerprint], StoryAssignment, int]:
    """Fingerprint, match all against all (as one run's new articles) and assign stories."""
    fps = {a.article_id: to_fingerprint(a) for a in articles}
    edges = match_new(list(fps.values()), (), citations, use_citations=use_citations)
    cited = {c for _, c in citations}
    return fps, assign_stories(fps, edges, {}, cited), len(edges)


def to_story_labels(assignment: StoryAssignment) -> dict[str, str]:
    """article_id → story_id from an assignment."""
    return {m.article_id: m.story_id for m in assignment.members}


def _as_dict(s: metrics.Scores) -> dict[str, float | int]:
    """Scores as a JSON-able dict, rounded."""
    return {
        "precision": round(s.precision, 4),
        "recall": round(s.recall, 4),
        "f1": round(s.f1, 4),
        "tp": s.tp,
        "predicted": s.predicted,
        "gold": s.gold,
    }


def to_eval_report(docs: Sequence[LabelledDoc], pred: dict[str, str]) -> dict[str, object]:
    """All metrics for one clustering of labelled docs (pred keyed by article_id)."""
    ids = {d.doc_id: to_article_id(f"eval:{d.doc_id}") for d in docs}
    gold = {ids[d.doc_id]: d.story_id for d in docs}
    lang = {ids[d.doc_id]: d.lang for d in docs}
    kind = {ids[d.doc_id]: d.match_type for d in docs}
    latin = metrics.latin_only(lang)
    other = [t for t in metrics.TYPE_ORDER if t not in metrics.COPY_TYPES]
    return {
        "articles": len(docs),
        "stories_gold": len(set(gold.values())),
        "stories_pred": len(set(pred[i] for i in gold if i in pred)),
        "pairwise": _as_dict(metrics.pairwise(gold, pred)),
        "bcubed": _as_dict(metrics.bcubed(gold, pred)),
        "latin_pairwise": _as_dict(metrics.pairwise(gold, pred, latin)),
        "latin_copy_recall": _as_dict(metrics.copy_recall(gold, pred, kind, latin)),
        "latin_other_recall": _as_dict(metrics.copy_recall(gold, pred, kind, latin, other)),
        "copy_recall": _as_dict(metrics.copy_recall(gold, pred, kind)),
        "recall_by_type": {
            k: _as_dict(v) for k, v in metrics.recall_by_type(gold, pred, kind).items()
        },
        "latin_recall_by_type": {
            k: _as_dict(v) for k, v in metrics.recall_by_type(gold, pred, kind, latin).items()
        },
        "by_language_pair": {
            k: _as_dict(v) for k, v in metrics.by_language_pair(gold, pred, lang).items()
        },
    }


def format_report(report: dict[str, object]) -> str:
    """The report as a plain-text table."""
    lines = [
        f"articles {report['articles']}  gold stories {report['stories_gold']}  "
        f"predicted stories {report['stories_pred']}",
        f"{'metric':34} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'pred':>5} {'gold':>5}",
    ]

    def row(name: str, s: object, counts: bool = True) -> None:
        d = s if isinstance(s, dict) else {}
        tail = f" {d['tp']:5d} {d['predicted']:5d} {d['gold']:5d}" if counts else ""
        lines.append(f"{name:34} {d['precision']:6.3f} {d['recall']:6.3f} {d['f1']:6.3f}{tail}")

    for key in ("pairwise", "bcubed", "latin_pairwise"):
        row(key, report[key], counts=key != "bcubed")
    for key in ("latin_copy_recall", "latin_other_recall", "copy_recall"):
        d = report[key]
        assert isinstance(d, dict)
        lines.append(
            f"{key:34} {'':6} {d['recall']:6.3f} {'':6} {d['tp']:5d} {'':5} {d['gold']:5d}"
        )
    for section in ("recall_by_type", "latin_recall_by_type"):
        lines.append(f"-- {section} (recall of gold pairs)")
        table = report[section]
        assert isinstance(table, dict)
        for k, d in table.items():
            lines.append(
                f"   {k:31} {'':6} {d['recall']:6.3f} {'':6} {d['tp']:5d} {'':5} {d['gold']:5d}"
            )
    lines.append("-- by_language_pair")
    table = report["by_language_pair"]
    assert isinstance(table, dict)
    for k, d in table.items():
        row(f"   {k}", d)
    return "\n".join(lines)


def run_eval(path: str, as_json: bool = False) -> int:
    """Cluster the labelled file's articles and print the metrics.

    Args:
        path: JSONL with doc_id, story_id, lang, text and optional url, title, match_type.
        as_json: print one JSON object instead of the table.
    Returns:
        Process exit code (0).
    """
    docs = load_labelled(path)
    started = time.perf_counter()
    articles = [to_eval_article(d) for d in docs]
    # Through a scratch warehouse, as a nightly run would store and cluster them.
    pred = cluster_in_warehouse(articles)
    report = to_eval_report(docs, pred)
    report["seconds"] = round(time.perf_counter() - started, 3)
    if as_json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print(format_report(report))
        print(f"seconds {report['seconds']} (scratch warehouse, nightly match and load path)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m flows.evaluate FILE.jsonl [--json]`."""
    parser = argparse.ArgumentParser(prog="quelle eval", description=__doc__)
    parser.add_argument("path")
    parser.add_argument("--json", action="store_true", dest="as_json")
    args = parser.parse_args(argv)
    return run_eval(args.path, as_json=args.as_json)


__all__ = [
    "LabelledDoc",
    "citation_recall",
    "cluster_articles",
    "load_labelled",
    "run_eval",
    "to_eval_article",
    "to_eval_report",
    "to_story_labels",
]

if __name__ == "__main__":
    sys.exit(main())
