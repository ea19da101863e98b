"""A sharded night for real: two `prefect worker` processes take the shards, one loader writes."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from flows.fetch import to_host_key
from tests.conftest import ROOT, ask
from tests.e2e.prefect_server import PrefectServer, check_alive, stop_process, wait_for
from tests.servers import clear_proxy_env
from tests.shard_sites import ShardSites

pytestmark = pytest.mark.timeout(600)

PREFECT = str(Path(sys.executable).with_name("prefect"))
POOL = "quelle-process"
WORKERS = ("quelle-shard-a", "quelle-shard-b")
OVERRIDES = {
    "allowed_networks": "127.0.0.0/8",
    "min_host_delay_s": 0.0,
    "backoff_base_s": 0.01,
    "backoff_max_s": 0.05,
    "deadline_s": 5.0,
}
# The coordinator as the `nightly-sharded` deployment's worker would run it, in one process.
COORDINATOR = """
import json, sys
from flows.sharded_flow import nightly_sharded
state = nightly_sharded(**json.loads(sys.argv[1]), return_state=True)
print("coordinator:", state.type.value, state.message, flush=True)
sys.exit(0 if state.is_completed() else 1)
"""


def _prefect(server: PrefectServer, *args: str) -> None:
    """Run the prefect CLI from the checkout against the server; fail with its output."""
    proc = subprocess.run(
        [PREFECT, *args], cwd=ROOT, env=server.env(PREFECT_CLI_PROMPT="false"),
        capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL, check=False,
    )
    assert proc.returncode == 0, f"prefect {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"


def _start_worker(server: PrefectServer, name: str, log: Path, cwd: Path) -> Any:
    """`prefect worker start` on the shards queue, one flow run at a time, polling every second."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [PREFECT, "worker", "start", "--pool", POOL, "--work-queue", "shards",
             "--limit", "1", "--name", name],
            cwd=cwd, env=server.env(QUELLE_HOME=str(ROOT), PREFECT_WORKER_QUERY_SECONDS="1"),
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def _tails(logs: list[Path]) -> str:
    """The ends of the workers' logs, for a failure message."""
    return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in logs)


def test_two_workers_take_one_shard_each_and_one_loader_writes_every_page_once(
    prefect_server: PrefectServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterDeploymentId
    from prefect.exceptions import ObjectAlreadyExists

    clear_proxy_env(monkeypatch)
    with prefect_server.client() as client, contextlib.suppress(ObjectAlreadyExists):
        client.create_work_pool(WorkPoolCreate(name=POOL, type="process"))  # test_deployments'
    logs = [tmp_path / f"{name}.log" for name in WORKERS]
    db = tmp_path / "wh.duckdb"
    # Cold processes are this test's cost: the workers start while the CLI deploys.
    workers = [
        _start_worker(prefect_server, name, log, tmp_path)
        for name, log in zip(WORKERS, logs, strict=True)
    ]
    try:
        _prefect(prefect_server, "--no-prompt", "deploy", "-n", "nightly-shard", "-n",
                 "nightly-sharded")
        with prefect_server.client() as client:
            shard = client.read_deployment_by_name("nightly-shard/nightly-shard")
            sharded = client.read_deployment_by_name("nightly-sharded/nightly-sharded")
        assert (shard.work_pool_name, shard.work_queue_name) == (POOL, "shards")
        assert shard.entrypoint == "flows/shard_flow.py:nightly_shard" and not shard.schedules
        assert shard.global_concurrency_limit.limit == sharded.parameters["shards"] == 2
        [schedule] = sharded.schedules
        assert schedule.schedule.cron == "0 2 * * *" and not schedule.active  # nightly's slot
        assert (sharded.work_queue_name, sharded.global_concurrency_limit.limit) == ("default", 1)

        def online() -> bool | None:
            for worker, log in zip(workers, logs, strict=True):
                check_alive(worker, "a shard worker", log)
            with prefect_server.client() as client:
                names = {w.name for w in client.read_workers_for_work_pool(POOL)}
            return True if set(WORKERS) <= names else None

        # Both must poll before the shard runs exist, or the first could take both in turn.
        wait_for("both shard workers to poll the pool", online, timeout_s=180)
        with ShardSites() as sites:
            params = {
                "shards": 2, "seeds_dir": str(sites.write_seeds(tmp_path / "seeds")),
                "db_path": str(db), "spool_dir": str(tmp_path / "spool"), "timeout_s": 300.0,
                "overrides": OVERRIDES,
            }
            coordinator = subprocess.run(
                [sys.executable, "-c", COORDINATOR, json.dumps(params)], cwd=tmp_path,
                env=prefect_server.env(), capture_output=True, text=True, timeout=420,
                stdin=subprocess.DEVNULL, check=False,
            )
    finally:
        for worker in workers:
            stop_process(worker)
    output = f"{coordinator.stdout}\n{coordinator.stderr[-4000:]}\n{_tails(logs)}"
    assert coordinator.returncode == 0, output

    with prefect_server.client() as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                deployment_id=FlowRunFilterDeploymentId(any_=[shard.id])
            )
        )
    assert len(runs) == 2 and all(r.state is not None and r.state.is_completed() for r in runs)
    assert sorted(r.parameters["shard"] for r in runs) == [0, 1]
    # Prefect 3.8.8 labels each flow run with the worker that submitted it.
    assert sorted(r.labels.get("prefect.worker.name") for r in runs) == list(WORKERS), output

    web = ask(db, "select url, count(*) from articles where origin = 'web' group by url")
    assert sorted(web) == sorted((u, 1) for u in sites.article_urls)
    assert ask(db, "select count(*) - count(distinct article_id) from articles") == [(0,)]
    hosts = {to_host_key(u) for (u,) in ask(db, "select url from fetches")}
    assert hosts == set(sites.hosts)
    assert ask(db, "select status from runs") == [("completed",)]
