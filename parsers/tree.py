"""The page's one lxml parse, and the BeautifulSoup tree built from part of it without reparsing."""

from __future__ import annotations

import re
from collections.abc import Set
from typing import Any

from bs4 import BeautifulSoup
from bs4.builder._lxml import LXMLTreeBuilder
from lxml import etree

# BeautifulSoup's lxml builder records a <!DOCTYPE> anywhere as a string; lxml's tree keeps
# only a leading one. Past that point the two trees differ, so such pages are not pruned.
DOCTYPE_RE = re.compile(r"<!doctype", re.IGNORECASE)


def parse_tree(text: str) -> Any | None:
    """lxml's tree of a pre-stripped page; None when it may differ from BeautifulSoup's tree.

    The parser is the one BeautifulSoup(text, "lxml") drives (libxml2's HTML parser, recover
    mode, the whole text in one feed), so elements, attributes and text nodes are the same
    (tests/parsers/test_html_tree.py). Left to the caller, who then builds the soup from the
    text as before: pages with a comment or processing instruction (a string in the soup, not
    a text here; rare once prestrip has cut comments), a doctype past the first (dropped by
    lxml), or text lxml gives up on.
    """
    first = DOCTYPE_RE.search(text)
    before = text[: first.start()].lstrip("\ufeff").strip() if first else ""
    if first and (before or DOCTYPE_RE.search(text, first.end())):
        return None
    parser = etree.HTMLParser(recover=True, default_doctype=False)
    try:
        # BeautifulSoup drops a leading BOM before feeding lxml (lxml bug 1948551).
        parser.feed(text[1:] if text.startswith("\ufeff") else text)
        root = parser.close()
    except (etree.LxmlError, ValueError, LookupError):
        return None
    if root is None:
        return None
    odd = (etree.Comment, etree.PI, etree.Entity)
    if next(root.iter(*odd), None) is not None:
        return None
    if root.getprevious() is not None or root.getnext() is not None:
        return None
    return root


def to_soup(root: Any, whole: Set[Any], path: Set[Any]) -> BeautifulSoup:
    """BeautifulSoup's tree of the kept part of an lxml tree (see _Replay)."""
    return BeautifulSoup("", builder=_Replay(root, whole, path))


class _Replay(LXMLTreeBuilder):
    """Feeds BeautifulSoup the parse events of an lxml tree instead of parsing text again.

    Kept: the root, every element in `whole` with all it holds, every element in `path` (not
    its other children). Any other element is dropped and its tail joins the text before it,
    unless both are more than whitespace: joined, they would make one new, longer string that
    could score as main content or hold a date label where neither did. Such an element stays
    as a shell instead: its tag and own text, each of its children judged the same way.
    """

    def __init__(self, root: Any, whole: Set[Any], path: Set[Any]) -> None:
        """Remember the tree and what to keep of it."""
        super().__init__()
        self._root = root
        self._whole = whole
        self._path = path

    def feed(self, markup: Any) -> None:
        """Replay start/data/end events, as lxml's parser target interface sends them."""
        start, end, data = self.start, self.end, self.data
        whole, path = self._whole, self._path
        root = self._root
        start(root.tag, root.attrib)
        if root.text:
            data(root.text)
        pending = bool(root.text and root.text.strip())
        # An explicit stack: pages nest thousands of levels deep.
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
            keep = full or child in whole or child in path
            if keep or (pending and tail and tail.strip()):
                start(child.tag, child.attrib)
                text = child.text
                if text:
                    data(text)
                pending = bool(text and text.strip())
                stack.append((child, iter(child), full or child in whole))
            elif tail:
                data(tail)
                pending = pending or bool(tail.strip())
