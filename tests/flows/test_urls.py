"""canonicalize_url: one spelling per page."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsers.urls import canonicalize_url, to_site


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HTTP://Example.COM:80/a?utm_source=x&b=1#frag", "http://example.com/a?b=1"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("http://example.com./a", "http://example.com/a"),
        ("  http://example.com/a  ", "http://example.com/a"),
        ("http://a.com/?fbclid=1&gclid=2&UTM_Medium=q&id=7", "http://a.com/?id=7"),
        ("http://a.com/?a&b=&utm_x=1", "http://a.com/?a&b="),
        ("http://a.com/x?", "http://a.com/x"),
        ("http://a.com/a/./b/../c", "http://a.com/a/c"),
        ("http://a.com/%7euser/%2f", "http://a.com/~user/%2F"),
        ("https://Bücher.de/tin tức", "https://xn--bcher-kva.de/tin%20t%E1%BB%A9c"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("http://u:p@A.com/", "http://u:p@a.com/"),
    ],
)
def test_canonical_spelling(raw: str, canonical: str) -> None:
    assert canonicalize_url(raw) == canonical


def test_query_order_and_values_are_kept() -> None:
    assert canonicalize_url("http://a.com/s?b=2&a=1&q=x+y") == "http://a.com/s?b=2&a=1&q=x+y"


def test_same_page_cited_differently_is_one_url() -> None:
    spellings = [
        "http://News.example.com/a?id=1#top",
        "http://news.example.com:80/a?id=1&utm_campaign=x",
        "http://news.example.com/a?fbclid=abc&id=1",
    ]
    assert len({canonicalize_url(u) for u in spellings}) == 1


@pytest.mark.parametrize(
    "raw", ["http://a.com:99999/", "http://[::1/", "example.com/a", "mailto:x@y"]
)
def test_unparsable_or_schemeless_input_comes_back_unchanged(raw: str) -> None:
    assert canonicalize_url(raw) == raw


@given(
    st.from_regex(
        r"(?i)https?://[a-z0-9.-]{1,20}(:[0-9]{1,5})?(/[a-z0-9%._~ /-]{0,20})?"
        r"(\?[a-z0-9_=&%+-]{0,20})?(#[a-z0-9]{0,5})?",
        fullmatch=True,
    )
)
def test_canonicalize_is_idempotent(url: str) -> None:
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once


def test_to_site_drops_www() -> None:
    assert to_site("https://www.Example.com/a") == "example.com"
    assert to_site("not a url") is None
