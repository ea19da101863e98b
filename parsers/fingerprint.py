"""Article fingerprints for story matching: language-independent anchors plus a MinHash.

Anchors are strings "kind:value" that survive translation: dates and numbers in any
notation, names folded to ASCII, acronyms, codes like 5G, URLs, image file names, quoted
titles and URL-slug words (parsers.anchors, parsers.date_anchors). The MinHash
(parsers.minhash, word 3-shingles) finds near-duplicates within one language. Everything
here is pure: text in, frozen record out.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import cast
from urllib.parse import unquote, urlsplit

from parsers.anchor_pack import anchor_count, pack_anchors, unpack_anchors
from parsers.anchors import (
    read_names,
    read_text_anchors,
    to_bigrams,
    to_fold_words,
    to_slug_words,
    to_text_anchors,
    without_urls,
)
from parsers.date_anchors import read_date_anchors, to_date_anchors
from parsers.folding import fold_ascii, to_script
from parsers.minhash import (
    EMPTY_SIG,
    NUM_PERM,
    pack_signature,
    to_minhash,
    to_minhash_of_hashes,
    unpack_signature,
)
from parsers.pieces import (
    HAS_NON_LATIN,
    Piece,
    to_flags,
    to_pieces,
    to_prefix_pieces,
    to_word_hashes,
)
from parsers.records import Article
from parsers.urls import canonicalize_url
from parsers.vocab import MONTHS

__all__ = [
    "KINDS",
    "LEAD_CHARS",
    "MONTHS",
    "NUM_PERM",
    "Fingerprint",
    "content_key",
    "fold_ascii",
    "to_date_anchors",
    "to_fingerprint",
    "to_minhash",
    "to_script",
    "to_slug_words",
    "to_text_anchors",
]

LEAD_CHARS = 600
# Anchor kinds; the prefix before ":" in every anchor string.
KINDS = ("dt", "ym", "yr", "num", "pct", "amt", "code", "acr", "nm", "ns", "url", "img", "q", "tb")

_SOURCE_LINE_RE = re.compile(r"^\s*(quelle|source|nguồn|nguon|источник)\s*:", re.I | re.M)


@dataclass(frozen=True, slots=True, init=False)
class Fingerprint:
    """What matching needs to know about one article, storable as one table row."""

    article_id: str
    lang: str
    content_sha256: str
    published_at: datetime | None
    # The anchors packed (parsers.anchor_pack): read them as `anchors`. A tuple of strings
    # held ~3.8 KB a fingerprint where this holds ~1 KB.
    packed_anchors: bytes
    # NUM_PERM little-endian uint64 values (parsers.minhash): one 512-byte object, where a
    # tuple of ints held ~2.3 KB. to_row and from_row keep the stored list of numbers.
    minhash: bytes
    script: str
    n_tokens: int
    url: str | None
    cites: tuple[str, ...]
    # Name bigrams (folded) that this article spells with non-ASCII letters (Nguyễn Mạnh):
    # an original keeps its names' diacritics where translations often drop them. Packed as
    # the anchors are: read them as `native_names` (~29 strings a benchmark seed).
    packed_native_names: bytes
    # Date anchors of the title and lead (first LEAD_CHARS characters): news states the
    # event's date up front, so lead dates that disagree mark another event.
    lead_dates: tuple[str, ...]

    def __init__(
        self,
        article_id: str,
        lang: str,
        content_sha256: str,
        published_at: datetime | None,
        anchors: Iterable[str] = (),
        minhash: bytes = EMPTY_SIG,
        script: str = "latin",
        n_tokens: int = 0,
        url: str | None = None,
        cites: tuple[str, ...] = (),
        native_names: Iterable[str] = (),
        lead_dates: tuple[str, ...] = (),
        *,
        packed_anchors: bytes | None = None,
        packed_native_names: bytes | None = None,
    ) -> None:
        """The fingerprint of these values; anchors and native names given as strings, or
        packed already."""
        packed = pack_anchors(anchors) if packed_anchors is None else packed_anchors
        if packed_native_names is None:
            packed_native_names = pack_anchors(native_names)
        values = (
            article_id, lang, content_sha256, published_at, packed, minhash, script, n_tokens,
            url, cites, packed_native_names, lead_dates,
        )
        for name, value in zip(_FIELDS, values, strict=True):
            object.__setattr__(self, name, value)

    @property
    def anchors(self) -> tuple[str, ...]:
        """The anchor strings "kind:value", in the order they were found (unpacked anew)."""
        return unpack_anchors(self.packed_anchors)

    @property
    def native_names(self) -> tuple[str, ...]:
        """The name bigrams spelled with non-ASCII letters (unpacked anew)."""
        return unpack_anchors(self.packed_native_names)

    @property
    def anchor_count(self) -> int:
        """How many anchors there are, without unpacking them."""
        return anchor_count(self.packed_anchors)

    def to_row(self, anchors: bool = True) -> dict[str, object]:
        """Primitives and lists only, for the DuckDB table `fingerprints` (anchors=False: an
        empty list in their place, for a writer that splices them in)."""
        return {
            "article_id": self.article_id,
            "lang": self.lang,
            "content_sha256": self.content_sha256,
            "published_at": self.published_at,
            "anchors": list(self.anchors) if anchors else [],
            "minhash": unpack_signature(self.minhash),
            "script": self.script,
            "n_tokens": self.n_tokens,
            "url": self.url,
            "cites": list(self.cites),
            "native_names": list(self.native_names),
            "lead_dates": list(self.lead_dates),
        }

    @classmethod
    def from_row(cls, row: Mapping[str, object]) -> Fingerprint:
        """Inverse of to_row; tolerates ISO strings for published_at."""
        published = row.get("published_at")
        if isinstance(published, str):
            published = datetime.fromisoformat(published)
        if published is not None and not isinstance(published, datetime):
            raise TypeError(f"published_at: {type(published).__name__}")
        return cls(
            article_id=str(row["article_id"]),
            lang=str(row["lang"]),
            content_sha256=str(row["content_sha256"]),
            published_at=published,
            anchors=[str(a) for a in _as_list(row.get("anchors"))],
            minhash=_signature_of(row.get("minhash")),
            script=str(row.get("script") or "latin"),
            n_tokens=int(str(row.get("n_tokens") or 0)),
            url=str(row["url"]) if row.get("url") else None,
            cites=tuple(str(c) for c in _as_list(row.get("cites"))),
            native_names=[str(n) for n in _as_list(row.get("native_names"))],
            lead_dates=tuple(str(n) for n in _as_list(row.get("lead_dates"))),
        )


_FIELDS = tuple(f.name for f in fields(Fingerprint))


def _signature_of(value: object) -> bytes:
    """A stored minhash column (a list of ints, or the bytes themselves) as signature bytes."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value) or EMPTY_SIG
    values = _as_list(value)
    return pack_signature(cast(list[int], values)) if values else EMPTY_SIG


def _as_list(value: object) -> list[object]:
    """A stored list column as a Python list (None → empty)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return list(value)  # type: ignore[call-overload]


def to_fingerprint(article: Article) -> Fingerprint:
    """Fingerprint an article: anchors from text, URL, images; MinHash from the words.

    Args:
        article: a clean Article record.
    Returns:
        Its Fingerprint (pure; equal articles give equal fingerprints).
    """
    cited = {canonicalize_url(c.url) for c in article.citations}
    text = _strip_source_lines(article.text)
    # Names come from the text as it is, URLs included (its pieces); the other anchors from it
    # without.
    found, pieces, flags = read_text_anchors(text, cited, ())
    if pieces is None:
        pieces = to_pieces(text)
        flags = to_flags(pieces)
    name_anchors, native_names = read_names(pieces)
    anchors = set(found)
    anchors.update(name_anchors)
    own_urls = [u for u in (article.canonical_url, article.url) if u]
    for url in own_urls:
        anchors.update(f"tb:{b}" for b in to_bigrams(to_slug_words(url)))
    if article.title:
        anchors.update(f"tb:{b}" for b in to_bigrams(to_fold_words(article.title)))
    for image in article.images:
        name = image.file_name or (image.url and urlsplit(image.url).path.rsplit("/", 1)[-1])
        if name:
            anchors.add(f"img:{unquote(name).lower()}")
    lead = set(_lead_dates(text, pieces))
    word_hashes = to_word_hashes(pieces)
    return Fingerprint(
        article_id=article.article_id,
        lang=article.lang,
        content_sha256=article.content_sha256,
        published_at=article.published_at,
        anchors=tuple(sorted(anchors)),
        minhash=to_minhash_of_hashes(word_hashes),
        # Without a letter of another script the text is Latin: no need to count.
        script=to_script(text) if flags & HAS_NON_LATIN else "latin",
        n_tokens=len(word_hashes),
        url=canonicalize_url(own_urls[0]) if own_urls else None,
        cites=tuple(sorted(cited)),
        native_names=tuple(sorted(set(native_names))),
        lead_dates=tuple(sorted(lead & anchors)),
    )


def _lead_dates(text: str, pieces: list[Piece]) -> list[str]:
    """Date anchors of the first LEAD_CHARS characters, URLs left out."""
    lead = text[:LEAD_CHARS]
    if "://" in lead:
        return to_date_anchors(without_urls(lead))
    lead_pieces = to_prefix_pieces(text, pieces, LEAD_CHARS)
    return read_date_anchors(lead, lead_pieces, to_flags(lead_pieces))


def _strip_source_lines(text: str) -> str:
    """Drop 'Quelle: URL' lines: citations are their own signal, not content."""
    # Every source line holds a colon: a substring test spares the regex scan on most texts.
    if ":" not in text or not _SOURCE_LINE_RE.search(text):
        return text
    return "\n".join(line for line in text.split("\n") if not _SOURCE_LINE_RE.match(line))


def content_key(text: str) -> str:
    """Hash of whitespace-normalised text, for exact duplicates across reformatting."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()
