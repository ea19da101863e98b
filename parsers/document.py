"""What the extraction steps share: a site's selectors, the parsed page, the fields so far."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bs4 import BeautifulSoup, Tag

from parsers.dom import TagIndex
from parsers.records import Article


@dataclass(frozen=True, slots=True)
class SiteRules:
    """Selectors of one site family, as data; empty tuples mean "use the generic step"."""

    name: str
    version: int
    title: tuple[str, ...] = ()
    lead: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    published: tuple[str, ...] = ()
    # Labels of a visible date in plain text ("Thời gian: 05/03/2026 14:30").
    date_labels: tuple[str, ...] = ()
    section: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    # Inside the body container: boxes to leave out on top of the generic boilerplate rules.
    exclude: tuple[str, ...] = ()
    # Some CMSes put the byline as the body's last paragraph (vnexpress, baochinhphu).
    byline_last_paragraph: bool = True

    @property
    def extractor(self) -> str:
        """The Article.extractor value, "<module>/<version>"."""
        return f"{self.name}/{self.version}"


@dataclass(slots=True)
class Document:
    """A parsed page and everything read from it once: soup, tag index, JSON-LD, meta tags."""

    soup: BeautifulSoup
    url: str
    fetched_url: str
    site: str | None
    index: TagIndex
    jsonld: dict[str, Any] = field(default_factory=dict)
    breadcrumb: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    meta_all: dict[str, list[str]] = field(default_factory=dict)
    canonical: str | None = None
    html_lang: str | None = None
    title_tag: str | None = None
    # Results body reading asks for twice (paragraphs, then images), by what was asked.
    memo: dict[Any, Any] = field(default_factory=dict)

    def select(self, selector: str, within: Tag | None = None, limit: int = 0) -> list[Tag]:
        """Tags matching a simple CSS selector, in document order (see TagIndex)."""
        return self.index.select(selector, within, limit)


@dataclass(slots=True)
class Draft:
    """Fields filled step by step; each step only fills what is still empty."""

    values: dict[str, Any] = field(default_factory=dict)
    provenance: list[tuple[str, str]] = field(default_factory=list)

    def needs(self, name: str) -> bool:
        """True while a field is empty: a step's value for it would be kept."""
        return not self.values.get(name)

    def fill(self, name: str, value: Any, source: str) -> bool:
        """Set a field if it is still empty and the value is not; True when it was set."""
        if self.values.get(name) or not value:
            return False
        self.values[name] = value
        self.provenance.append((name, source))
        return True


# A site module's parse function (parsers/sites/*, registered in parsers/registry.py).
SiteParser = Callable[[Document], Article]
