"""The small CSS selector language the site modules use: parsing, and one compound's test."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

# Supported: tag, .class, #id, [attr], [attr=v], [attr*=v], [attr^=v], [attr$=v], [attr~=v],
# descendant and child (>) combinators, comma lists.
SELECTOR_TOKEN_RE = re.compile(r"\s*(>)\s*|\s+|((?:\[[^\]]*\]|[^\s>\[\]])+)")
COMPOUND_NAME_RE = re.compile(r"[a-zA-Z][\w-]*|\*")
COMPOUND_PART_RE = re.compile(
    r"\.([\w-]+)|#([\w-]+)|\[\s*([\w:-]+)\s*"
    r"(?:([*^$~]?=)\s*(?:\"([^\"]*)\"|'([^']*)'|([^\]\s]*)))?\s*\]"
)


class Element(Protocol):
    """What a compound looks at: a BeautifulSoup Tag, or an lxml element seen as one."""

    @property
    def name(self) -> str:
        """The tag name."""
        ...

    @property
    def attrs(self) -> Mapping[str, object]:
        """Attributes as BeautifulSoup keeps them (class and rel as lists of tokens)."""
        ...


@dataclass(frozen=True, slots=True)
class Compound:
    """One compound selector: a tag name, classes, an id and attribute tests."""

    name: str | None = None
    classes: tuple[str, ...] = ()
    ident: str | None = None
    attrs: tuple[tuple[str, str, str], ...] = ()

    def matches(self, tag: Element) -> bool:
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

    @property
    def selective(self) -> bool:
        """True when the compound tests more than a tag name."""
        return bool(self.classes) or self.ident is not None or bool(self.attrs)


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
