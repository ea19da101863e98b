"""on_result: each distinct URL's final result, once, from the fetch workers, as it is ready."""

from __future__ import annotations

import threading

import pytest

from flows.fetch import FetchResult, fetch_all
from tests.servers import LocalServer, Reply, fast_settings

HTML = b"<html><body><p>x</p></body></html>"


def test_on_result_gets_every_distinct_url_once_with_its_final_result() -> None:
    with LocalServer("127.0.0.2") as a, LocalServer("127.0.0.3") as b:
        a.route("/1", HTML)
        a.replies("/flaky", Reply(status=503), Reply(body=HTML))
        a.robots("User-agent: *\nDisallow: /private\n")
        b.route("/2", status=404)
        urls = [
            a.url("/1"),
            a.url("/1#comments"),  # the same canonical URL
            a.url("/flaky"),
            a.url("/private/x"),
            b.url("/2"),
            "ftp://127.0.0.2/nope",
        ]
        seen: list[tuple[FetchResult, str]] = []
        lock = threading.Lock()

        def on_result(r: FetchResult) -> None:
            with lock:
                seen.append((r, threading.current_thread().name))

        results = fetch_all(urls, fast_settings(max_attempts=2), on_result=on_result)

    assert sorted(r.url for r, _ in seen) == sorted(r.url for r in results)
    assert len(seen) == len(results) == 5
    by_url = {r.url: r for r, _ in seen}
    assert all(by_url[r.url] is r for r in results)  # the final objects, not drafts
    flaky = next(r for r in results if r.url.endswith("/flaky"))
    assert [a.outcome for a in flaky.attempts] == ["http_5xx", "ok"]  # after the retry
    assert {r.outcome for r in results} == {"ok", "blocked_by_robots", "http_4xx", "bad_url"}
    assert {name.split("_")[0] for _, name in seen} == {"fetch"}  # on the worker threads


def test_on_result_is_called_as_results_arrive_not_at_the_end() -> None:
    with LocalServer() as srv:
        srv.route("/fast", HTML)
        srv.route("/slow", HTML, delay_s=0.5)
        slow_requests_when_called: dict[str, int] = {}

        def on_result(r: FetchResult) -> None:
            slow_requests_when_called[r.url] = len(srv.seen("/slow"))

        fetch_all([srv.url("/fast"), srv.url("/slow")], fast_settings(), on_result=on_result)
        # /fast was reported before /slow was even requested (one host: in order).
        assert slow_requests_when_called == {srv.url("/fast"): 0, srv.url("/slow"): 1}


def test_an_error_in_on_result_fails_the_run() -> None:
    with LocalServer() as srv:
        srv.route("/a", HTML)

        def broken(_r: FetchResult) -> None:
            raise RuntimeError("progress bar bug")

        with pytest.raises(RuntimeError, match="progress bar bug"):
            fetch_all([srv.url("/a")], fast_settings(), on_result=broken)
