"""The schedule and the UI: `quelle serve` (cron deployment) and `quelle ui` (Prefect server)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prefect.schedules import Schedule

DEFAULT_CRON = "0 2 * * *"
DEPLOYMENT = "nightly"
# The flow by module path, so it is found whatever the serving directory is (the package is
# installed); prefect.yaml names the same flow by file path for the work pool.
ENTRYPOINT = "flows.nightly.nightly"


def cron_of(cron: str | None, env: dict[str, str] | None = None) -> str:
    """The cron expression: the flag, then QUELLE_CRON, then 02:00 every day."""
    env = dict(os.environ) if env is None else env
    return cron or env.get("QUELLE_CRON") or DEFAULT_CRON


def schedule_of(cron: str | None, timezone: str) -> Schedule:
    """The nightly cron schedule in the operator's time zone."""
    from prefect.schedules import Cron

    return Cron(cron_of(cron), timezone=timezone)


def nightly_parameters(seeds: str | None, db: Path | None) -> dict[str, Any]:
    """The served deployment's parameters, paths made absolute against this directory."""
    from flows.settings import load_settings

    settings = load_settings()
    return {
        "seeds_dir": str(Path(seeds or settings.seeds_dir).resolve()),
        "db_path": str(Path(db or settings.db_path).resolve()),
        "offline": settings.offline,
    }


def serve_nightly(cron: str | None, seeds: str | None, db: Path | None) -> int:
    """Serve the nightly flow as a deployment with its schedule until interrupted."""
    from prefect import serve
    from prefect.deployments.runner import EntrypointType, RunnerDeployment

    from flows.nightly import nightly
    from flows.settings import load_settings

    settings = load_settings()
    if not os.environ.get("PREFECT_API_URL"):
        print(
            "quelle serve: PREFECT_API_URL is unset, so runs go to a temporary server that "
            "stops with this process; start `quelle ui` and export "
            "PREFECT_API_URL=http://127.0.0.1:4200/api first",
            file=sys.stderr,
        )
    # Served by entrypoint, not as the in-memory flow: Prefect would cloudpickle the flow
    # function by value into each run's process, losing the module globals that the
    # `from __future__ import annotations` parameter hints need (`date`), and every run
    # failed parameter validation ("NightlyModel is not fully defined").
    deployment = nightly.to_deployment(
        name=DEPLOYMENT,
        schedules=[schedule_of(cron, settings.timezone)],
        parameters=nightly_parameters(seeds, db),
        # One run at a time: DuckDB has one writer, and a slow night must not pile up runs.
        concurrency_limit=1,
        tags=["quelle"],
        description="quelle nightly ingestion",
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    assert isinstance(deployment, RunnerDeployment)  # sync caller: not a coroutine
    serve(deployment)
    return 0


def ui_env(port: int, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for a local Prefect server whose UI can reach its own API on any port."""
    env = dict(os.environ if base is None else base)
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # Without this the UI served on port N still calls 127.0.0.1:4200 (PITFALLS 6b).
    env["PREFECT_UI_API_URL"] = f"http://127.0.0.1:{port}/api"
    env["PREFECT_SERVER_API_HOST"] = "127.0.0.1"
    env["PREFECT_SERVER_API_PORT"] = str(port)
    # The server is the API; a client setting pointing elsewhere would only confuse its logs.
    env.pop("PREFECT_API_URL", None)
    return env


def ui_command(port: int) -> list[str]:
    """The `prefect server start` command line for 127.0.0.1:port."""
    prefect = Path(sys.executable).with_name("prefect")
    return [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)]


def start_ui(port: int) -> int:
    """Replace this process with `prefect server start` on 127.0.0.1 (local SQLite)."""
    args = ui_command(port)
    home = os.environ.get("PREFECT_HOME", "~/.prefect")
    print(f"Prefect UI on http://127.0.0.1:{port} (runs from {home}); Ctrl-C stops it")
    sys.stdout.flush()
    os.execve(args[0], args, ui_env(port))
    return 0  # not reached
