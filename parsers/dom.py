"""A one-pass tag index and the small CSS selector engine that looks tags up in it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bs4 import BeautifulSoup, Tag

# soupsieve walks the whole tree for every select(); with ~30 selectors per page (most of them
# missing) that cost 4x the parse itself. One indexing pass makes each lookup proportional to
# its candidates. Supported: tag, .class, #id, [attr], [attr=v], [attr*=v], [attr^=v],
# [attr$=v], [attr~=v], descendant and child (>) combinators, comma lists.
SELECTOR_TOKEN_RE = re.compile(r"\s*(>)\s*|\s+|((?:\[[^\]]*\]|[^\s>\[\]])+)")
COMPOUND_NAME_RE = re.compile(r"[a-zA-Z][\w-]*|\*")
COMPOUND_PART_RE = re.compile(
    r"\.([\w-]+)|#([\w-]+)|\[\s*([\w:-]+)\s*"
    r"(?:([*^$~]?=)\s*(?:\"([^\"]*)\"|'([^']*)'|([^\]\s]*)))?\s*\]"
)


@dataclass(frozen=True, slots=True)
class Compound:
    """One compound selector: a tag name, classes, an id and attribute tests."""

    name: str | None = None
    classes: tuple[str, ...] = ()
    ident: str | None = None
    attrs: tuple[tuple[str, str, str], ...] = ()

    def matches(self, tag: Tag) -> bool:
        """True when the tag satisfies every part of the compound."""
        if self.name and tag.name != self.name:
            return False
        attrs = tag.attrs
        if self.classes:
            cls = attrs.get("class")
            tokens = cls if isinstance(cls, list) else str(cls or "").split()
            if any(c not in tokens for c in self.classes):
                return False
        if self.ident is not None and attrs.get("id") != self.ident:
            return False
        for name, op, value in self.attrs:
            raw = attrs.get(name)
            if raw is None:
                return False
            have = " ".join(raw) if isinstance(raw, list) else str(raw)
            if not _attr_test(have, op, value):
                return False
        return True


def _attr_test(have: str, op: str, value: str) -> bool:
    """One CSS attribute operator."""
    if op == "":
        return True
    if op == "=":
        return have == value
    if op == "*=":
        return value in have
    if op == "^=":
        return have.startswith(value)
    if op == "$=":
        return have.endswith(value)
    return value in have.split()  # "~="


# A selector alternative: compounds left to right and the combinator before each (first "").
Chain = tuple[tuple[str, Compound], ...]


@lru_cache(maxsize=1024)
def parse_selector(selector: str) -> tuple[Chain, ...]:
    """Parse a comma list of simple selectors; ValueError for syntax the engine lacks."""
    chains: list[Chain] = []
    for alternative in selector.split(","):
        chain: list[tuple[str, Compound]] = []
        combinator = ""
        for m in SELECTOR_TOKEN_RE.finditer(alternative.strip()):
            if m.group(1):
                combinator = ">"
            elif m.group(2):
                chain.append((combinator if chain else "", _parse_compound(m.group(2))))
                combinator = " "
        if not chain:
            raise ValueError(f"empty selector in {selector!r}")
        chains.append(tuple(chain))
    return tuple(chains)


def _parse_compound(text: str) -> Compound:
    """Parse 'div.a.b#c[d=e]'."""
    m = COMPOUND_NAME_RE.match(text)
    name = m.group(0) if m else None
    pos = m.end() if m else 0
    classes: list[str] = []
    ident: str | None = None
    attrs: list[tuple[str, str, str]] = []
    while pos < len(text):
        part = COMPOUND_PART_RE.match(text, pos)
        if part is None:
            raise ValueError(f"unsupported selector syntax: {text[pos:]!r}")
        if part.group(1):
            classes.append(part.group(1))
        elif part.group(2):
            ident = part.group(2)
        else:
            value = part.group(5) or part.group(6) or part.group(7) or ""
            attrs.append((part.group(3).lower(), part.group(4) or "", value))
        pos = part.end()
    return Compound(None if name == "*" else name, tuple(classes), ident, tuple(attrs))


class TagIndex:
    """Every tag of a page by name, class token and attribute name, from one pass."""

    def __init__(self, soup: BeautifulSoup) -> None:
        """Index all tags in document order."""
        self.by_name: dict[str, list[Tag]] = {}
        self.by_class: dict[str, list[Tag]] = {}
        self.by_attr: dict[str, list[Tag]] = {}
        self.position: dict[int, int] = {}
        for pos, el in enumerate(soup.descendants):
            if not isinstance(el, Tag):
                continue
            self.position[id(el)] = pos
            self.by_name.setdefault(el.name, []).append(el)
            for key, value in el.attrs.items():
                if key == "class":
                    for token in value if isinstance(value, list) else str(value).split():
                        self.by_class.setdefault(token, []).append(el)
                else:
                    self.by_attr.setdefault(key, []).append(el)

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
        if last.classes or last.ident is not None or last.attrs or len(chain) == 1:
            return self._candidates(last)
        for k, (_, compound) in enumerate(chain[:-1]):
            if compound.classes or compound.ident is not None or compound.attrs:
                anchors = [
                    t
                    for t in self._candidates(compound)
                    if compound.matches(t) and _match_left(t, chain, k)
                ]
                seen: set[int] = set()
                out: list[Tag] = []
                for anchor in anchors:
                    for t in anchor.find_all(last.name or True):
                        if id(t) not in seen:
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
