"""lxml's tree of a page is BeautifulSoup's tree, and replaying it builds the same soup."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from parsers.decode import decode_html, to_nfc
from parsers.prune import prestrip
from parsers.tree import parse_tree, to_soup

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
