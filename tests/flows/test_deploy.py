"""`quelle serve` and `quelle ui` settings, without starting anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.deploy import DEFAULT_CRON, cron_of, nightly_parameters, schedule_of, ui_env


def test_cron_defaults_to_two_in_the_morning() -> None:
    assert cron_of(None, env={}) == DEFAULT_CRON == "0 2 * * *"


def test_cron_from_environment() -> None:
    assert cron_of(None, env={"QUELLE_CRON": "30 1 * * *"}) == "30 1 * * *"


def test_cron_flag_wins_over_environment() -> None:
    assert cron_of("0 4 * * 1", env={"QUELLE_CRON": "30 1 * * *"}) == "0 4 * * 1"


def test_schedule_is_in_the_given_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUELLE_CRON", raising=False)
    schedule = schedule_of(None, "Europe/Paris")
    assert (schedule.cron, schedule.timezone) == (DEFAULT_CRON, "Europe/Paris")


def test_served_paths_are_absolute(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QUELLE_OFFLINE", raising=False)
    params = nightly_parameters("seeds", Path("data/w.duckdb"))
    assert params == {
        "seeds_dir": str(tmp_path / "seeds"),
        "db_path": str(tmp_path / "data/w.duckdb"),
        "offline": False,
    }


def test_ui_reaches_its_own_api_on_any_port() -> None:
    env = ui_env(4311, {"PREFECT_API_URL": "http://elsewhere:4200/api"})
    assert env["PREFECT_UI_API_URL"] == "http://127.0.0.1:4311/api"
    assert (env["PREFECT_SERVER_API_HOST"], env["PREFECT_SERVER_API_PORT"]) == ("127.0.0.1", "4311")
    assert env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert "PREFECT_API_URL" not in env
