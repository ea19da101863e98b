"""Quoting a URL's path or query normalises its escapes as if every escape were checked."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from parsers.urls import _PATH_SAFE, _QUERY_SAFE, _normalize_escapes, _quote_normalized


@pytest.mark.parametrize(
    "text",
    [
        "/2025/02/28/an-chính-cho-387853881848.jpg",
        "/a b/ĐĐ/~x/%7e/%7E/%2f/%e1%BA%bf",
        "/already%20quoted/và thêm",
        "q=tiếng việt&x=%41%5a&y=a+b",
        "",
        "%",
        "/%zz/%4",
    ],
)
@pytest.mark.parametrize("safe", [_PATH_SAFE, _QUERY_SAFE])
def test_quoting_normalises_escapes_as_checking_each_would(text: str, safe: str) -> None:
    assert _quote_normalized(text, safe) == _normalize_escapes(quote(text, safe=safe))
