"""`quelle run` and `quelle replay`: start the flow, print the summary, set the exit code."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from flows.progress import terminal_bars
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
    seeds: str,
    db: Path | None,
    offline: bool,
    since: date | None,
    as_json: bool,
    bars: bool | None = None,
    reread_seeds: bool = False,
) -> int:
    """One nightly run now, in Prefect's local mode unless PREFECT_API_URL names a server.

    bars: progress bars on stderr (None: when stderr is a terminal).
    reread_seeds: read every seed file, not only those changed since the last run.
    """
    from flows.nightly import nightly

    try:
        with terminal_bars(bars):
            state = nightly(
                seeds_dir=seeds, db_path=str(db), offline=offline, since=since,
                overrides={"reread_seeds": True} if reread_seeds else None, return_state=True,
            )
    except RuntimeError as exc:
        return _no_prefect(exc)
    return _finish(state, as_json)


def _no_prefect(exc: RuntimeError) -> int:
    """Say plainly that Prefect's temporary server did not come up, and what to do."""
    if "ephemeral" not in str(exc).lower():
        raise exc
    print(
        "quelle: Prefect's temporary server did not start in time (a busy machine?). Raise "
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, or start `quelle ui` and set "
        f"PREFECT_API_URL=http://127.0.0.1:4200/api. ({exc})",
        file=sys.stderr,
    )
    return 3


def run_replay(db: Path | None, as_json: bool, bars: bool | None = None) -> int:
    """Re-parse the archive with the current parsers and reload."""
    from flows.nightly import replay

    try:
        with terminal_bars(bars):
            state = replay(db_path=str(db), return_state=True)
    except RuntimeError as exc:
        return _no_prefect(exc)
    return _finish(state, as_json)
