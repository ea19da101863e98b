"""Fetch bounds: deadline, byte caps, content type, redirects, resets, address checks per hop."""

from __future__ import annotations

import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler

import pytest

from flows.fetch import fetch_all, fetch_one
from tests.servers import LocalServer, Reply, fast_settings, reset_connection

HTML = "<html><head><title>t</title></head><body><p>hello</p></body></html>"


def test_ok_page_keeps_raw_bytes_headers_and_address(srv: LocalServer) -> None:
    body = "<html><body>Hà Nội</body></html>".encode() + b"\xff\xfe broken utf-8"
    srv.route("/a", body, etag='"v1"', last_modified="Sat, 21 Nov 2026 10:00:00 GMT")
    r = fetch_one(srv.url("/a"), fast_settings())
    assert r.outcome == "ok"
    assert r.page is not None and r.page.body == body
    assert r.page.content_type == "text/html; charset=utf-8"
    assert r.page.etag == '"v1"' and r.page.last_modified == "Sat, 21 Nov 2026 10:00:00 GMT"
    assert ("ETag", '"v1"') in r.page.headers
    (a,) = r.attempts
    assert (a.status, a.bytes, a.cache, a.address) == (200, len(body), "miss", "127.0.0.1")
    assert a.started_at.tzinfo is not None and a.final_url == srv.url("/a")


def test_sends_configured_user_agent(srv: LocalServer) -> None:
    srv.route("/a", HTML)
    fetch_one(srv.url("/a"), fast_settings(user_agent="quelle/9 (+https://example.org/bot)"))
    assert {s.headers["user-agent"] for s in srv.seen()} == {"quelle/9 (+https://example.org/bot)"}


def test_slow_drip_is_cut_by_the_deadline(srv: LocalServer) -> None:
    srv.route("/drip", b"x" * 400, drip_s=0.05)  # 20 s at this pace
    t0 = time.monotonic()
    r = fetch_one(srv.url("/drip"), fast_settings(deadline_s=1.0, read_timeout_s=5, max_attempts=1))
    assert r.outcome == "timeout" and r.page is None
    # Far below the 20 s the drip lasts, with room for a loaded CI machine (3.7 s was seen).
    assert time.monotonic() - t0 < 8


def test_slow_headers_are_cut_by_the_deadline(srv: LocalServer) -> None:
    def dribble_headers(h: BaseHTTPRequestHandler) -> None:
        h.wfile.write(b"HTTP/1.1 200 OK\r\n")
        for i in range(200):  # 20 s of headers; writing fails once the client has gone
            h.wfile.write(f"X-Slow-{i}: y\r\n".encode())
            h.wfile.flush()
            time.sleep(0.1)

    srv.handle("/slowhead", dribble_headers)
    t0 = time.monotonic()
    r = fetch_one(srv.url("/slowhead"), fast_settings(deadline_s=1.0, max_attempts=1))
    assert r.outcome == "timeout"
    # Far below the 20 s the headers last, with room for a loaded CI machine (3.7 s was seen).
    assert time.monotonic() - t0 < 8


def test_silent_server_is_cut_by_the_read_timeout(srv: LocalServer) -> None:
    # FetchSession.open hands its timeout straight to the adapter: the socket's read timeout
    # ends a silent wait long before the (much longer) deadline would.
    def silent(h: BaseHTTPRequestHandler) -> None:
        time.sleep(2.0)
        h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\nok")

    srv.handle("/silent", silent)
    t0 = time.monotonic()
    r = fetch_one(
        srv.url("/silent"), fast_settings(deadline_s=10.0, read_timeout_s=0.3, max_attempts=1)
    )
    assert r.outcome == "timeout" and r.page is None
    assert time.monotonic() - t0 < 1.5


def test_timeouts_are_retried(srv: LocalServer) -> None:
    srv.route("/drip", b"x" * 100, drip_s=0.1)
    r = fetch_one(srv.url("/drip"), fast_settings(deadline_s=0.3, max_attempts=2))
    assert [a.outcome for a in r.attempts] == ["timeout", "timeout"]
    assert len(srv.seen("/drip")) == 2


def test_gzip_bomb_stops_at_the_cap(srv: LocalServer) -> None:
    srv.gzip_bomb("/bomb")  # 100 MB of zeros, ~100 KB on the wire
    r = fetch_one(srv.url("/bomb"), fast_settings(max_bytes=1_000_000))
    assert r.outcome == "too_large" and r.page is None
    assert len(r.attempts) == 1
    assert r.attempts[0].bytes <= 1_000_000 + 64 * 1024


def test_gzip_page_is_decoded(srv: LocalServer) -> None:
    srv.route("/gz", HTML, gzip=True)
    r = fetch_one(srv.url("/gz"), fast_settings())
    assert r.outcome == "ok" and r.page is not None and r.page.body == HTML.encode()


def test_declared_length_over_cap_is_refused_before_reading(srv: LocalServer) -> None:
    srv.route("/big", b"x" * 5000)
    r = fetch_one(srv.url("/big"), fast_settings(max_bytes=1000))
    assert r.outcome == "too_large"
    assert "Content-Length" in (r.attempts[0].error or "")


def test_undeclared_length_over_cap_is_too_large(srv: LocalServer) -> None:
    def chunked(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        for _ in range(10):
            h.wfile.write(b"3e8\r\n" + b"x" * 1000 + b"\r\n")
        h.wfile.write(b"0\r\n\r\n")

    srv.handle("/chunked", chunked)
    assert fetch_one(srv.url("/chunked"), fast_settings(max_bytes=5000)).outcome == "too_large"
    assert fetch_one(srv.url("/chunked"), fast_settings(max_bytes=20000)).outcome == "ok"


@pytest.mark.parametrize(
    ("content_type", "outcome"),
    [
        ("text/html", "ok"),
        ("TEXT/HTML; charset=windows-1258", "ok"),
        ("application/xhtml+xml", "ok"),
        ("application/pdf", "bad_content_type"),
        ("text/plain", "bad_content_type"),
        (None, "bad_content_type"),
    ],
)
def test_only_html_is_accepted(srv: LocalServer, content_type: str | None, outcome: str) -> None:
    srv.route("/doc", HTML, content_type=content_type)
    r = fetch_one(srv.url("/doc"), fast_settings())
    assert r.outcome == outcome
    assert len(r.attempts) == 1


def test_content_type_is_checked_before_the_body(srv: LocalServer) -> None:
    srv.route("/pdf", b"%PDF" + b"x" * 400, content_type="application/pdf", drip_s=0.05)
    t0 = time.monotonic()
    r = fetch_one(srv.url("/pdf"), fast_settings())
    assert r.outcome == "bad_content_type" and r.attempts[0].bytes == 0
    assert time.monotonic() - t0 < 1.0


def test_redirect_chain_is_followed(srv: LocalServer) -> None:
    srv.redirect("/r1", "/r2", 301)
    srv.redirect("/r2", srv.url("/r3"), 307)
    srv.route("/r3", HTML)
    r = fetch_one(srv.url("/r1"), fast_settings())
    assert r.outcome == "ok" and r.page is not None
    assert r.page.url == srv.url("/r1") and r.page.final_url == srv.url("/r3")
    assert [s.path for s in srv.seen() if s.path != "/robots.txt"] == ["/r1", "/r2", "/r3"]


def test_redirect_loop(srv: LocalServer) -> None:
    srv.redirect("/a", "/b")
    srv.redirect("/b", "/a")
    r = fetch_one(srv.url("/a"), fast_settings())
    assert r.outcome == "redirect_loop" and len(r.attempts) == 1


def test_too_many_redirects(srv: LocalServer) -> None:
    for i in range(6):
        srv.redirect(f"/h{i}", f"/h{i + 1}")
    srv.route("/h6", HTML)
    assert fetch_one(srv.url("/h0"), fast_settings(max_redirects=5)).outcome == "redirect_loop"
    assert fetch_one(srv.url("/h0"), fast_settings(max_redirects=6)).outcome == "ok"


def test_a_large_redirect_body_is_not_read(srv: LocalServer) -> None:
    # 100 KB dripped over 50 s: reading it (as requests' own redirect handling would, to
    # prepare Response.next) ends in the deadline; dropping the connection does not.
    srv.replies(
        "/moved",
        Reply(status=302, headers={"Location": "/a"}, body=b"x" * 100_000, drip_s=0.0005),
    )
    srv.route("/a", HTML)
    t0 = time.monotonic()
    r = fetch_one(srv.url("/moved"), fast_settings(deadline_s=2.0, max_attempts=1))
    assert r.outcome == "ok" and r.page is not None and r.page.final_url == srv.url("/a")
    assert time.monotonic() - t0 < 1.5


def test_redirect_without_location_is_bad_url(srv: LocalServer) -> None:
    srv.route("/nowhere", status=302, content_type=None)
    assert fetch_one(srv.url("/nowhere"), fast_settings()).outcome == "bad_url"


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/",
        "http://2852039166/",
        "http://127.0.0.1:{port}/secret",
        "http://0x7f.1:{port}/secret",
        "http://localhost:{port}/secret",
        "http://10.0.0.1/",
    ],
)
def test_redirect_to_a_refused_address_is_blocked(target: str) -> None:
    # The source is 127.0.0.2 and only it is allowed, so loopback 127.0.0.1 stays refused.
    with LocalServer("127.0.0.2") as src, LocalServer("127.0.0.1") as inner:
        inner.route("/secret", "secret")
        src.redirect("/go", target.format(port=inner.port))
        r = fetch_one(src.url("/go"), fast_settings(allowed_networks="127.0.0.2/32"))
        assert r.outcome == "blocked_address"
        assert inner.seen() == []


def test_redirect_to_another_allowed_host_is_followed_and_robots_checked() -> None:
    with LocalServer("127.0.0.2") as a, LocalServer("127.0.0.3") as b:
        b.route("/page", HTML)
        b.robots("User-agent: *\nDisallow: /private\n")
        b.route("/private", HTML)
        a.redirect("/to-b", b.url("/page"))
        a.redirect("/to-b-private", b.url("/private"))
        results = fetch_all([a.url("/to-b"), a.url("/to-b-private")], fast_settings())
        assert [r.outcome for r in results] == ["ok", "blocked_by_robots"]
        assert results[0].attempts[0].address == "127.0.0.3"
        assert [s.path for s in b.seen()] == ["/robots.txt", "/page"]


def test_redirect_to_other_scheme_is_bad_url(srv: LocalServer) -> None:
    srv.redirect("/ftp", "ftp://example.com/file")
    assert fetch_one(srv.url("/ftp"), fast_settings()).outcome == "bad_url"


def test_reset_mid_body_is_a_connect_failure_and_retried(srv: LocalServer) -> None:
    srv.replies("/reset", Reply(body=b"x" * 5000, reset_after=100), Reply(body=HTML.encode()))
    r = fetch_one(srv.url("/reset"), fast_settings(max_attempts=3))
    assert [a.outcome for a in r.attempts] == ["connect", "ok"]


def test_reset_before_the_response_is_a_connect_failure_and_retried(srv: LocalServer) -> None:
    def reset(h: BaseHTTPRequestHandler) -> None:
        reset_connection(h)

    srv.handle("/rst", reset)
    r = fetch_one(srv.url("/rst"), fast_settings(max_attempts=3))
    assert [a.outcome for a in r.attempts] == ["connect"] * 3
    assert len(srv.seen("/rst")) == 3


@pytest.mark.parametrize(
    ("url", "outcome"),
    [
        ("ftp://127.0.0.1/a", "bad_url"),
        ("http://user:pw@127.0.0.1/a", "bad_url"),
        ("http://169.254.169.254/latest", "blocked_address"),
        ("http://2130706433/", "blocked_address"),
        ("http://[::1]/", "blocked_address"),
        ("not a url", "bad_url"),
    ],
)
def test_refused_before_any_request(url: str, outcome: str) -> None:
    r = fetch_one(url, fast_settings(allowed_networks=""))
    assert r.outcome == outcome and r.page is None
    (a,) = r.attempts
    assert a.status is None and a.address is None and a.duration_ms == 0


def test_loopback_is_refused_by_default_settings(srv: LocalServer) -> None:
    from flows.settings import Settings

    srv.route("/a", HTML)
    assert fetch_one(srv.url("/a"), Settings()).outcome == "blocked_address"
    assert srv.seen() == []


def test_allow_private_addresses_reaches_a_local_server(srv: LocalServer) -> None:
    srv.route("/a", HTML)
    settings = fast_settings(allowed_networks="", allow_private_addresses=True)
    assert fetch_one(srv.url("/a"), settings).outcome == "ok"


def test_environment_proxies_are_ignored(srv: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalServer("127.0.0.4") as proxy:
        proxy.route("/a", "from the proxy")
        monkeypatch.setenv("HTTP_PROXY", proxy.base_url)
        monkeypatch.setenv("http_proxy", proxy.base_url)
        srv.route("/a", HTML)
        r = fetch_one(srv.url("/a"), fast_settings())
        assert r.outcome == "ok" and r.page is not None and r.page.body == HTML.encode()
        assert proxy.seen() == []


def test_single_member_gzip_bomb_stops_at_the_cap(srv: LocalServer) -> None:
    import gzip

    bomb = gzip.compress(bytes(20_000_000), compresslevel=9)  # one member, ~20 KB
    srv.handle("/bomb1", _send_gzip(bomb))
    r = fetch_one(srv.url("/bomb1"), fast_settings(max_bytes=500_000))
    assert r.outcome == "too_large"


def _send_gzip(data: bytes) -> Callable[[BaseHTTPRequestHandler], None]:
    def send(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Encoding", "gzip")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    return send
