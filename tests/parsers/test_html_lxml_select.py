"""Selectors run on the lxml tree find what TagIndex finds on the soup, in the same order."""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers.decode import decode_html, to_nfc
from parsers.dom import TagIndex
from parsers.html import GENERIC_RULES
from parsers.lxml_select import LxmlSelect, _lookup_keys
from parsers.prune import prestrip
from parsers.reads import read_selectors
from parsers.registry import SITE_RULES
from parsers.tree import parse_tree, to_soup

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "html"
PAGES = sorted(FIXTURES.glob("*/*.html"))
SELECTORS = sorted(
    {s for rules in SITE_RULES.values() for s in (*read_selectors(rules), *rules.body)}
    | {
        "h1",
        "a",
        "div p",
        "div > p",
        "body > div a",
        "figure figcaption",
        "a[href^='/']",
        "[data-role]",
        "meta[property~=og:title]",
        "link[rel=canonical]",
        "* > html",
        "[class]",
        "div[class*=detail]",
        "div[class] a[href]",
        "ul li a, h1, .breadcrumb a",
        # Looked up under an ancestor whose key is rarer than the last compound's.
        'div[data-role] a[href*="/"]',
        "[itemprop=articleBody] p[class]",
        "div *",
        "body > * > a",
    }
)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_lxml_select_finds_what_the_tag_index_finds(page: Path) -> None:
    root = parse_tree(to_nfc(prestrip(decode_html(page.read_bytes(), nfc=False))[0]))
    assert root is not None
    # The soup replayed from the same tree: element i of one is element i of the other.
    soup = to_soup(root, {root}, set())
    position = {el: i for i, el in enumerate(root.iter())}
    index = TagIndex(soup)
    tag_position = {id(t): i for i, t in enumerate(soup.find_all(True))}
    select = LxmlSelect(root, SELECTORS)
    for selector in SELECTORS:
        expected = [tag_position[id(t)] for t in index.select(selector)]
        assert [position[el] for el in select.select(selector)] == expected, selector


# The sites' selectors name no bare tags (gov_portal's h1 aside): they take the XPath way.
RULE_SETS = [*SITE_RULES.values(), GENERIC_RULES]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_filing_attributes_by_xpath_files_what_the_walk_files(page: Path) -> None:
    root = parse_tree(to_nfc(prestrip(decode_html(page.read_bytes(), nfc=False))[0]))
    assert root is not None
    for rules in RULE_SETS:
        selectors = (*read_selectors(rules), *rules.body)
        names, classes, attrs = _lookup_keys(tuple(sorted(set(selectors))))
        select = LxmlSelect(root, selectors)
        walked = LxmlSelect(root, ())
        walked._by_key.clear()
        walked._file_walk(root, names, classes, attrs - {"class"})
        assert select._by_key == walked._by_key, rules.name
        # Positions may count differently; their order is the page's.
        order = sorted(select._position, key=select._position.__getitem__)
        assert order == sorted(walked._position, key=walked._position.__getitem__)


@pytest.mark.parametrize(
    "selectors",
    [
        (".detail-content p", "[data-role=content]", "div[itemprop] span.author"),
        (".detail-content", "[xml:lang]", "[data-role]"),  # xml:lang: no XPath step
    ],
)
def test_site_selectors_find_what_the_tag_index_finds(selectors: tuple[str, ...]) -> None:
    page = (
        '<html lang="vi"><body><div class="detail-content x" data-role="content">'
        '<p>a</p><p class="detail-content">b</p></div><div itemprop="author">'
        '<span class="author">c</span><span class="author b" xml:lang="vi">d</span></div>'
        '<div data-role="">e</div></body></html>'
    )
    root = parse_tree(page)
    assert root is not None
    soup = to_soup(root, {root}, set())
    position = {el: i for i, el in enumerate(root.iter())}
    index = TagIndex(soup)
    tag_position = {id(t): i for i, t in enumerate(soup.find_all(True))}
    select = LxmlSelect(root, selectors)
    for selector in selectors:
        expected = [tag_position[id(t)] for t in index.select(selector)]
        assert expected, selector
        assert [position[el] for el in select.select(selector)] == expected, selector
