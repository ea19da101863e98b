"""JSON-LD: the page's article object and breadcrumb, and readers of its loosely typed values."""

from __future__ import annotations

import html as html_lib
import json
import unicodedata
from collections.abc import Iterator
from typing import Any

from parsers.decode import to_nfc
from parsers.document import Document
from parsers.text import clean_text

# Far above any real JSON-LD blob, like MAX_PAGE_CHARS for pages; bounds time and memory.
MAX_JSONLD_CHARS = 1_000_000

ARTICLE_TYPES = frozenset(
    {
        "newsarticle",
        "article",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "blogposting",
        "liveblogposting",
        "report",
    }
)


def read_jsonld(doc: Document, blobs: list[str]) -> None:
    """Keep the first article-typed JSON-LD object and the breadcrumb names."""
    for blob in blobs:
        if len(blob) > MAX_JSONLD_CHARS:
            continue
        try:
            data = json.loads(to_nfc(blob), strict=False)
        except (ValueError, RecursionError):
            continue
        for item in _jsonld_items(data):
            types = jsonld_types(item)
            if not doc.jsonld and types & ARTICLE_TYPES:
                doc.jsonld = item
            elif "breadcrumblist" in types and not doc.breadcrumb:
                doc.breadcrumb = _breadcrumb_names(item)


def _jsonld_items(data: Any) -> Iterator[dict[str, Any]]:
    """Top-level objects of a JSON-LD blob: lists and @graph flattened one level deep."""
    for item in as_list(data):
        if isinstance(item, dict):
            yield item
            for sub in as_list(item.get("@graph")):
                if isinstance(sub, dict):
                    yield sub


def _breadcrumb_names(item: dict[str, Any]) -> list[str]:
    """Names of a BreadcrumbList's entries in order (dantri nests each entry in a list)."""
    names: list[str] = []
    for entry in as_list(item.get("itemListElement")):
        for el in as_list(entry):
            if not isinstance(el, dict):
                continue
            inner = el.get("item")
            name = el.get("name") or (inner.get("name") if isinstance(inner, dict) else None)
            text = jsonld_text(name)
            if text:
                names.append(text)
    return names


def jsonld_image_url(ld: dict[str, Any]) -> str | None:
    """The first URL of a JSON-LD image (string, ImageObject or list of either)."""
    for item in as_list(ld.get("image")):
        if isinstance(item, str) and item.strip():
            return item.strip()
        if isinstance(item, dict):
            url = item.get("url") or item.get("contentUrl")
            if isinstance(url, str) and url.strip():
                return url.strip()
    return None


def jsonld_text(value: Any) -> str | None:
    """A JSON-LD string with entities decoded (tuoitre encodes them twice), or None."""
    if isinstance(value, list):
        value = ", ".join(v for v in value if isinstance(v, str))
    if not isinstance(value, str):
        return None
    for _ in range(3):
        decoded = html_lib.unescape(value)
        if decoded == value:
            break
        value = decoded
    # Numeric entities can spell a letter and its tone mark apart.
    return unicodedata.normalize("NFC", clean_text(value)) or None


def jsonld_url(ld: dict[str, Any]) -> str | None:
    """The article's own URL from JSON-LD url or mainEntityOfPage."""
    for value in (ld.get("url"), ld.get("mainEntityOfPage")):
        if isinstance(value, dict):
            value = value.get("@id")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def as_list(value: Any) -> list[Any]:
    """A value as a list (None → [])."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def jsonld_types(item: dict[str, Any]) -> set[str]:
    """An object's @type values, lower-cased (one type or a list of them)."""
    return {t.lower() for t in as_list(item.get("@type")) if isinstance(t, str)}
