"""Politeness: per-host pacing from the server's own log; hosts in parallel."""

from __future__ import annotations

import time

from flows.fetch import fetch_all
from tests.servers import LocalServer, fast_settings

HTML = b"<html><body><p>x</p></body></html>"


def test_one_host_is_paced_by_min_host_delay() -> None:
    with LocalServer() as srv:
        for i in range(4):
            srv.route(f"/{i}", HTML)
        results = fetch_all(
            [srv.url(f"/{i}") for i in range(4)], fast_settings(min_host_delay_s=0.25)
        )
        assert {r.outcome for r in results} == {"ok"}
        seen = srv.seen()
        assert [s.path for s in seen] == ["/robots.txt", "/0", "/1", "/2", "/3"]
        gaps = [b.at - a.at for a, b in zip(seen, seen[1:], strict=False)]
        assert min(gaps) >= 0.24


def test_hosts_are_fetched_in_parallel_each_in_order() -> None:
    with (
        LocalServer("127.0.0.2") as a,
        LocalServer("127.0.0.3") as b,
        LocalServer("127.0.0.4") as c,
    ):
        servers = (a, b, c)
        for srv in servers:
            for i in range(3):
                srv.route(f"/{i}", HTML, delay_s=0.2)
        urls = [srv.url(f"/{i}") for i in range(3) for srv in servers]
        t0 = time.monotonic()
        results = fetch_all(urls, fast_settings(max_workers=3))
        elapsed = time.monotonic() - t0
        assert {r.outcome for r in results} == {"ok"}
        for srv in servers:
            assert [s.path for s in srv.seen()] == ["/robots.txt", "/0", "/1", "/2"]
        # 9 pages of 0.2 s each: ~1.8 s one after another, ~0.6 s with three hosts at once
        assert elapsed < 1.5


def test_a_single_worker_still_fetches_every_host() -> None:
    with LocalServer("127.0.0.2") as a, LocalServer("127.0.0.3") as b:
        a.route("/x", HTML)
        b.route("/y", HTML)
        results = fetch_all([a.url("/x"), b.url("/y")], fast_settings(max_workers=1))
        assert [r.outcome for r in results] == ["ok", "ok"]


def test_keep_alive_reuses_the_connection() -> None:
    with LocalServer() as srv:
        for i in range(3):
            srv.route(f"/{i}", HTML)
        fetch_all([srv.url(f"/{i}") for i in range(3)], fast_settings())
        assert len({s.client_port for s in srv.seen()}) == 1
