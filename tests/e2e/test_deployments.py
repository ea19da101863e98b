"""Both ways to schedule the nightly flow, run for real: prefect.yaml + worker, `quelle serve`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from flows.settings import Settings
from tests.conftest import ROOT, SEEDS
from tests.e2e.prefect_server import (
    PrefectServer,
    check_alive,
    start_quelle,
    stop_process,
    wait_for,
)

pytestmark = pytest.mark.timeout(600)

PREFECT = str(Path(sys.executable).with_name("prefect"))
POOL = "quelle-process"
DEPLOYMENT = "nightly/nightly"


def _prefect(server: PrefectServer, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the prefect CLI against the server; fail the test with its output if it fails."""
    proc = subprocess.run(
        [PREFECT, *args], cwd=cwd, env=server.env(PREFECT_CLI_PROMPT="false"),
        capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL, check=False,
    )
    assert proc.returncode == 0, f"prefect {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def _final_state(
    server: PrefectServer, flow_run_id: Any, runner: subprocess.Popen[bytes], log: Path
) -> Any:
    """Wait for the flow run to reach a final state (while its runner lives) and return it."""

    def final() -> Any:
        check_alive(runner, "the runner", log)
        with server.client() as client:
            state = client.read_flow_run(flow_run_id).state
        return state if state is not None and state.is_final() else None

    try:
        return wait_for(f"flow run {flow_run_id} to finish", final, timeout_s=180, every_s=1)
    except TimeoutError as exc:
        raise AssertionError(f"{exc}\n{log.read_text(errors='replace')[-4000:]}") from exc


def _seeds(tmp_path: Path) -> Path:
    """A copy of the repository's seeds the run may touch."""
    return Path(shutil.copytree(SEEDS, tmp_path / "seeds"))


def test_prefect_yaml_deploys_and_a_worker_runs_it(
    prefect_server: PrefectServer, tmp_path: Path
) -> None:
    from prefect.client.schemas.actions import WorkPoolCreate

    # The operator runs `prefect work-pool create quelle-process --type process`; the client
    # does the same without one more cold CLI start.
    with prefect_server.client() as client:
        client.create_work_pool(WorkPoolCreate(name=POOL, type="process"))
    _prefect(prefect_server, "--no-prompt", "deploy", "--all", cwd=ROOT)
    with prefect_server.client() as client:
        deployment = client.read_deployment_by_name(DEPLOYMENT)
        [schedule] = deployment.schedules
        assert deployment.work_pool_name == POOL
        assert deployment.entrypoint == "flows/nightly.py:nightly"
        assert (schedule.schedule.cron, schedule.schedule.timezone) == (
            "0 2 * * *", Settings().timezone,
        )
        assert schedule.active
        assert deployment.global_concurrency_limit.limit == 1
        assert deployment.parameters == {
            "seeds_dir": "seeds", "db_path": "data/warehouse.duckdb", "offline": False,
        }
        # Tonight's real parameters would write the repository's warehouse: use copies.
        flow_run = client.create_flow_run_from_deployment(
            deployment.id,
            parameters={
                "seeds_dir": str(_seeds(tmp_path)),
                "db_path": str(tmp_path / "worker.duckdb"),
                "offline": True,
            },
        )
    log = tmp_path / "worker.log"
    # The worker runs the flow from QUELLE_HOME (the pull step), whatever its own directory.
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [PREFECT, "worker", "start", "--pool", POOL], cwd=tmp_path,
            env=prefect_server.env(QUELLE_HOME=str(ROOT)), stdout=out,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
    try:
        state = _final_state(prefect_server, flow_run.id, worker, log)
    finally:
        stop_process(worker)
    assert state.is_completed(), f"{state}\n{log.read_text(errors='replace')[-4000:]}"


def test_quelle_serve_schedules_and_runs_the_nightly_flow(
    prefect_server: PrefectServer, tmp_path: Path
) -> None:
    seeds, db = _seeds(tmp_path), tmp_path / "served.duckdb"
    log = tmp_path / "serve.log"
    # Relative paths from another directory: the deployment must store them absolute.
    work = tmp_path / "elsewhere"
    work.mkdir()
    serve = start_quelle(
        prefect_server, "serve", "--seeds", "../seeds", "--db", "../served.duckdb",
        log=log, cwd=work, QUELLE_CRON="15 3 * * *", QUELLE_OFFLINE="1",
    )
    try:
        expected = {"seeds_dir": str(seeds), "db_path": str(db), "offline": True}
        seen: list[Any] = []

        def served() -> Any:
            check_alive(serve, "quelle serve", log)
            with prefect_server.client() as client:
                deployment = client.read_deployment_by_name(DEPLOYMENT)
            seen[:] = [deployment.parameters, [s.schedule for s in deployment.schedules]]
            crons = [s.schedule.cron for s in deployment.schedules]
            # prefect.yaml's test registered the same name: wait for serve's version of it.
            done = crons == ["15 3 * * *"] and deployment.parameters == expected
            return deployment if done else None

        try:
            deployment = wait_for("quelle serve to register the deployment", served, 120)
        except TimeoutError as exc:
            raise AssertionError(f"{exc}; last seen {seen}") from exc
        [schedule] = deployment.schedules
        assert schedule.schedule.timezone == Settings().timezone
        assert deployment.global_concurrency_limit.limit == 1
        with prefect_server.client() as client:
            flow_run = client.create_flow_run_from_deployment(deployment.id)
        state = _final_state(prefect_server, flow_run.id, serve, log)
    finally:
        stop_process(serve)
    assert state.is_completed(), f"{state}\n{log.read_text(errors='replace')[-4000:]}"
    assert db.exists()
