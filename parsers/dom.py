"""A one-pass tag index of a BeautifulSoup tree, and selector lookups in it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from bs4 import BeautifulSoup, Tag

from parsers.selectors import Chain, Compound, parse_selector

__all__ = ["TagIndex", "find_ancestor", "find_descendant", "is_within", "parse_selector"]

# soupsieve walks the whole tree for every select(); with ~30 selectors per page (most of them
# missing) that cost 4x the parse itself. One indexing pass makes each lookup proportional to
# its candidates (selector syntax: parsers/selectors.py).


class TagIndex:
    """Every tag of a page by name, class token and attribute name, from one pass."""

    def __init__(self, soup: BeautifulSoup | None = None) -> None:
        """Index all tags in document order (none without a soup: see add)."""
        # defaultdicts: a missing key gets its list in C, a present one costs no throwaway
        # list (setdefault(key, []) made one per call). Readers use get() and `in`.
        self.by_name: defaultdict[str, list[Tag]] = defaultdict(list)
        self.by_class: defaultdict[str, list[Tag]] = defaultdict(list)
        self.by_attr: defaultdict[str, list[Tag]] = defaultdict(list)
        self.position: dict[int, int] = {}
        if soup is None:
            return
        for pos, el in enumerate(soup.descendants):
            if isinstance(el, Tag):
                self.add(el, pos)

    def add(self, el: Tag, pos: int) -> None:
        """File one tag at its position among the soup's descendants (tags and strings)."""
        self.position[id(el)] = pos
        self.by_name[el.name].append(el)
        for key, value in el.attrs.items():
            if key == "class":
                by_class = self.by_class
                for token in value if isinstance(value, list) else str(value).split():
                    by_class[token].append(el)
            else:
                self.by_attr[key].append(el)

    def select(self, selector: str, within: Tag | None = None, limit: int = 0) -> list[Tag]:
        """Tags matching the selector (inside `within` if given), in document order."""
        found: dict[int, Tag] = {}
        chains = parse_selector(selector)
        for chain in chains:
            last = chain[-1][1]
            if any(self._impossible(c) for _, c in chain):
                continue
            for tag in self._chain_candidates(chain):
                if not last.matches(tag) or not _match_left(tag, chain, len(chain) - 1):
                    continue
                if within is not None and (tag is within or not is_within(tag, within)):
                    continue
                found[id(tag)] = tag
                # Candidates come in document order: one alternative can stop at the limit.
                if limit and len(chains) == 1 and len(found) >= limit:
                    break
        tags = sorted(found.values(), key=lambda t: self.position.get(id(t), 0))
        return tags[:limit] if limit else tags

    def _impossible(self, compound: Compound) -> bool:
        """True when an indexed part of the compound occurs nowhere on the page."""
        if compound.classes and compound.classes[0] not in self.by_class:
            return True
        if compound.attrs and compound.attrs[0][0] not in self.by_attr:
            return True
        return bool(compound.name) and compound.name not in self.by_name

    def _chain_candidates(self, chain: Chain) -> list[Tag]:
        """Candidates for the last compound; a bare tag is looked up under a selective ancestor."""
        # ".breadcrumbs li a": the <a>s under .breadcrumbs, not every <a> of the page.
        last = chain[-1][1]
        if last.selective or len(chain) == 1:
            return self._candidates(last)
        for k, (_, compound) in enumerate(chain[:-1]):
            if compound.selective:
                anchors = [
                    t
                    for t in self._candidates(compound)
                    if compound.matches(t) and _match_left(t, chain, k)
                ]
                seen: set[int] = set()
                out: list[Tag] = []
                name = last.name
                for anchor in anchors:
                    # anchor.find_all(name or True), without building bs4's filter objects
                    # for every anchor (they were most of a lookup's cost).
                    for t in anchor.descendants:
                        if (
                            isinstance(t, Tag)
                            and (name is None or t.name == name)
                            and id(t) not in seen
                        ):
                            seen.add(id(t))
                            out.append(t)
                return out
        return self._candidates(last)

    def _candidates(self, compound: Compound) -> list[Tag]:
        """The smallest indexed list that must hold every match of the compound."""
        if compound.classes:
            return self.by_class.get(compound.classes[0], [])
        if compound.ident is not None:
            return self.by_attr.get("id", [])
        if compound.attrs:
            return self.by_attr.get(compound.attrs[0][0], [])
        if compound.name:
            return self.by_name.get(compound.name, [])
        return [t for tags in self.by_name.values() for t in tags]


def _match_left(tag: Tag, chain: Chain, j: int) -> bool:
    """True when the compounds left of chain[j] match the ancestors of a tag matching it."""
    if j == 0:
        return True
    combinator = chain[j][0]
    wanted = chain[j - 1][1]
    parent = tag.parent
    if combinator == ">":
        return (
            isinstance(parent, Tag) and wanted.matches(parent) and _match_left(parent, chain, j - 1)
        )
    while isinstance(parent, Tag) and parent.name != "[document]":
        if wanted.matches(parent) and _match_left(parent, chain, j - 1):
            return True
        parent = parent.parent
    return False


def is_within(el: Tag, container: Tag) -> bool:
    """True when el is the container or one of its descendants."""
    node: Tag | None = el
    depth = 0
    while node is not None and depth < 200:
        if node is container:
            return True
        parent = node.parent
        node = parent if isinstance(parent, Tag) else None
        depth += 1
    return False


def find_ancestor(el: Tag, name: str) -> Tag | None:
    """el.find_parent(name) without building a bs4 filter (called per image)."""
    node = el.parent
    while node is not None:
        if node.name == name:
            return node
        node = node.parent
    return None


def find_descendant(el: Tag, test: Callable[[Tag], bool]) -> Tag | None:
    """el.find(test): the first tag below el, in document order, that passes the test."""
    for node in el.descendants:
        if isinstance(node, Tag) and test(node):
            return node
    return None
