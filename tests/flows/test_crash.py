"""A run killed with SIGKILL in the middle of its load: the next run completes it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SEEDS, ask


@pytest.mark.usefixtures("prefect_harness")
def test_a_run_killed_during_its_load_is_completed_by_the_next(tmp_path: Path) -> None:
    from prefect.settings import PREFECT_API_URL

    from flows.nightly import nightly

    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    db = tmp_path / "wh.duckdb"
    marker = Path(f"{db}.fault-pause")
    env = {
        **os.environ,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),  # the harness' server: no cold start
        "QUELLE_FAULT_PAUSE_AT": "load",
        "QUELLE_FAULT_PAUSE_S": "120",
    }
    quelle = Path(sys.executable).with_name("quelle")
    proc = subprocess.Popen(
        [str(quelle), "run", "--offline", "--seeds", str(seeds), "--db", str(db)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while not marker.exists():
            assert proc.poll() is None, "the run ended before reaching its load"
            assert time.monotonic() < deadline, "the run never reached its load"
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    # Killed inside the load transaction: none of its articles were committed.
    assert ask(db, "select count(*) from articles") == [(0,)]
    assert ask(db, "select status from runs") == [("running",)]

    state = nightly(seeds_dir=str(seeds), db_path=str(db), offline=True,
                    overrides={"lock_wait_s": 5.0}, return_state=True)
    summary = state.result(raise_on_failure=False)
    assert summary.status == "completed", summary.error
    per_seed = ask(db, "select seed_path, count(*) from articles group by 1 order by 1")
    assert per_seed == [(p.name, 1) for p in sorted(seeds.glob("*.txt"))]
    assert ask(db, "select count(*), count(distinct article_id) from story_members") == [(5, 5)]
    # By start, not run_id: two runs in one second sort by their ids' random suffixes.
    assert ask(db, "select status, error is not null from runs order by started_at") == [
        ("failed", True), ("completed", False)
    ]
