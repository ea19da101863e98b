"""String normalisers the HTML extractors share: whitespace, comparison keys, absolute URLs."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urljoin, urlsplit

from parsers.urls import canonicalize_url

WS_RE = re.compile(r"\s+")
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


def absolute_url(url: str | None, base: str) -> str | None:
    """An absolute, canonical http(s) URL, or None."""
    if not url or not url.strip():
        return None
    try:
        joined = urljoin(base, url.strip())
        if urlsplit(joined).scheme not in ("http", "https"):
            return None
        return canonicalize_url(joined)
    except ValueError:
        return None


def clean_text(text: str | None) -> str:
    """Whitespace collapsed (NBSP and zero-width characters included); the page is NFC."""
    if not text:
        return ""
    return WS_RE.sub(" ", text.translate(ZERO_WIDTH)).strip()


def fold(text: str | None) -> str:
    """A comparison key: case- and whitespace-insensitive."""
    return clean_text(text).casefold()


def fold_ascii(text: str) -> str:
    """Lower-case ASCII letters and digits only ("Dân Trí" → "dantri")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed.lower() if c.isascii() and c.isalnum())
