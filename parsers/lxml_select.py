"""The site selectors run on an lxml tree, with the answers TagIndex gives on the soup."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from bs4.builder import HTMLTreeBuilder
from lxml import etree

from parsers.selectors import Chain, Compound, parse_selector

# Attributes BeautifulSoup splits into token lists (class everywhere, rel on <a>, …); a
# selector sees them as the tokens joined by one space, so the view must split them too.
LIST_ATTRS: Mapping[str, set[str]] = HTMLTreeBuilder.DEFAULT_CDATA_LIST_ATTRIBUTES
UNIVERSAL_LIST_ATTRS = frozenset(LIST_ATTRS.get("*", set()))

# Attribute names an XPath step spells as they are: no prefix, nothing XPath reads otherwise.
XPATH_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")

# Where a chain's matches are looked up, as in TagIndex: ("class", token), ("attr", name) or
# ("name", tag); "*" for a chain of bare universal compounds.
Key = tuple[str, str]


class ElementView:
    """An lxml element as a selector compound sees a BeautifulSoup Tag: name and attrs."""

    __slots__ = ("attrs", "name")

    def __init__(self, el: Any) -> None:
        """Copy the tag name and attributes, token-list attributes split."""
        self.name: str = el.tag
        attrs: dict[str, object] = dict(el.items())
        specific = LIST_ATTRS.get(self.name.lower(), ())
        for key, value in attrs.items():
            if key in UNIVERSAL_LIST_ATTRS or key in specific:
                attrs[key] = str(value).split()
        self.attrs: Mapping[str, object] = attrs


@lru_cache(maxsize=64)
def _attribute_xpath(attrs: frozenset[str]) -> Any:
    """The class and the named attributes of every element, in document order."""
    steps = (f"descendant-or-self::*/@{name}" for name in sorted({"class", *attrs}))
    return etree.XPath(" | ".join(steps))


def _key(compound: Compound) -> Key:
    """The index key TagIndex looks a compound's candidates up under."""
    if compound.classes:
        return ("class", compound.classes[0])
    if compound.ident is not None:
        return ("attr", "id")
    if compound.attrs:
        return ("attr", compound.attrs[0][0])
    return ("name", compound.name) if compound.name else ("*", "")


def _lookup(chain: Chain) -> tuple[int, Key]:
    """Which compound of a chain candidates come from: the one with the rarest kind of key.

    A class or id beats an attribute test, an exact value beats a bare name or a substring:
    dantri's 'article[data-slot=container] a[href*="/tac-gia/"]' keyed by href filed every
    link of the page (half its elements) and viewed each; keyed by data-slot, a handful. On a
    tie the last compound wins, else the leftmost (as TagIndex picks its anchors).
    """
    last = len(chain) - 1
    ranks = [_rank(compound) for _, compound in chain]
    best = min(ranks)
    k = last if ranks[last] == best else ranks.index(best)
    return k, _key(chain[k][1])


def _rank(compound: Compound) -> int:
    """How rare a compound's key is likely to be on a page: 0 (class, id) to 4 (none)."""
    if compound.classes or compound.ident is not None:
        return 0
    if compound.attrs:
        return 1 if compound.attrs[0][1] == "=" else 2
    return 3 if compound.name else 4


@lru_cache(maxsize=64)
def _lookup_keys(selectors: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    """Tag names, class tokens and attribute names the selectors' lookups start from."""
    keys = {_lookup(chain)[1] for s in selectors for chain in parse_selector(s)}
    names = {v for kind, v in keys if kind == "name"}
    if ("*", "") in keys:
        names.add("*")
    classes = {v for kind, v in keys if kind == "class"}
    attrs = {v for kind, v in keys if kind == "attr"}
    return frozenset(names), frozenset(classes), frozenset(attrs)


class LxmlSelect:
    """Selector matches on one lxml tree, limited to the selectors named up front."""

    def __init__(self, root: Any, selectors: Iterable[str]) -> None:
        """File the elements the selectors' lookups start from, in one pass over the tree."""
        names, classes, attrs = _lookup_keys(tuple(sorted(set(selectors))))
        self._by_key: dict[Key, list[Any]] = {}
        self._position: dict[Any, int] = {}
        self._file(root, names, classes, attrs)
        self.root = root
        self._views: dict[Any, ElementView] = {}
        self._full_order: dict[Any, int] | None = None

    def _file(
        self, root: Any, names: frozenset[str], classes: frozenset[str], attrs: frozenset[str]
    ) -> None:
        """File elements by tag name, attribute name and class token, in document order."""
        attrs = attrs - {"class"}  # class is filed by token only, never as a name
        if names or not all(map(XPATH_NAME_RE.match, attrs)):
            self._file_walk(root, names, classes, attrs)
            return
        # Most elements are filed under nothing, and a Python loop over all of them made a
        # proxy and a get() each (~3.5k instructions an element); libxml2 finds the class
        # and named attributes of the page, and only their elements come to Python.
        by_key = self._by_key
        position = self._position
        for pos, value in enumerate(_attribute_xpath(attrs)(root)):
            name = value.attrname
            if name == "class":
                tokens = classes.intersection(value.split())
                if not tokens:
                    continue
                filed = [("class", t) for t in tokens]
            else:
                filed = [("attr", name)]
            el = value.getparent()
            # An element's attributes come together: its first one gives its position.
            position.setdefault(el, pos)
            for key in filed:
                by_key.setdefault(key, []).append(el)

    def _file_walk(
        self, root: Any, names: frozenset[str], classes: frozenset[str], attrs: frozenset[str]
    ) -> None:
        """_file by a walk over every element: for tag names, and attribute names XPath lacks."""
        # One Python loop: measured 10x cheaper than one XPath with an `or` per key. Most
        # elements are filed under nothing: reject them with as few lxml calls as possible
        # (counted in instructions: get("class") costs less than keys(), and one get() per
        # attribute name less than keys() for one name; the tag only when names ask).
        every = "*" in names
        (one,) = attrs if len(attrs) == 1 else (None,)
        many = len(attrs) > 1
        by_key = self._by_key
        position = self._position
        for pos, el in enumerate(root.iter()):
            cls = el.get("class")
            if not (
                (cls is not None and not classes.isdisjoint(cls.split()))
                or (one is not None and el.get(one) is not None)
                or (many and not attrs.isdisjoint(el.keys()))
                or (names and (every or el.tag in names))
            ):
                continue
            tag = el.tag
            filed: list[Key] = [("*", "")] if every else []
            if tag in names:
                filed.append(("name", tag))
            keys = el.keys()
            filed.extend(("attr", a) for a in keys if a in attrs)
            if cls is not None:
                filed.extend(("class", t) for t in classes.intersection(cls.split()))
            position[el] = pos
            for key in filed:
                by_key.setdefault(key, []).append(el)

    def view(self, el: Any) -> ElementView:
        """The element's (cached) view."""
        v = self._views.get(el)
        if v is None:
            v = self._views[el] = ElementView(el)
        return v

    def select(self, selector: str) -> list[Any]:
        """All elements matching the selector, in document order (as TagIndex.select)."""
        chains = parse_selector(selector)
        if len(chains) == 1:
            # Candidates and an anchor's descendants both come in document order.
            return self._chain_matches(chains[0])
        found: dict[Any, None] = {}
        for chain in chains:
            for el in self._chain_matches(chain):
                found.setdefault(el)
        order = self._position
        if any(el not in order for el in found):
            order = self._order()
        return sorted(found, key=order.__getitem__)

    def _chain_matches(self, chain: Chain) -> list[Any]:
        """Matches of one chain: candidates by key, then the compounds from the right."""
        # TagIndex files class by token only, never as an attribute name, so a compound whose
        # first attribute test is [class…] can match nothing there: nor here.
        if any(c.attrs and c.attrs[0][0] == "class" for _, c in chain):
            return []
        k, key = _lookup(chain)
        last = len(chain) - 1
        starts = [
            el
            for el in self._by_key.get(key, ())
            if chain[k][1].matches(self.view(el)) and self._match_left(el, chain, k)
        ]
        if k == last:
            return starts
        name = chain[last][1].name
        out: dict[Any, None] = {}
        for anchor in starts:
            for el in anchor.iterdescendants(name) if name else anchor.iterdescendants():
                if chain[last][1].matches(self.view(el)) and self._match_left(el, chain, last):
                    out.setdefault(el)
        return list(out)

    def _match_left(self, el: Any, chain: Chain, j: int) -> bool:
        """True when the compounds left of chain[j] match el's ancestors (dom._match_left)."""
        if j == 0:
            return True
        wanted = chain[j - 1][1]
        parent = el.getparent()
        if chain[j][0] == ">":
            if parent is None:
                # The soup's parent of <html> is the document: only an empty compound matches.
                return wanted == Compound() and j - 1 == 0
            return wanted.matches(self.view(parent)) and self._match_left(parent, chain, j - 1)
        while parent is not None:
            if wanted.matches(self.view(parent)) and self._match_left(parent, chain, j - 1):
                return True
            parent = parent.getparent()
        return False

    def _order(self) -> dict[Any, int]:
        """Document positions of all elements, computed once when a merge needs them."""
        if self._full_order is None:
            self._full_order = {el: i for i, el in enumerate(self.root.iter())}
        return self._full_order
