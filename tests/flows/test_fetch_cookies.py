"""Cookies are neither kept nor sent: news pages are public, and a crawler carries no state."""

from __future__ import annotations

from flows.fetch import fetch_all
from tests.servers import LocalServer, fast_settings

HTML = "<html><body><p>x</p></body></html>"


def test_cookies_set_by_a_site_are_not_sent_back(srv: LocalServer) -> None:
    srv.robots("User-agent: *\nAllow: /\n", headers={"Set-Cookie": "from_robots=1; Path=/"})
    srv.route("/a", HTML, headers={"Set-Cookie": "sid=abc; Path=/"})
    srv.route("/b", HTML)
    results = fetch_all([srv.url("/a"), srv.url("/b")], fast_settings(max_workers=1))
    assert [r.outcome for r in results] == ["ok", "ok"]
    assert [s.path for s in srv.seen()] == ["/robots.txt", "/a", "/b"]
    assert all("cookie" not in s.headers for s in srv.seen())
    page = results[0].page
    assert page is not None and ("Set-Cookie", "sid=abc; Path=/") in page.headers  # archived


def test_a_cookie_set_on_a_redirect_is_not_sent_to_the_target(srv: LocalServer) -> None:
    srv.route("/go", status=302, headers={"Location": "/a", "Set-Cookie": "hop=1; Path=/"})
    srv.route("/a", HTML)
    results = fetch_all([srv.url("/go")], fast_settings())
    assert results[0].outcome == "ok"
    assert [s.path for s in srv.seen()] == ["/robots.txt", "/go", "/a"]
    assert all("cookie" not in s.headers for s in srv.seen())
