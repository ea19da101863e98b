"""The schedule and the UI: `quelle serve` (cron deployment) and `quelle ui` (Prefect server)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

DEFAULT_CRON = "0 2 * * *"
DEPLOYMENT = "nightly"


def schedule_of(cron: str | None, timezone: str) -> object:
    """The nightly cron schedule in the operator's time zone."""
    from prefect.schedules import Cron

    return Cron(cron or os.environ.get("QUELLE_CRON", DEFAULT_CRON), timezone=timezone)


def serve_nightly(cron: str | None, seeds: str | None, db: Path | None) -> int:
    """Serve the nightly flow as a deployment with its schedule until interrupted."""
    from flows.nightly import nightly
    from flows.settings import load_settings

    settings = load_settings()
    parameters = {
        "seeds_dir": seeds or str(settings.seeds_dir),
        "db_path": str(db or settings.db_path),
        "offline": False,
    }
    # One run at a time: DuckDB has one writer, and a slow night must not pile up runs.
    nightly.serve(
        name=DEPLOYMENT,
        schedules=[schedule_of(cron, settings.timezone)],
        parameters=parameters,
        global_limit=1,
        tags=["quelle"],
        description="quelle nightly ingestion",
    )
    return 0


def ui_env(port: int) -> dict[str, str]:
    """Environment for a local Prefect server whose UI can reach its own API on any port."""
    env = dict(os.environ)
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env["PREFECT_UI_API_URL"] = f"http://127.0.0.1:{port}/api"
    env["PREFECT_SERVER_API_HOST"] = "127.0.0.1"
    env["PREFECT_SERVER_API_PORT"] = str(port)
    return env


def start_ui(port: int) -> int:
    """Replace this process with `prefect server start` on 127.0.0.1 (local SQLite)."""
    prefect = Path(sys.executable).with_name("prefect")
    args = [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    print(f"Prefect UI on http://127.0.0.1:{port} (runs from $PREFECT_HOME); Ctrl-C stops it")
    os.execve(str(prefect), args, ui_env(port))
    return 0  # not reached
