"""parse_tree reads a page from memory into the tree libxml2's push parser (bs4's) builds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from parsers.prune import prestrip_utf8
from parsers.tree import parse_tree

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "html"
PAGES = sorted(FIXTURES.glob("*/*.html"))
ODD = [
    "<p>a<table><tr><td>b<p>c</table>d",
    "<title>t</title><textarea><p>x</textarea><xmp><b></xmp>é",
    "<a href=x><div>ư</a></div>&nbsp&amp;&#x1ea1;&#",
    "<select><option>a<option>b</select><br/><frameset>",
    "<html><body><p>x</p>\r\n<p>y\r</body></html>",
    "<meta charset=latin1><p>Ạ ư</p>",
    "<p class=x id=y/><img src='a' alt=\"b\"<p>z",
]


def _pushed(data: bytes | str) -> Any:
    """The tree of the data fed whole to libxml2's push parser, as BeautifulSoup feeds it."""
    options: dict[str, Any] = {"recover": True, "default_doctype": False}
    if isinstance(data, bytes):
        options["encoding"] = "utf-8"
    parser = etree.HTMLParser(**options)
    parser.feed(data)
    return parser.close()


def _shape(root: Any) -> list[tuple[Any, ...]]:
    """Every element's tag, attributes, text and tail, in document order."""
    return [(el.tag, el.items(), el.text, el.tail) for el in root.iter()]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_page_read_from_memory_is_the_pushed_tree(page: Path) -> None:
    cut = prestrip_utf8(page.read_bytes())
    root = parse_tree(cut.text, cut.utf8)
    if root is None:
        pytest.skip("parse_tree leaves this page to BeautifulSoup")
    assert _shape(root) == _shape(_pushed(cut.utf8 if cut.utf8 is not None else cut.text))


@pytest.mark.parametrize("text", ODD)
def test_odd_markup_read_from_memory_is_the_pushed_tree(text: str) -> None:
    for data in (text, text.encode()):
        root = parse_tree(text, data if isinstance(data, bytes) else None)
        assert root is not None
        assert _shape(root) == _shape(_pushed(data)), data
