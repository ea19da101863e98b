"""Runs killed with SIGKILL at every stage, again and again: the next run always completes.

`make test` kills once per stage; `make soak` sets QUELLE_SOAK_ITERATIONS and
QUELLE_SOAK_SECONDS for a longer, randomised run (stages and kill times drawn at random).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS, ask
from tests.servers import LocalServer, clear_proxy_env

STAGES = ["read_seeds", "fetch", "parse", "match", "load"]
PAGE = (ROOT / "tests/fixtures/pages/vn_laos_digital.html").read_bytes()
ITERATIONS = int(os.environ.get("QUELLE_SOAK_ITERATIONS", len(STAGES)))
BUDGET_S = float(os.environ.get("QUELLE_SOAK_SECONDS", 300))


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalServer]:
    """The pages the seeds cite."""
    clear_proxy_env(monkeypatch)
    with LocalServer() as srv:
        for n in range(3):
            srv.route(f"/tin-{n}.htm", PAGE.replace(b"2025", str(2020 + n).encode()))
        yield srv


def _write_seeds(seeds: Path, site: LocalServer, generation: int) -> None:
    """The five seeds plus cited seeds; each generation adds one more seed."""
    seeds.mkdir(exist_ok=True)
    for path in SEEDS.glob("*.txt"):
        (seeds / path.name).write_bytes(path.read_bytes())
    for n in range(generation + 1):
        (seeds / f"cited_{n}.txt").write_text(
            f"Meldung {n}: Vietnam und Laos vertiefen die digitale Zusammenarbeit.\n"
            f"Quelle: {site.url(f'/tin-{n % 3}.htm')}\n",
            encoding="utf-8",
        )


def _killed_run(env: dict[str, str], seeds: Path, db: Path, stage: str | None) -> str:
    """Start a run and SIGKILL it at the stage (or at a random moment); returns where."""
    marker = Path(f"{db}.fault-pause")
    marker.unlink(missing_ok=True)
    run_env = dict(env)
    if stage:
        run_env.update({"QUELLE_FAULT_PAUSE_AT": stage, "QUELLE_FAULT_PAUSE_S": "120"})
    quelle = Path(sys.executable).with_name("quelle")
    proc = subprocess.Popen(
        [str(quelle), "run", "--seeds", str(seeds), "--db", str(db)],
        env=run_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        if stage:
            deadline = time.monotonic() + 120
            while not marker.exists():
                assert proc.poll() is None, f"the run ended before {stage}"
                assert time.monotonic() < deadline, f"the run never reached {stage}"
                time.sleep(0.05)
            time.sleep(random.uniform(0, 0.2))
            where = stage
        else:
            time.sleep(random.uniform(0.5, 6.0))
            where = "random" if proc.poll() is None else "finished before the kill"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    return where



@pytest.mark.usefixtures("prefect_harness")
def test_runs_killed_at_every_stage_leave_a_warehouse_the_next_run_completes(
    site: LocalServer, tmp_path: Path
) -> None:
    from prefect.settings import PREFECT_API_URL

    from flows.nightly import nightly

    env = {
        **os.environ,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "QUELLE_ALLOWED_NETWORKS": "127.0.0.1/32",
        "QUELLE_MIN_HOST_DELAY_S": "0",
        "QUELLE_LOCK_WAIT_S": "30",
    }
    seeds, db = tmp_path / "seeds", tmp_path / "wh.duckdb"
    rng = random.Random(os.environ.get("QUELLE_SOAK_SEED", "7"))
    started = time.monotonic()
    kills: list[str] = []
    for i in range(ITERATIONS):
        if time.monotonic() - started > BUDGET_S:
            break
        _write_seeds(seeds, site, generation=i)
        soak = "QUELLE_SOAK_ITERATIONS" in os.environ
        stage = rng.choice([*STAGES, None]) if soak else STAGES[i % len(STAGES)]
        kills.append(_killed_run(env, seeds, db, stage))
        if i % 2 == 1:  # let some runs finish, so later kills hit a non-empty warehouse
            state = nightly(seeds_dir=str(seeds), db_path=str(db),
                            overrides={"allowed_networks": "127.0.0.1/32",
                                       "min_host_delay_s": 0.0}, return_state=True)
            assert state.is_completed(), state.message

    state = nightly(seeds_dir=str(seeds), db_path=str(db),
                    overrides={"allowed_networks": "127.0.0.1/32", "min_host_delay_s": 0.0},
                    return_state=True)
    assert state.is_completed(), (kills, state.message)
    files = sorted(p.name for p in seeds.glob("*.txt"))
    assert ask(db, "select seed_path, count(*) from articles where origin = 'seed' "
                  "group by 1 order by 1") == [(f, 1) for f in files]
    assert ask(db, "select count(*) from articles where origin = 'web'") == [(3,)]
    assert ask(db, "select count(*) = count(distinct article_id) from story_members") == [(True,)]
    assert ask(db, "select count(*) from articles anti join story_members using (article_id)") == [
        (0,)
    ]
    latest = ask(db, "select max(run_id) from runs where status = 'completed'")[0][0]
    assert ask(db, f"select count(*) from quality_checks where run_id = '{latest}' "
                  "and status = 'fail'") == [(0,)]
    assert ask(db, "select count(*) from runs where status = 'running'") == [(0,)]
