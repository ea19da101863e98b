"""The page's one lxml parse, and the BeautifulSoup tree built from part of it without reparsing."""

from __future__ import annotations

import codecs
from collections.abc import Set
from typing import Any

from bs4 import BeautifulSoup, Tag
from bs4.builder._lxml import LXMLTreeBuilder
from bs4.element import NavigableString, PageElement
from lxml import etree

from parsers.dom import TagIndex

# BeautifulSoup's lxml builder records a <!DOCTYPE> anywhere as a string; lxml's tree keeps
# only a leading one. Past that point the two trees differ, so such pages are not pruned.
DOCTYPE = "doctype"
# The whitespace BeautifulSoup.endData collapses to one space or newline.
ASCII_SPACES = BeautifulSoup.ASCII_SPACES
# _Build._kind per tag name: the same for every page, since every _Replay has bs4's default
# settings (computing it was ~1% of parse_html). Bounded: pages may invent any tag name.
KINDS: dict[str, tuple[bool, Any, frozenset[str]]] = {}
MAX_KINDS = 4096


def find_doctype(text: str, start: int = 0) -> int:
    """Where the first "<!doctype" (ASCII letters in any case) at or after start is, or -1."""
    # A case-insensitive regex tries every position of the page (~60 µs); find() jumps from
    # one "<!" to the next, and prestrip has cut the comments that held most of them.
    pos = text.find("<!", start)
    while pos >= 0:
        # Only the ASCII letters lower to these (no Kelvin sign or dotless i among them).
        if text[pos + 2 : pos + 9].lower() == DOCTYPE:
            return pos
        pos = text.find("<!", pos + 2)
    return -1


def parse_tree(text: str, utf8: bytes | None = None) -> Any | None:
    """lxml's tree of a pre-stripped page; None when it may differ from BeautifulSoup's tree.

    With `utf8`, the text's UTF-8 bytes, lxml parses those: given the text, it would encode
    it to them first (~2% of parse_html).

    The parser is the one BeautifulSoup(text, "lxml") drives (libxml2's HTML parser, recover
    mode, the whole text at once), so elements, attributes and text nodes are the same
    (tests/parsers/test_html_tree.py). BeautifulSoup feeds libxml2's push parser; fromstring
    reads the same bytes from memory with the same tokenizer and tree builder, ~0.3M fewer
    instructions a page (tests/parsers/test_html_tree_read.py compares the two trees).
    Left to the caller, who then builds the soup from the text as before: pages with a
    comment or processing instruction (a string in the soup, not a text here; rare once
    prestrip has cut comments), a doctype past the first (dropped by lxml), or text lxml
    gives up on.
    """
    first = find_doctype(text)
    if first >= 0 and (text[:first].lstrip("\ufeff").strip() or find_doctype(text, first + 2) >= 0):
        return None
    try:
        # BeautifulSoup drops a leading BOM before feeding lxml (lxml bug 1948551).
        if utf8 is None:
            parser = etree.HTMLParser(recover=True, default_doctype=False)
            root = etree.fromstring(text[1:] if text.startswith("\ufeff") else text, parser)
        else:
            parser = etree.HTMLParser(recover=True, default_doctype=False, encoding="utf-8")
            root = etree.fromstring(utf8[3:] if utf8.startswith(codecs.BOM_UTF8) else utf8, parser)
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
    return to_indexed_soup(root, whole, path)[0]


def to_indexed_soup(root: Any, whole: Set[Any], path: Set[Any]) -> tuple[BeautifulSoup, TagIndex]:
    """to_soup, and the TagIndex of the soup, filled while the tags are made."""
    builder = _Replay(root, whole, path)
    soup = BeautifulSoup("", builder=builder)
    return soup, builder.index


class _Replay(LXMLTreeBuilder):
    """Builds BeautifulSoup's tree of the kept part of an lxml tree instead of parsing again.

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
        self.index = TagIndex()

    def feed(self, markup: Any) -> None:
        """Walk the kept elements, making the Tags and strings BeautifulSoup's parse would."""
        # BeautifulSoup's start/data/end handlers and Tag.__init__ cost ~60 µs per element
        # (namespace maps, tag counters, a linkage fix per string, per-tag builder lookups);
        # a tree replayed from lxml is well nested, so _Build makes the same objects with the
        # same fields and links directly (tests/parsers/test_html_tree.py compares both
        # builds field by field; bs4 is pinned in pyproject.toml).
        soup = self.soup
        assert soup is not None
        whole, path = self._whole, self._path
        root = self._root
        build = _Build(soup, self, self.index)
        build.start(root)
        if root.text:
            build.pending.append(root.text)
        pending = bool(root.text and root.text.strip())
        # An explicit stack: pages nest thousands of levels deep.
        stack: list[tuple[Any, Any, bool]] = [(root, iter(root), root in whole)]
        while stack:
            el, children, full = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                build.end()
                tail = el.tail if el is not root else None
                if tail:
                    build.pending.append(tail)
                pending = bool(tail and tail.strip())
                continue
            keep = full or child in whole or child in path
            # A kept child's tail is read when it closes: lxml makes a new str on each read.
            tail = None if keep else child.tail
            if keep or (pending and tail and tail.strip()):
                build.start(child)
                text = child.text
                if text:
                    build.pending.append(text)
                pending = bool(text and text.strip())
                stack.append((child, iter(child), full or child in whole))
            elif tail:
                build.pending.append(tail)
                pending = pending or bool(tail.strip())
        build.flush()
        soup._most_recent_element = build.last
        # The soup keeps its builder: holding the lxml tree here would keep the whole page's
        # libxml2 document alive until the cyclic GC frees the soup (measured ~0.5 ms a page).
        self._root = None
        self._whole = self._path = frozenset()


class _Build:
    """BeautifulSoup.handle_starttag/handle_data/endData/handle_endtag for well-nested events."""

    __slots__ = (
        "builder",
        "count",
        "holders",
        "index",
        "last",
        "namespaces",
        "open",
        "pending",
        "preserving",
        "soup",
        "template",
        "value_list",
    )

    def __init__(self, soup: BeautifulSoup, builder: LXMLTreeBuilder, index: TagIndex) -> None:
        """Start at the (empty) document, as BeautifulSoup.reset leaves it."""
        self.soup = soup
        self.index = index
        # Position among soup.descendants of the next tag or string made.
        self.count = 0
        self.builder = builder
        self.open: list[Tag] = [soup]
        self.last: PageElement | None = None
        self.pending: list[str] = []
        # Open <pre>/<textarea> keep whitespace-only strings as they are.
        self.preserving = 0
        # Open tags whose strings get their own class (script, style, template, rt, rp).
        self.holders: list[Tag] = []
        self.namespaces = builder.active_namespace_prefixes[-1] or {}
        self.value_list = builder.attribute_value_list_class
        # Tag.__init__'s attributes, in its order; None where start() fills in the tag's own.
        self.template: dict[str, Any] = {
            "parser_class": type(soup),
            "name": None,
            "namespace": None,
            "_namespaces": self.namespaces,
            "prefix": None,
            "sourceline": None,
            "sourcepos": None,
            "attribute_value_list_class": builder.attribute_value_list_class,
            "attrs": None,
            "known_xml": builder.is_xml,
            "contents": None,
            "parent": None,
            "previous_element": None,
            "next_element": None,
            "next_sibling": None,
            "previous_sibling": None,
            "hidden": False,
            "can_be_empty_element": None,
            "cdata_list_attributes": builder.cdata_list_attributes,
            "preserve_whitespace_tags": builder.preserve_whitespace_tags,
            "interesting_string_types": None,
        }

    def start(self, el: Any) -> None:
        """Open a Tag for an lxml element (LXMLTreeBuilder.start, handle_starttag, pushTag)."""
        if self.pending:
            self.flush()
        builder = self.builder
        name = el.tag
        kind = KINDS.get(name)
        if kind is None:
            kind = self._kind(name)
            if len(KINDS) < MAX_KINDS:
                KINDS[name] = kind
        # lxml's values are all str, which the attribute dict's __setitem__ stores unchanged;
        # then _replace_cdata_list_attribute_values' split of class, rel, headers, ….
        items = el.items()
        attrs = builder.attribute_dict_class(items)
        if items:
            lists = kind[2]
            for key, value in items:
                if key in lists:
                    # str.split and the builder's \S+ split at the same code points
                    # (Py_UNICODE_ISSPACE); split is several times cheaper. A list, too, is
                    # stored unchanged by __setitem__: dict's own skips a Python call.
                    dict.__setitem__(attrs, key, self.value_list(value.split()))
        parent = self.open[-1]
        siblings = parent.contents
        previous = siblings[-1] if siblings else None
        # Tag.__init__'s attributes, in its order, with what it derives from the builder per
        # tag name computed once (KINDS); the link fields as setup() sets them.
        tag = Tag.__new__(Tag)
        # A copy of the page's template and eight stores: half the cost of a 21-key literal.
        fields = self.template.copy()
        fields["name"] = name
        fields["attrs"] = attrs
        fields["contents"] = []
        fields["parent"] = parent
        fields["previous_element"] = self.last
        fields["previous_sibling"] = previous
        fields["can_be_empty_element"] = kind[0]
        fields["interesting_string_types"] = kind[1]
        tag.__dict__ = fields
        if self.last is not None:
            self.last.next_element = tag
        if previous is not None:
            previous.next_sibling = tag
        # set_up_substitutions changes only a <meta> with a charset or an http-equiv.
        if name == "meta" and ("charset" in attrs or "http-equiv" in attrs):
            builder.set_up_substitutions(tag)
        self.index.add(tag, self.count)
        self.count += 1
        self.last = tag
        siblings.append(tag)
        self.open.append(tag)
        if name in builder.preserve_whitespace_tags:
            self.preserving += 1
        if name in builder.string_containers:
            self.holders.append(tag)

    def _kind(self, name: str) -> tuple[bool, Any, frozenset[str]]:
        """Tag.__init__'s can_be_empty_element, interesting_string_types and list attributes."""
        builder = self.builder
        containers = builder.string_containers
        strings = {containers[name]} if name in containers else Tag.MAIN_CONTENT_STRING_TYPES
        cdata = builder.cdata_list_attributes or {}
        lists = frozenset(cdata.get("*", ())) | frozenset(cdata.get(name.lower()) or ())
        return builder.can_be_empty_element(name), strings, lists

    def end(self) -> None:
        """Close the innermost open Tag (handle_endtag, popTag)."""
        if self.pending:
            self.flush()
        tag = self.open.pop()
        if tag.name in self.builder.preserve_whitespace_tags:
            self.preserving -= 1
        if self.holders and self.holders[-1] is tag:
            self.holders.pop()

    def flush(self) -> None:
        """Turn the pending data into one string of the open Tag (BeautifulSoup.endData)."""
        if not self.pending:
            return
        pending = self.pending
        data = pending[0] if len(pending) == 1 else "".join(pending)
        self.pending = []
        if not self.preserving and not data.strip(ASCII_SPACES):
            data = "\n" if "\n" in data else " "
        holders = self.holders
        parent = self.open[-1]
        siblings = parent.contents
        last = self.last
        if holders:
            cls = self.builder.string_containers.get(holders[-1].name, NavigableString)
            string = cls(data)
            string.setup(parent, last)
        else:
            # NavigableString(data) then setup(parent, last), without their two Python calls:
            # the same fields, set to the same values, linked the same way.
            string = str.__new__(NavigableString, data)
            previous = siblings[-1] if siblings else None
            string.__dict__ = {
                "hidden": False,
                "parent": parent,
                "previous_element": last,
                "next_element": None,
                "next_sibling": None,
                "previous_sibling": previous,
            }
            if last is not None:
                last.next_element = string
            if previous is not None:
                previous.next_sibling = string
        siblings.append(string)
        self.last = string
        self.count += 1
