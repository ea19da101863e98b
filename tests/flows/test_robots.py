"""robots.txt: rules for our token, once per host, size cap, Crawl-delay, unavailable policy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from flows.fetch import fetch_all, fetch_one, to_agent_token
from tests.servers import LocalServer, Reply, fast_settings

HTML = "<html><body><p>x</p></body></html>"


@pytest.fixture()
def srv() -> Iterator[LocalServer]:
    with LocalServer() as server:
        for path in ("/open", "/private/a", "/private/ok", "/news/1"):
            server.route(path, HTML)
        yield server


def paths(srv: LocalServer) -> list[str]:
    return [s.path for s in srv.seen()]


def test_disallowed_page_is_not_requested(srv: LocalServer) -> None:
    srv.robots("User-agent: *\nDisallow: /private\n")
    results = fetch_all([srv.url("/private/a"), srv.url("/open")], fast_settings())
    assert [r.outcome for r in results] == ["blocked_by_robots", "ok"]
    blocked = results[0].attempts[0]
    assert blocked.status is None and "disallows /private/a" in (blocked.error or "")
    assert paths(srv) == ["/robots.txt", "/open"]


def test_robots_fetched_once_per_host_per_run(srv: LocalServer) -> None:
    srv.robots("User-agent: *\nAllow: /\n")
    fetch_all([srv.url("/open"), srv.url("/news/1"), srv.url("/private/a")], fast_settings())
    assert paths(srv).count("/robots.txt") == 1


def test_group_for_our_token_wins_with_longest_match(srv: LocalServer) -> None:
    srv.robots(
        "User-agent: *\nDisallow: /\n\nUser-agent: quelle\nDisallow: /private\nAllow: /private/ok\n"
    )
    results = fetch_all(
        [srv.url("/open"), srv.url("/private/a"), srv.url("/private/ok")], fast_settings()
    )
    assert [r.outcome for r in results] == ["ok", "blocked_by_robots", "ok"]


def test_other_bots_rules_do_not_apply(srv: LocalServer) -> None:
    srv.robots("User-agent: bot\nDisallow: /\n\nUser-agent: quellebot\nDisallow: /\n")
    assert fetch_one(srv.url("/open"), fast_settings()).outcome == "ok"


def test_agent_token_is_the_product_name() -> None:
    assert to_agent_token("quelle/0.1 (+https://github.com/quelle-news/quelle; news ETL bot)") == (
        "quelle"
    )


def test_wildcards_are_understood(srv: LocalServer) -> None:
    srv.robots("User-agent: *\nDisallow: /*/a$\n")
    results = fetch_all([srv.url("/private/a"), srv.url("/private/ok")], fast_settings())
    assert [r.outcome for r in results] == ["blocked_by_robots", "ok"]


def test_rules_past_the_size_cap_are_ignored(srv: LocalServer) -> None:
    padding = "# " + "x" * 1000 + "\n"
    srv.robots("User-agent: *\nDisallow: /private/a\n" + padding * 600 + "Disallow: /open\n")
    results = fetch_all([srv.url("/private/a"), srv.url("/open")], fast_settings())
    assert [r.outcome for r in results] == ["blocked_by_robots", "ok"]


@pytest.mark.parametrize("status", [404, 403, 401, 410])
def test_robots_4xx_means_allow_all(srv: LocalServer, status: int) -> None:
    srv.robots("User-agent: *\nDisallow: /\n", status=status)
    assert fetch_one(srv.url("/open"), fast_settings()).outcome == "ok"


def test_missing_robots_means_allow_all(srv: LocalServer) -> None:
    assert fetch_one(srv.url("/open"), fast_settings()).outcome == "ok"
    assert paths(srv) == ["/robots.txt", "/open"]


@pytest.mark.parametrize("status", [500, 503, 429])
def test_robots_5xx_or_429_means_disallow_all_for_the_run(srv: LocalServer, status: int) -> None:
    srv.robots("", status=status)
    results = fetch_all([srv.url("/open"), srv.url("/news/1")], fast_settings(max_attempts=2))
    assert [r.outcome for r in results] == ["blocked_by_robots"] * 2
    assert "robots.txt unreachable" in (results[0].attempts[0].error or "")
    assert paths(srv) == ["/robots.txt", "/robots.txt"]  # retried, then nothing else


def test_robots_5xx_then_ok_is_retried(srv: LocalServer) -> None:
    srv.replies(
        "/robots.txt", Reply(status=503, body=b""), Reply(body=b"User-agent: *\nAllow: /\n")
    )
    assert fetch_one(srv.url("/open"), fast_settings(max_attempts=2)).outcome == "ok"


def test_robots_network_failure_means_disallow_all_with_the_network_outcome() -> None:
    with LocalServer() as gone:
        urls = [gone.url("/open"), gone.url("/news/1")]
    results = fetch_all(urls, fast_settings(max_attempts=2))
    assert [r.outcome for r in results] == ["connect", "connect"]
    assert "robots.txt unreachable (connect" in (results[0].attempts[0].error or "")
    assert results[0].attempts[0].status is None


def test_robots_timeout_means_disallow_all(srv: LocalServer) -> None:
    srv.robots("User-agent: *\nAllow: /\n", drip_s=0.1)
    results = fetch_all(
        [srv.url("/open"), srv.url("/news/1")], fast_settings(deadline_s=0.3, max_attempts=1)
    )
    assert [r.outcome for r in results] == ["timeout", "timeout"]
    assert "robots.txt unreachable (timeout" in (results[0].attempts[0].error or "")
    assert paths(srv) == ["/robots.txt"]


def test_robots_redirect_is_followed(srv: LocalServer) -> None:
    srv.redirect("/robots.txt", "/real-robots.txt", 301)
    srv.route("/real-robots.txt", "User-agent: *\nDisallow: /open\n", content_type="text/plain")
    assert fetch_one(srv.url("/open"), fast_settings()).outcome == "blocked_by_robots"


def test_crawl_delay_raises_pacing(srv: LocalServer) -> None:
    srv.robots("User-agent: *\nCrawl-delay: 0.4\n")
    results = fetch_all([srv.url("/open"), srv.url("/news/1")], fast_settings(min_host_delay_s=0))
    assert [r.outcome for r in results] == ["ok", "ok"]
    seen = srv.seen()
    gaps = [b.at - a.at for a, b in zip(seen, seen[1:], strict=False)]
    assert [s.path for s in seen] == ["/robots.txt", "/open", "/news/1"]
    assert min(gaps) >= 0.39


def test_crawl_delay_beyond_max_wait_skips_the_host(srv: LocalServer) -> None:
    srv.robots("User-agent: *\nCrawl-delay: 120\n")
    results = fetch_all([srv.url("/open"), srv.url("/news/1")], fast_settings(max_wait_s=5))
    assert [r.outcome for r in results] == ["blocked_by_robots"] * 2
    assert "Crawl-delay 120s" in (results[0].attempts[0].error or "")
    assert paths(srv) == ["/robots.txt"]


def test_robots_blocked_address_makes_the_page_blocked(srv: LocalServer) -> None:
    srv.redirect("/robots.txt", "http://169.254.169.254/robots.txt")
    r = fetch_one(srv.url("/open"), fast_settings())
    assert r.outcome == "blocked_address"
