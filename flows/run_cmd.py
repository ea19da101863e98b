"""`quelle run` and `quelle replay`: start the flow, print the summary, set the exit code."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from flows.report import RunSummary, to_console


def _finish(state: object, as_json: bool) -> int:
    """Print the run's summary (or its crash) and turn the final state into an exit code."""
    from prefect.states import State

    assert isinstance(state, State)
    summary = state.result(raise_on_failure=False)
    if isinstance(summary, RunSummary):
        print(json.dumps(summary.to_dict(), indent=2) if as_json else to_console(summary))
        return 0 if summary.status == "completed" else 1
    print(f"quelle: the run failed: {state.message or summary}", file=sys.stderr)
    return 1


def run_nightly(
    seeds: str, db: Path | None, offline: bool, since: date | None, as_json: bool
) -> int:
    """One nightly run now, in Prefect's local mode unless PREFECT_API_URL names a server."""
    from flows.nightly import nightly

    state = nightly(
        seeds_dir=seeds, db_path=str(db), offline=offline, since=since, return_state=True
    )
    return _finish(state, as_json)


def run_replay(db: Path | None, as_json: bool) -> int:
    """Re-parse the archive with the current parsers and reload."""
    from flows.nightly import replay

    return _finish(replay(db_path=str(db), return_state=True), as_json)
