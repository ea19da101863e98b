"""Story matching on a labelled JSONL file: the metrics table, and with --errors the mistakes.

    .venv/bin/python bench/match_eval.py /work/shared/eval/xlang-dev.jsonl [--errors] [--json]

The file is read where it lies; nothing of it is copied. --errors lists wrong merges and
missed pairs by doc_id with the edge evidence, to see which signal failed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flows.evaluate import (  # noqa: E402
    cluster_articles,
    format_report,
    load_labelled,
    to_eval_article,
    to_eval_report,
    to_story_labels,
)
from parsers import metrics  # noqa: E402
from parsers.matching import score_pair, to_corpus  # noqa: E402


def main() -> int:
    """Run the evaluation and print the table (and errors when asked)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--errors", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    docs = load_labelled(args.path)
    articles = [to_eval_article(d) for d in docs]
    started = time.perf_counter()
    fps, assignment, n_edges = cluster_articles(articles)
    seconds = time.perf_counter() - started
    pred = to_story_labels(assignment)
    report = to_eval_report(docs, pred)
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print(format_report(report))
        print(f"edges {n_edges}  seconds {seconds:.2f}")
    if args.errors:
        corpus = to_corpus(fps.values())
        by_id = {a.article_id: d for a, d in zip(articles, docs, strict=True)}
        print("-- wrong pairs (same predicted story, different gold story)")
        for x, y in itertools.combinations(sorted(by_id), 2):
            dx, dy = by_id[x], by_id[y]
            same_pred = pred[x] == pred[y]
            same_gold = dx.story_id == dy.story_id
            if same_pred == same_gold:
                continue
            if not same_pred and not args.errors:
                continue
            edge = score_pair(corpus, *sorted((x, y)))
            latin = dx.lang in metrics.LATIN_LANGS and dy.lang in metrics.LATIN_LANGS
            kind = "FALSE" if same_pred else "MISS "
            ptype = metrics.pair_type(dx.match_type, dy.match_type) if same_gold else "-"
            print(
                f"{kind} {'L' if latin else ' '} {dx.doc_id} {dy.doc_id} {dx.lang}-{dy.lang} "
                f"{dx.story_id}/{dy.story_id} {ptype:28} {edge.score:.3f} "
                f"{json.dumps(edge.evidence)}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
