"""requests Sessions: one per fetch thread over one guarded adapter, headers set once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from flows.fetch import fetch_all
from flows.transport import FetchSession, Sessions, to_policy
from parsers.records import Page
from tests.servers import LocalServer, fast_settings

HTML = "<html><body><p>x</p></body></html>"


def test_each_thread_has_its_own_session_over_the_runs_one_adapter() -> None:
    settings = fast_settings()
    sessions = Sessions(settings, to_policy(settings))
    try:
        here = sessions.get()
        assert sessions.get() is here
        there: list[FetchSession] = []
        thread = threading.Thread(target=lambda: there.append(sessions.get()))
        thread.start()
        thread.join()
        assert there[0] is not here
        for session in (here, there[0]):
            assert session.get_adapter("http://a.example/") is sessions.adapter
            assert session.get_adapter("https://a.example/") is sessions.adapter
            assert session.trust_env is False and session.proxies == {}
    finally:
        sessions.close()


def test_threads_share_pooled_connections(srv: LocalServer) -> None:
    srv.route("/a", HTML)
    settings = fast_settings()
    sessions = Sessions(settings, to_policy(settings))
    try:

        def get() -> None:
            with sessions.get().open(srv.url("/a"), None, (2.0, 2.0)) as resp:
                assert resp.raw.read() == HTML.encode()

        for _ in range(3):  # one after another, each from a new thread
            thread = threading.Thread(target=get)
            thread.start()
            thread.join()
    finally:
        sessions.close()
    assert len({s.client_port for s in srv.seen()}) == 1  # one kept-alive connection


def test_each_request_carries_exactly_its_headers(srv: LocalServer) -> None:
    srv.robots("User-agent: *\nAllow: /\n")
    srv.route("/a", HTML)
    srv.route("/b", HTML, etag='"v2"')
    archived = Page(
        url=srv.url("/b"),
        final_url=srv.url("/b"),
        status=200,
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
        body=HTML.encode(),
        etag='"v2"',
    )
    results = fetch_all(
        [srv.url("/a"), srv.url("/b")],
        fast_settings(user_agent="quelle/9 (+https://example.org/bot)", max_workers=1),
        archive={srv.url("/b"): archived},
        now=datetime(2026, 11, 22, tzinfo=UTC),
    )
    assert [r.outcome for r in results] == ["ok", "not_modified"]
    robots, page, revisit = srv.seen()
    for seen in (robots, page, revisit):
        assert seen.headers["user-agent"] == "quelle/9 (+https://example.org/bot)"
        assert seen.headers["accept-encoding"] == "gzip, deflate"
        assert "cookie" not in seen.headers
    assert robots.headers["accept"].startswith("text/plain")
    assert page.headers["accept"].startswith("text/html")
    assert "if-none-match" not in page.headers
    assert revisit.headers["accept"].startswith("text/html")
    assert revisit.headers["if-none-match"] == '"v2"'
