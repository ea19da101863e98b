"""Fields read from page markup by selectors: titles, texts, dates, authors."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from bs4 import Tag
from bs4.element import PageElement

from parsers.content import INLINE_TAGS, inline_text
from parsers.dates import parse_date
from parsers.document import Document
from parsers.metadata import person
from parsers.text import clean_text, fold

# Fallbacks of the generic extractor where a site module names no selectors.
MAX_H1 = 5
MIN_TITLE_MATCH = 10
GENERIC_PUBLISHED = (
    "time[datetime]",
    "[itemprop=datePublished]",
    ".publish-date, .published, .post-date, .date-time, .datetime, .date, .time",
)
GENERIC_AUTHOR = (
    '[rel="author"], [itemprop="author"], .author-name, .author, .byline, .writer, .tacgia',
)
# A byline element holding more than this is an author box (bio, avatar captions), not a name.
MAX_BYLINE_ELEMENT_CHARS = 60


def select_text(doc: Document, selectors: tuple[str, ...]) -> str | None:
    """Clean text of the first selector match that has any."""
    for selector in selectors:
        for el in doc.select(selector, limit=3):
            text, _ = inline_text(el)
            text = clean_text(text.replace("\n", " "))
            if text:
                return text
    return None


def generic_title(doc: Document) -> str | None:
    """The <h1> that the <title> repeats, else the longest: a logo is often an <h1> too."""
    texts = [clean_text(h.get_text(" ")) for h in doc.select("h1", limit=MAX_H1)]
    texts = [t for t in texts if t]
    if not texts:
        return None
    page_title = fold(doc.title_tag)
    for text in texts:
        if len(text) >= MIN_TITLE_MATCH and fold(text) in page_title:
            return text
    return max(texts, key=len)


def select_texts(doc: Document, selectors: tuple[str, ...]) -> list[str]:
    """Clean texts of all matches of the first selector that matches."""
    for selector in selectors:
        texts = [clean_text(el.get_text(" ")) for el in doc.select(selector, limit=50)]
        texts = [t for t in texts if t]
        if texts:
            return texts
    return []


def select_date(doc: Document, selectors: tuple[str, ...]) -> datetime | None:
    """A date from the first matching element's datetime/content attribute or text."""
    for selector in selectors:
        for el in doc.select(selector, limit=3):
            for raw in (el.get("datetime"), el.get("content"), el.get_text(" ")):
                if isinstance(raw, str):
                    parsed = parse_date(raw)
                    if parsed:
                        return parsed
    return None


def labelled_date(doc: Document, labels: tuple[str, ...]) -> datetime | None:
    """A date written after a label in plain text, e.g. "Thời gian: 05/03/2026 14:30"."""
    pattern = label_pattern(labels)
    for s in doc.soup.find_all(string=pattern, limit=5):
        # The value often sits in the next element: <b>Thời gian:</b> 05/03/2026 14:30.
        block: PageElement | None = s.parent
        while isinstance(block, Tag) and block.name in INLINE_TAGS:
            block = block.parent
        text = block.get_text(" ")[:300] if isinstance(block, Tag) else str(s)
        m = pattern.search(text)
        parsed = parse_date(text[m.end() :] if m else text)
        if parsed:
            return parsed
    return None


@lru_cache(maxsize=64)
def label_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    """A regex finding any of the date labels, case-insensitive."""
    return re.compile("|".join(re.escape(label) for label in labels), re.IGNORECASE)


def select_author(doc: Document, selectors: tuple[str, ...], outlet: set[str]) -> str | None:
    """Person names from author elements (several authors joined by ", ")."""
    for selector in selectors:
        names: list[str] = []
        for el in doc.select(selector, limit=10):
            raw = el.get("title") if el.name == "a" and el.get("title") else el.get_text(" ")
            if not isinstance(raw, str) or len(raw.strip()) > MAX_BYLINE_ELEMENT_CHARS:
                continue
            name = person(raw, outlet)
            if name and name not in names:
                names.append(name)
        if names:
            return ", ".join(names)
    return None
