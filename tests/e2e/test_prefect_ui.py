"""End to end: `quelle run` against a real Prefect server, checked by its API and its UI."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEEDS
from tests.e2e.prefect_server import (
    PrefectServer,
    keep_screenshot,
    render_page,
    start_quelle,
    stop_process,
    wait_for,
)
from tests.e2e.webhook import WebhookReceiver

pytestmark = pytest.mark.timeout(600)

# Offline, so "fetch sources" does not run.
STAGES = [
    "read seeds", "open warehouse", "parse pages", "fingerprint articles", "match stories",
    "load warehouse",
]


@dataclass(frozen=True)
class Run:
    """One `quelle run` subprocess and the flow run it made."""

    returncode: int
    output: str
    flow_run: Any  # prefect.client.schemas.objects.FlowRun


@dataclass(frozen=True)
class Runs:
    """Tonight's two runs: one that works, one whose seeds directory is missing."""

    ok: Run
    failed: Run
    webhook_posts: list[Any]


def _flow_run_for(server: PrefectServer, seeds_dir: Path) -> Any:
    """The nightly flow run whose seeds_dir parameter is seeds_dir."""
    with server.client() as client:
        runs = client.read_flow_runs()
    found = [r for r in runs if r.parameters.get("seeds_dir") == str(seeds_dir)]
    assert len(found) == 1, [(r.name, r.parameters) for r in runs]
    return found[0]


def _start_run(
    server: PrefectServer, seeds_dir: Path, base: Path, webhook: str
) -> subprocess.Popen[bytes]:
    """`quelle run --offline` against the server, its log and warehouse at base.*."""
    args = ["--seeds", str(seeds_dir), "--db", str(base.with_suffix(".duckdb"))]
    return start_quelle(
        server, "run", "--offline", *args, log=base.with_suffix(".log"), cwd=base.parent,
        QUELLE_NOTIFY_WEBHOOK=webhook,
    )


@pytest.fixture(scope="module")
def runs(prefect_server: PrefectServer, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    """Run both nightly runs at once (each is a cold Python start) and find their flow runs."""
    tmp = tmp_path_factory.mktemp("runs")
    seeds = Path(shutil.copytree(SEEDS, tmp / "seeds"))
    missing = tmp / "no-such-seeds"
    with WebhookReceiver() as hook:
        started = {
            label: (seeds_dir, _start_run(prefect_server, seeds_dir, tmp / label, hook.url))
            for label, seeds_dir in (("ok", seeds), ("failed", missing))
        }
        done: dict[str, Run] = {}
        try:
            for label, (seeds_dir, proc) in started.items():
                code = proc.wait(timeout=240)
                output = (tmp / label).with_suffix(".log").read_text(errors="replace")
                done[label] = Run(code, output, _flow_run_for(prefect_server, seeds_dir))
        finally:
            for _, proc in started.values():
                stop_process(proc)
        posts = hook.wait_for(1, timeout_s=5)
    return Runs(done["ok"], done["failed"], posts)


def test_run_completes_against_the_server(runs: Runs) -> None:
    assert runs.ok.returncode == 0, runs.ok.output
    assert runs.ok.flow_run.state.is_completed(), runs.ok.flow_run.state
    assert runs.ok.flow_run.name.startswith("nightly 20")


def test_run_has_one_task_run_per_stage(prefect_server: PrefectServer, runs: Runs) -> None:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with prefect_server.client() as client:
        task_runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[runs.ok.flow_run.id]))
        )
    # Task run names are "<task name>-<3 hex>".
    stages = Counter(t.name.rsplit("-", 1)[0] for t in task_runs)
    assert stages == Counter(STAGES), stages
    assert all(t.state.is_completed() for t in task_runs), [(t.name, t.state) for t in task_runs]


def test_run_publishes_the_run_report(prefect_server: PrefectServer, runs: Runs) -> None:
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )

    with prefect_server.client() as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[runs.ok.flow_run.id]),
                key=ArtifactFilterKey(any_=["run-report"]),
            )
        )
    assert [a.type for a in artifacts] == ["markdown"]
    assert "completed" in str(artifacts[0].data)


def test_ui_shows_the_run(
    chromium: str, prefect_server: PrefectServer, runs: Runs, tmp_path: Path
) -> None:
    run = runs.ok.flow_run
    png = tmp_path / "flow-run-completed.png"
    url = prefect_server.url(f"/runs/flow-run/{run.id}")
    # The UI renders in the browser; a cold first load can need more than one budget.

    def rendered() -> str | None:
        text = render_page(chromium, url, png)
        return text if run.name in text else None

    text = wait_for("the UI to render the flow run", rendered, timeout_s=300, every_s=1)
    keep_screenshot(png)
    assert "Completed" in text
    assert "load warehouse" in text
    assert png.stat().st_size > 20_000, "a blank page is a few KB"


def test_missing_seeds_fail_the_run_with_the_reason(runs: Runs) -> None:
    state = runs.failed.flow_run.state
    assert runs.failed.returncode == 1, runs.failed.output
    assert state.is_failed(), state
    assert "seeds directory not found" in (state.message or ""), state.message


def test_failed_run_notifies_the_webhook(runs: Runs) -> None:
    [post] = runs.webhook_posts
    assert post.headers["content-type"] == "application/json"
    assert post.json["run"]["status"] == "failed"
    assert "seeds directory not found" in post.json["text"]
