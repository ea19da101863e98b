"""The indexed selector engine agrees with soupsieve on every selector the site modules use."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from parsers.dom import TagIndex, parse_selector
from parsers.sites import (
    article_cms,
    baotintuc,
    dantri,
    detail_cms,
    gov_portal,
    vietnam_vn,
    vnexpress,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "html"
PAGES = sorted(FIXTURES.glob("*/*.html"))
RULE_FIELDS = ("title", "lead", "body", "author", "published", "section", "tags", "exclude")
SELECTORS = sorted(
    {
        selector
        for module in (
            article_cms,
            baotintuc,
            dantri,
            detail_cms,
            gov_portal,
            vietnam_vn,
            vnexpress,
        )
        for name in RULE_FIELDS
        for selector in getattr(module.RULES, name)
    }
    | {"h1", "img", "div p", "div > p", "figure figcaption", "a[href^='/']", "[data-role]"}
)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_index_matches_soupsieve(page: Path) -> None:
    soup = BeautifulSoup(page.read_bytes(), "lxml")
    index = TagIndex(soup)
    for selector in SELECTORS:
        expected = [id(t) for t in soup.select(selector)]
        assert [id(t) for t in index.select(selector)] == expected, selector


def test_within_and_limit() -> None:
    soup = BeautifulSoup(
        "<div id=a><p class=x>1</p><p class=x>2</p></div><div id=b><p class=x>3</p></div>", "lxml"
    )
    index = TagIndex(soup)
    inside_b = soup.find(id="b")
    assert [t.get_text() for t in index.select("p.x", within=inside_b)] == ["3"]
    assert [t.get_text() for t in index.select("p.x", limit=2)] == ["1", "2"]
    assert [t.get_text() for t in index.select("#b p, #a p")] == ["1", "2", "3"]


@pytest.mark.parametrize("selector", ["p:first-child", "a ~ b", "a + b", "::before", ""])
def test_unsupported_syntax_is_refused(selector: str) -> None:
    with pytest.raises(ValueError):
        parse_selector(selector)
