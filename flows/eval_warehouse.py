"""Story matching through a scratch warehouse: the nightly's own match and load path."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from flows.stages import fingerprint_changed, match_stories
from parsers.records import Article
from warehouse.db import open_warehouse
from warehouse.load import LoadBatch, load_batch
from warehouse.state import read_fingerprints, read_state


def cluster_in_warehouse(
    articles: Sequence[Article], db_path: Path | None = None
) -> dict[str, str]:
    """Load the articles as one run into a fresh warehouse; return article_id → story_id."""
    with tempfile.TemporaryDirectory(prefix="quelle-eval-") as tmp:
        path = db_path or Path(tmp) / "eval.duckdb"
        con = open_warehouse(path)
        try:
            state = read_state(con)
            fps = fingerprint_changed(articles, state.known_sha)
            match = match_stories(
                articles, fps, state.known_sha, read_fingerprints(con), state.members,
                state.citations,
            )
            batch = LoadBatch(
                run_id="eval",
                articles=articles,
                fingerprints=match.fingerprints,
                members=[
                    {"story_id": m.story_id, "article_id": m.article_id, "role": m.role,
                     "score": m.score, "evidence": m.evidence}
                    for m in match.assignment.members
                ],
                merges=match.assignment.merges,
            )
            load_batch(con, batch)
            rows = con.execute("select article_id, story_id from story_members").fetchall()
        finally:
            con.close()
    return {str(a): str(s) for a, s in rows}
