"""`quelle fetch URL`: attempts, headers, parsed record; exit code."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from flows.fetch_one_cmd import run_fetch
from tests.servers import LocalServer, fast_settings

ARTICLE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Floods hit the delta</title>
<meta property="og:title" content="Floods hit the delta">
<meta property="article:published_time" content="2026-11-20T08:00:00+07:00">
</head><body><article><h1>Floods hit the delta</h1>
<p>Heavy rain over the weekend flooded thousands of homes across the Mekong delta,
officials said on Monday.</p>
<p>Rescue teams moved families to higher ground as rivers kept rising through the night
and into the morning.</p>
<p>The weather service expects more rain this week and warned of landslides in the
central highlands.</p>
</article></body></html>"""


@pytest.fixture()
def srv() -> Iterator[LocalServer]:
    with LocalServer() as server:
        server.route("/article", ARTICLE, headers={"X-Test": "yes"})
        server.route("/empty", "<html><body></body></html>")
        yield server


def test_ok_page_prints_attempts_headers_and_record(srv: LocalServer) -> None:
    out = io.StringIO()
    assert run_fetch(srv.url("/article"), fast_settings(), out=out) == 0
    text = out.getvalue()
    assert f"{srv.url('/article')}: ok" in text
    assert "attempt 1: ok status=200" in text
    assert "X-Test: yes" in text
    assert "Floods hit the delta" in text or "not parsed:" in text


def test_json_report(srv: LocalServer) -> None:
    out = io.StringIO()
    assert run_fetch(srv.url("/article"), fast_settings(), as_json=True, out=out) == 0
    report = json.loads(out.getvalue())
    assert report["outcome"] == "ok"
    assert report["attempts"][0]["status"] == 200
    assert ["X-Test", "yes"] in report["headers"]
    assert report["record"] is not None or report["parse_error"]


def test_unparsable_page_reports_the_reason_and_still_exits_0(srv: LocalServer) -> None:
    out = io.StringIO()
    assert run_fetch(srv.url("/empty"), fast_settings(), out=out) == 0
    assert "not parsed:" in out.getvalue() or "record:" in out.getvalue()


def test_failure_exits_1(srv: LocalServer) -> None:
    out = io.StringIO()
    assert run_fetch(srv.url("/missing"), fast_settings(), out=out) == 1
    assert "http_4xx" in out.getvalue()


def test_refused_address_exits_1() -> None:
    out = io.StringIO()
    assert run_fetch("http://169.254.169.254/", fast_settings(), out=out) == 1
    assert "blocked_address" in out.getvalue()
