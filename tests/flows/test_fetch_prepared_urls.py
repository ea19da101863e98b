"""URLs sent as they are only when requests' prepare_url would send them unchanged."""

from __future__ import annotations

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.fetch import fetch_all
from flows.transport import is_as_prepared
from tests.servers import LocalServer, fast_settings

# Characters sent as they are, and those that percent-encoding, IDNA, case folding or dot
# segments treat specially.
PLAIN = "aZ09-._~!$&'()*+,;=:@/"
TRICKY = PLAIN + "?#%[] \t\\éü*"


def prepared(url: str) -> str | None:
    """What requests' prepare_url makes of url (None when it refuses it)."""
    p = requests.PreparedRequest()
    try:
        p.prepare_url(url, "")
    except requests.exceptions.RequestException:
        return None
    return p.url


@st.composite
def urls(draw: st.DrawFn) -> str:
    """URLs near the fast path's edges: odd schemes, hosts, ports, paths and queries."""
    scheme = draw(st.sampled_from(["http", "https", "http", "HTTP", "Https", "ftp", ""]))
    host = draw(
        st.one_of(
            st.text(alphabet="abc019.-", min_size=1, max_size=12),
            st.text(alphabet="abcXYZ019.-*[]:_é@", max_size=12),
        )
    )
    port = draw(st.sampled_from(["", "", ":80", ":18130", ":0", ":08", ":65535", ":65536", ":"]))
    path = draw(
        st.one_of(
            st.text(alphabet=PLAIN, max_size=30).map("/".__add__),
            st.text(alphabet=TRICKY, max_size=30),
        )
    )
    query = draw(
        st.one_of(
            st.just(""),
            st.text(alphabet=PLAIN + "?", max_size=12).map("?".__add__),
            st.text(alphabet=TRICKY, max_size=12).map("?".__add__),
        )
    )
    return f"{scheme}://{host}{port}{path}{query}"


@st.composite
def plain_urls(draw: st.DrawFn) -> str:
    """URLs of the fast path's own form, dot segments and all."""
    scheme = draw(st.sampled_from(["http", "https"]))
    host = draw(st.from_regex(r"[a-z0-9][a-z0-9.-]{0,10}", fullmatch=True))
    port = draw(st.sampled_from(["", ":1", ":80", ":18130", ":65535"]))
    path = draw(st.text(alphabet=PLAIN, max_size=40))
    query = draw(st.one_of(st.just(""), st.text(alphabet=PLAIN + "?", max_size=12)))
    return f"{scheme}://{host}{port}/{path}" + (f"?{query}" if query else "")


@settings(max_examples=3000, deadline=None)
@given(st.one_of(urls(), plain_urls()))
def test_a_url_sent_as_is_is_what_prepare_url_makes_of_it(url: str) -> None:
    if is_as_prepared(url):
        assert prepared(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://vnexpress.net:18130/thoi-su/ban-tin-20250000036655.htm",
        "https://e.vnexpress.net/news/world-4812345.html",
        "https://tuoitre.vn/a,b;c=d:e@f~g!h$i&j'k(l)m*n+o.htm?id=12&p=3",
        "http://127.0.0.1:8080/",
        "https://example.com./x",
    ],
)
def test_plain_news_urls_take_the_fast_path(url: str) -> None:
    assert is_as_prepared(url)
    assert prepared(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com",  # prepare_url adds the "/"
        "http://Example.com/x",  # host lower-cased
        "HTTP://example.com/x",  # scheme lower-cased
        "http://example.com/a/./b",  # dot segments removed
        "http://example.com/a/../b",
        "http://example.com/a/..",
        "http://example.com/x?",  # empty query dropped
        "http://example.com/%7e",  # escapes re-quoted
        "http://example.com/a b",  # encoded
        "http://example.com/x#frag",
        "http://example.com:080/x",  # port re-written
        "http://example.com:70000/x",  # refused
        "http://.example.com/x",  # refused
        "http://user@example.com/x",
        "http://[::1]/x",
        "http://bücher.de/x",  # IDNA
    ],
)
def test_urls_prepare_url_changes_or_refuses_take_the_slow_path(url: str) -> None:
    assert not is_as_prepared(url)


def test_a_fast_path_url_reaches_the_server_as_written(srv: LocalServer) -> None:
    path = "/a,b;c=d:e@f~g!h$i&j'k(l)m*n+o.htm?id=12&p=/x"
    srv.robots("User-agent: *\nAllow: /\n")
    srv.route(path.split("?")[0], "<html><body><p>x</p></body></html>")
    results = fetch_all([srv.url(path)], fast_settings())
    assert results[0].outcome == "ok"
    assert srv.seen()[-1].path == path
