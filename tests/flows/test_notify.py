"""Failure notification: a real webhook on 127.0.0.1 gets the run summary; a bad one is harmless."""

from __future__ import annotations

import pytest

from flows import notify
from flows.notify import notify_failure
from flows.report import RunSummary
from flows.settings import Settings
from tests.e2e.prefect_server import free_port
from tests.e2e.webhook import WebhookReceiver
from tests.servers import clear_proxy_env


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib honours HTTP_PROXY: keep the POST on 127.0.0.1."""
    clear_proxy_env(monkeypatch)


def _failed_run() -> RunSummary:
    """A run that failed in its first stage."""
    summary = RunSummary("20260101T020000Z-abc123", "/tmp/w.duckdb", "/tmp/seeds")
    summary.status = "failed"
    summary.error = "FileNotFoundError: seeds directory not found: /tmp/seeds"
    summary.counts = {"seed_files": 0}
    return summary


def test_failure_is_posted_as_json() -> None:
    with WebhookReceiver() as hook:
        assert notify_failure(Settings(notify_webhook=hook.url), _failed_run()) is True
        [post] = hook.wait_for(1)
    assert post.path == "/hook"
    assert post.headers["content-type"] == "application/json"
    assert post.json["text"] == (
        "quelle run 20260101T020000Z-abc123 failed: "
        "FileNotFoundError: seeds directory not found: /tmp/seeds"
    )


def test_payload_carries_the_run_summary() -> None:
    with WebhookReceiver() as hook:
        notify_failure(Settings(notify_webhook=hook.url), _failed_run())
        [post] = hook.wait_for(1)
    run = post.json["run"]
    assert (run["run_id"], run["status"], run["counts"]) == (
        "20260101T020000Z-abc123", "failed", {"seed_files": 0},
    )


def test_post_identifies_quelle() -> None:
    settings = Settings(user_agent="quelle-test/1")
    with WebhookReceiver() as hook:
        notify_failure(settings.replace(notify_webhook=hook.url), _failed_run())
        [post] = hook.wait_for(1)
    assert post.headers["user-agent"] == "quelle-test/1"


def test_unset_webhook_sends_nothing() -> None:
    assert notify_failure(Settings(notify_webhook=None), _failed_run()) is False


def test_webhook_down_does_not_crash() -> None:
    # A port nobody listens on: connection refused.
    url = f"http://127.0.0.1:{free_port()}/hook"
    assert notify_failure(Settings(notify_webhook=url), _failed_run()) is False


def test_webhook_error_status_does_not_crash() -> None:
    with WebhookReceiver(status=503) as hook:
        assert notify_failure(Settings(notify_webhook=hook.url), _failed_run()) is False
        assert len(hook.wait_for(1)) == 1


def test_slow_webhook_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notify, "TIMEOUT_S", 0.2)
    with WebhookReceiver(delay_s=2.0) as hook:
        assert notify_failure(Settings(notify_webhook=hook.url), _failed_run()) is False
