"""lxml's tree of a page is BeautifulSoup's tree, and replaying it builds the same soup."""

from __future__ import annotations

import re
from collections.abc import Set
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from bs4.builder._lxml import LXMLTreeBuilder
from bs4.element import PageElement
from lxml import etree

from parsers.decode import decode_html, to_nfc
from parsers.document import SiteRules
from parsers.dom import TagIndex
from parsers.html import GENERIC_RULES
from parsers.prune import prestrip
from parsers.reads import find_reads
from parsers.sites.detail_cms import RULES as DETAIL_RULES
from parsers.sites.gov_portal import RULES as GOV_RULES
from parsers.sites.vnexpress import RULES as VNEXPRESS_RULES
from parsers.tree import KINDS, MAX_KINDS, find_doctype, parse_tree, to_indexed_soup, to_soup

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "html"
PAGES = sorted(FIXTURES.glob("*/*.html"))

Node = tuple[object, ...]


def _text(page: Path) -> str:
    """A recorded page as parse_html hands it to the parser: decoded, pre-stripped, NFC."""
    return to_nfc(prestrip(decode_html(page.read_bytes(), nfc=False))[0])


def _shape(tag: Tag) -> list[Node]:
    """Names, attributes, string types and texts below a tag, in document order."""
    out: list[Node] = []
    for child in tag.children:
        if isinstance(child, Tag):
            out.append((child.name, dict(child.attrs), _shape(child)))
        elif tag.name not in ("html", "[document]") or child.strip():
            # Whitespace around <head> and <body> is parser noise no extraction step reads.
            out.append((type(child).__name__, str(child)))
    return out


def _lxml_shape(el: object) -> list[Node]:
    """_shape of an lxml element, with BeautifulSoup's view of its attributes and texts."""
    soup = to_soup(el, {el}, set())
    return _shape(soup)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_replayed_tree_is_the_parsed_soup(page: Path) -> None:
    text = _text(page)
    root = parse_tree(text)
    assert root is not None
    expected = _shape(BeautifulSoup(text, "lxml"))
    # The parsed soup starts with its <!DOCTYPE>; the replay has no use for it.
    assert _lxml_shape(root) == [n for n in expected if n[0] != "Doctype"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_lxml_sees_the_soups_elements(page: Path) -> None:
    text = _text(page)
    root = parse_tree(text)
    assert root is not None
    soup = BeautifulSoup(text, "lxml")
    assert [el.tag for el in root.iter()] == [t.name for t in soup.find_all(True)]


@pytest.mark.parametrize(
    "text",
    [
        "<p>a</p><!x>",  # a bogus comment
        "<?xml version='1.0'?><p>a</p>",
        "<p>a</p><?php echo 1 ?>",
        "<p>a</p><!DOCTYPE html><p>b</p>",
        "<!DOCTYPE html><p>a</p><!doctype html>",
        "",
    ],
)
def test_trees_that_may_differ_from_the_soups_are_refused(text: str) -> None:
    # parse_html then parses the text with BeautifulSoup, as before, and prunes nothing.
    assert parse_tree(text) is None


def test_a_leading_doctype_is_fine() -> None:
    assert parse_tree("  <!DOCTYPE html><html><body><p>a</p></body></html>") is not None


class _EventReplay(LXMLTreeBuilder):
    """The replay through BeautifulSoup's own start/data/end handlers: the build to match."""

    def __init__(self, root: Any, whole: Set[Any], path: Set[Any]) -> None:
        """Remember the tree and what to keep of it."""
        super().__init__()
        self._root, self._whole, self._path = root, whole, path

    def feed(self, markup: Any) -> None:
        """Send the kept elements' events, with the same keep rules as tree._Replay."""
        start, end, data = self.start, self.end, self.data
        whole, path, root = self._whole, self._path, self._root
        start(root.tag, root.attrib)
        if root.text:
            data(root.text)
        pending = bool(root.text and root.text.strip())
        stack: list[tuple[Any, Any, bool]] = [(root, iter(root), root in whole)]
        while stack:
            el, children, full = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                end(el.tag)
                tail = el.tail if el is not root else None
                if tail:
                    data(tail)
                pending = bool(tail and tail.strip())
                continue
            tail = child.tail
            if full or child in whole or child in path or (pending and tail and tail.strip()):
                start(child.tag, child.attrib)
                if child.text:
                    data(child.text)
                pending = bool(child.text and child.text.strip())
                stack.append((child, iter(child), full or child in whole))
            elif tail:
                data(tail)
                pending = pending or bool(tail.strip())


LINKS = ("parent", "next_element", "previous_element", "next_sibling", "previous_sibling")


def _links(soup: BeautifulSoup) -> list[Node]:
    """Every node's class, fields and text, links and children as document positions."""
    nodes: list[PageElement] = [soup, *soup.descendants]
    pos = {id(n): i for i, n in enumerate(nodes)}
    out: list[Node] = []
    for n in nodes:
        fields = vars(n)
        links = tuple(None if fields[a] is None else pos.get(id(fields[a]), -1) for a in LINKS)
        rest = {k: v for k, v in fields.items() if k not in LINKS}
        if isinstance(n, BeautifulSoup):
            # The builders differ by design; tags still open at the end are none in both.
            del rest["builder"]
            rest["open_tag_counter"] = +rest["open_tag_counter"]
            rest["tagStack"] = [pos[id(t)] for t in rest["tagStack"]]
            for key in ("currentTag", "_most_recent_element"):
                rest[key] = pos.get(id(rest[key]), -1)
        if isinstance(n, Tag):
            rest["contents"] = [pos[id(c)] for c in n.contents]
            rest["attrs"] = [(k, type(v).__name__, v) for k, v in n.attrs.items()]
            rest["_namespaces"] = dict(rest["_namespaces"])
        out.append((type(n).__name__, str(n) if not isinstance(n, Tag) else "", rest, links))
    return out


def _keep(root: Any, rules: SiteRules) -> tuple[set[Any], set[Any]]:
    """What parse_html keeps of a page for a site's rules."""
    return find_reads(root, rules)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
@pytest.mark.parametrize(
    "rules", [GENERIC_RULES, DETAIL_RULES, VNEXPRESS_RULES, GOV_RULES], ids=lambda r: r.name
)
def test_direct_build_links_like_beautifulsoups_handlers(page: Path, rules: SiteRules) -> None:
    root = parse_tree(_text(page))
    assert root is not None
    whole, path = _keep(root, rules)
    expected = BeautifulSoup("", builder=_EventReplay(root, whole, path))
    assert _links(to_soup(root, whole, path)) == _links(expected)


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><pre>  \n </pre><p> \t </p><textarea> </textarea><div>\r</div></body></html>",
        "<p>a<template><p>b<i>c</i></p></template><script>x</script><ruby>r<rt>t</rt></ruby></p>",
        "<meta charset='utf-8'><meta http-equiv='Content-Type' content='text/html; charset=x'>"
        "<p class=' a  b ' rel='x y'>a</p><a rel='nofollow me' rev=q>b</a>",
        "<pre><pre>a</pre>  </pre><p>x<span>y</span>z<b></b></p>",
        "<html xml:lang='vi'><p xmlns:fb='http://x' fb:like='1'>a</p><fb:like class='a b'>x"
        "</fb:like><svg:rect x=1/></html>",
        "<p>a<math><mi>x</mi></math><table><tr><td headers='a b'>c</td></tr></table></p>",
    ],
)
def test_direct_build_matches_on_odd_markup(html: str) -> None:
    root = parse_tree(html)
    assert root is not None
    whole = {root}
    expected = BeautifulSoup("", builder=_EventReplay(root, whole, set()))
    assert _links(to_soup(root, whole, set())) == _links(expected)
    assert _links(to_soup(root, whole, set())) == _links(BeautifulSoup(html, "lxml"))


def test_dropped_elements_tails_join_in_both_builds() -> None:
    root = parse_tree("<body><div><p>keep</p>  <nav>x</nav> tail <i>y</i> more</div></body>")
    assert root is not None
    keep = next(root.iter("p"))
    whole = {keep}
    path = {keep, keep.getparent(), keep.getparent().getparent(), root}
    built = to_soup(root, whole, path)
    assert _links(built) == _links(BeautifulSoup("", builder=_EventReplay(root, whole, path)))
    assert "nav" not in [t.name for t in built.find_all(True)]


def _index_view(index: TagIndex, soup: BeautifulSoup) -> list[object]:
    """A TagIndex as document positions, so two builds of one page compare."""
    pos = {id(n): i for i, n in enumerate(soup.descendants)}
    lists = [
        {k: [pos[id(t)] for t in v] for k, v in table.items()}
        for table in (index.by_name, index.by_class, index.by_attr)
    ]
    return [*lists, sorted(index.position.values()), {pos[k]: v for k, v in index.position.items()}]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_index_filled_while_building_is_the_soups_index(page: Path) -> None:
    root = parse_tree(_text(page))
    assert root is not None
    whole, path = _keep(root, DETAIL_RULES)
    soup, index = to_indexed_soup(root, whole, path)
    assert _index_view(index, soup) == _index_view(TagIndex(soup), soup)
    soup, index = to_indexed_soup(root, {root}, set())
    assert _index_view(index, soup) == _index_view(TagIndex(soup), soup)


def test_the_soup_does_not_hold_the_lxml_tree() -> None:
    # The soup keeps its builder; the page's libxml2 document must not live as long.
    root = parse_tree("<html><body><div><p>keep</p></div><nav>x</nav></body></html>")
    assert root is not None
    whole, path = {root[0][0]}, {root, root[0]}
    builder = to_soup(root, whole, path).builder
    for value in vars(builder).values():
        held = value if isinstance(value, Set) else [value]
        assert not any(isinstance(v, etree._Element) for v in held)


@pytest.mark.parametrize(
    "text",
    [
        "<!DOCTYPE html><p>a",
        "<p>a</p><!DocType html>",
        "<![CDATA[x]]><!x><!doctype",
        "<!doctyp><! doctype><!--doctype-->",
        "<!<!doctype html>",
        "a<!DOCTYPE html><!doctype html>",
        "<!ſcript><!DOCTYPE>",
        "",
    ],
)
def test_find_doctype_finds_what_a_case_blind_regex_finds(text: str) -> None:
    pattern = re.compile(r"<!doctype", re.IGNORECASE)
    for start in range(len(text) + 1):
        m = pattern.search(text, start)
        assert find_doctype(text, start) == (m.start() if m else -1), start


def test_per_name_kinds_stay_bounded_across_pages() -> None:
    # Tag names are the page's to invent; what is kept of them per name must not grow forever.
    html = "".join(f"<x-{i}>t</x-{i}>" for i in range(MAX_KINDS + 50)) + "<pre> </pre>"
    root = parse_tree(html)
    assert root is not None
    soup = to_soup(root, {root}, set())
    assert len(KINDS) <= MAX_KINDS
    assert _links(soup) == _links(BeautifulSoup(html, "lxml"))


@pytest.mark.parametrize(
    "text",
    [
        *(_text(p) for p in PAGES),
        "<meta charset='windows-1252'><p>Giá vàng tăng — “mạnh”</p>",
        "<meta http-equiv='Content-Type' content='text/html; charset=iso-8859-1'><p>Đà Nẵng</p>",
        "\ufeff<p>a\u00a0b</p>",
        "<!DOCTYPE html><p>\U0001f600 &amp; &eacute;</p>",
    ],
)
def test_the_texts_utf8_bytes_parse_to_the_same_tree(text: str) -> None:
    from_text = parse_tree(text)
    from_bytes = parse_tree(text, text.encode("utf-8"))
    assert (from_text is None) == (from_bytes is None)
    if from_text is not None:
        assert etree.tostring(from_bytes, encoding="unicode") == etree.tostring(
            from_text, encoding="unicode"
        )
