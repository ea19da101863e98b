"""Retries: transient failures only, backoff, Retry-After, giving up on a host."""

from __future__ import annotations

import pytest

from flows.fetch import fetch_all, fetch_one, parse_retry_after
from tests.servers import LocalServer, Reply, fast_settings

HTML = b"<html><body><p>x</p></body></html>"


@pytest.mark.parametrize(
    ("status", "outcome"), [(500, "http_5xx"), (502, "http_5xx"), (429, "http_4xx")]
)
def test_transient_statuses_are_retried_up_to_max_attempts(
    srv: LocalServer, status: int, outcome: str
) -> None:
    srv.route("/x", status=status)
    r = fetch_one(srv.url("/x"), fast_settings(max_attempts=3))
    assert r.outcome == outcome and r.page is None
    assert [a.attempt for a in r.attempts] == [1, 2, 3]
    assert {a.status for a in r.attempts} == {status}
    assert len(srv.seen("/x")) == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 451])
def test_other_4xx_are_not_retried(srv: LocalServer, status: int) -> None:
    srv.route("/x", status=status)
    r = fetch_one(srv.url("/x"), fast_settings(max_attempts=3))
    assert r.outcome == "http_4xx" and len(r.attempts) == 1
    assert len(srv.seen("/x")) == 1


def test_success_after_a_failure_is_ok(srv: LocalServer) -> None:
    srv.replies("/x", Reply(status=503), Reply(body=HTML))
    r = fetch_one(srv.url("/x"), fast_settings(max_attempts=3))
    assert r.outcome == "ok" and [a.outcome for a in r.attempts] == ["http_5xx", "ok"]
    assert r.page is not None and r.page.body == HTML


def test_backoff_spaces_the_retries(srv: LocalServer) -> None:
    srv.route("/x", status=500)
    fetch_one(srv.url("/x"), fast_settings(max_attempts=3, backoff_base_s=0.2, backoff_max_s=1))
    t = [s.at for s in srv.seen("/x")]
    # equal jitter: at least half the exponential step (0.1 s, then 0.2 s)
    assert t[1] - t[0] >= 0.09 and t[2] - t[1] >= 0.19


def test_retry_after_is_honoured(srv: LocalServer) -> None:
    srv.replies("/x", Reply(status=429, headers={"Retry-After": "1"}), Reply(body=HTML))
    r = fetch_one(srv.url("/x"), fast_settings(max_attempts=2))
    assert r.outcome == "ok"
    t = [s.at for s in srv.seen("/x")]
    assert t[1] - t[0] >= 0.99


def test_retry_after_beyond_max_wait_gives_up_on_the_host(srv: LocalServer) -> None:
    srv.route("/x", status=503, headers={"Retry-After": "3600"})
    srv.route("/y", HTML)
    results = fetch_all([srv.url("/x"), srv.url("/y")], fast_settings(max_wait_s=1, max_attempts=3))
    assert [r.outcome for r in results] == ["http_5xx", "http_5xx"]
    assert len(results[0].attempts) == 1
    assert "skipped" in (results[1].attempts[0].error or "")
    assert [s.path for s in srv.seen()] == ["/robots.txt", "/x"]


def test_every_attempt_is_recorded(srv: LocalServer) -> None:
    srv.replies("/x", Reply(status=500), Reply(status=502), Reply(body=HTML))
    r = fetch_one(srv.url("/x"), fast_settings(max_attempts=3))
    assert [(a.attempt, a.outcome, a.status) for a in r.attempts] == [
        (1, "http_5xx", 500),
        (2, "http_5xx", 502),
        (3, "ok", 200),
    ]
    assert all(a.url == srv.url("/x") and a.duration_ms >= 0 for a in r.attempts)
    assert r.attempts[0].started_at < r.attempts[2].started_at


def test_parse_retry_after() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
