"""HTML pages to Article records: decode, prune and parse once, then a site module or generic.

The generic extractor must stand on its own for sites nobody wrote a module for; site
modules under `parsers/sites/` only add selectors (`SiteRules`) and run the same cascade
(`parsers/cascade.py`: JSON-LD, then OpenGraph/meta, then the page's main content).

The page is parsed once, by lxml; BeautifulSoup, which the cascade reads, is built only from
the elements the site's rules will read (`parsers/reads.py`, `parsers/tree.py`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from parsers.cascade import extract_article
from parsers.decode import declares_utf8, decode_html, to_nfc
from parsers.document import Document, SiteParser, SiteRules
from parsers.dom import TagIndex
from parsers.errors import NotAnArticle, ParseError
from parsers.jsonld import read_jsonld
from parsers.metadata import read_head
from parsers.prune import prestrip, prestrip_utf8
from parsers.reads import find_reads
from parsers.records import Article
from parsers.registry import find_parser, rules_of
from parsers.tree import parse_tree, to_indexed_soup
from parsers.urls import canonicalize_url, to_site

EXTRACTOR = "generic"
VERSION = 1

# Far above any real article page (the largest fixture is 0.5 MB); bounds time and memory.
MAX_PAGE_CHARS = 30_000_000
# Servers label HTML loosely; anything else (PDF, images, JSON) is not a page to read.
HTML_MIME_TYPES = frozenset(
    {"text/html", "application/xhtml+xml", "text/plain", "application/octet-stream", "text/xml"}
)

GENERIC_RULES = SiteRules(name=EXTRACTOR, version=VERSION)

# Bytes that are not control characters (tab, newlines, form feed and carriage return are
# text); deleting them leaves the control bytes to count, in C rather than a Python loop.
NOT_CONTROL_BYTES = bytes(b for b in range(256) if not (b < 9 or 13 < b < 32))


def parse_html(body: bytes | str, url: str, content_type: str | None = None) -> Article:
    """Parse one fetched HTML page into an Article.

    Args:
        body: the raw response bytes (decoded here) or already-decoded text.
        url: the URL that was fetched; it names the article (id, site, parser).
        content_type: the HTTP Content-Type header, for its charset.

    Returns:
        The article, with `extractor` naming the site module (or "generic") and its version.

    Raises:
        NotAnArticle: the page is an index, error or empty page.
        ParseError: the input cannot be read as HTML at all.
    """
    try:
        parser = _site_parser(url)
        reads = GENERIC_RULES if parser is None else rules_of(parser)
        doc = read_document(body, url, content_type, reads)
        return parser(doc) if parser else extract_article(doc, GENERIC_RULES)
    except ParseError:
        raise
    except RecursionError as exc:
        raise ParseError(f"page nests too deeply to read: {exc}") from exc
    except (ValueError, TypeError, AttributeError, LookupError, MemoryError) as exc:
        # Malformed input must become a countable reject, never a crash of the run.
        raise ParseError(f"unreadable page: {type(exc).__name__}: {exc}") from exc


def _site_parser(url: str) -> SiteParser | None:
    """The registered site module's parse function for the URL's host, if any."""
    try:
        host = urlsplit(url).hostname
        return find_parser(host) if host else None
    except (ValueError, TypeError, AttributeError):
        return None  # read_document says what is wrong with the URL.


def read_document(
    body: bytes | str, url: str, content_type: str | None = None, reads: SiteRules | None = None
) -> Document:
    """Decode, pre-strip and parse a page once; read its JSON-LD and meta tags.

    With `reads`, the soup holds only what extraction with those rules reads (reads.py).
    """
    try:
        canonical_fetched = canonicalize_url(url)
        site = to_site(url)
        urlsplit(url).hostname  # noqa: B018 - raises on a broken IPv6 host
    except ValueError as exc:
        raise ParseError(f"invalid url {url!r}: {exc}") from exc
    mime, _, mime_params = (content_type or "").lower().partition(";")
    mime = mime.strip()
    if mime and mime not in HTML_MIME_TYPES:
        raise ParseError(f"not HTML: content type {mime}")
    stripped: str | None = None
    utf8: bytes | None = None
    if isinstance(body, bytes):
        wide = "utf-16" in mime_params or "utf-32" in mime_params
        if not wide and _looks_binary(body[:4096]):
            raise ParseError("not HTML: binary content")
        if _cuttable_utf8(body, content_type):
            # Cut before decoding: scripts and styles are most of the bytes (prune.py).
            stripped, jsonld_blobs, whole, utf8 = prestrip_utf8(body)
            # The checks below read the whole page only for its length (at most its bytes'),
            # NULs (none in its first 16 KB: _cuttable_utf8) and emptiness; a page that had
            # something to cut had a "<".
            text = stripped if whole else "<"
        else:
            text = decode_html(body, content_type, nfc=False)
    elif isinstance(body, str):
        text = body
    else:
        raise ParseError(f"body must be bytes or str, not {type(body).__name__}")
    if len(text) > MAX_PAGE_CHARS:
        raise ParseError(f"page too large: {len(text)} characters")
    if "\x00" in text[:4096]:
        raise ParseError("not HTML: NUL characters in text")
    # isspace() stops at the first letter; strip() would copy the whole page first.
    if not text or text.isspace():
        raise NotAnArticle("empty page")
    if stripped is None:
        stripped, jsonld_blobs = prestrip(text)
    # NFC after the cut: scripts and styles are most of the characters and need none.
    text = to_nfc(stripped)
    if text != stripped:
        utf8 = None  # the bytes no longer spell the text
    # Building BeautifulSoup's tree of a whole page was two thirds of parse_html; menus,
    # footers and related lists are most of its elements and no step reads them.
    root = parse_tree(text, utf8) if reads is not None else None
    if root is not None and reads is not None:
        soup, index = to_indexed_soup(root, *find_reads(root, reads))
    else:
        soup = BeautifulSoup(text, "lxml")
        index = TagIndex(soup)
    doc = Document(soup=soup, url=canonical_fetched, fetched_url=url, site=site, index=index)
    read_jsonld(doc, jsonld_blobs)
    read_head(doc)
    return doc


def _cuttable_utf8(body: bytes, content_type: str | None) -> bool:
    """True when prestrip may cut the bytes: declared UTF-8, not too large, no NUL early on."""
    # 4 bytes a character at most: the first 4096 characters lie in the first 16 KB.
    return (
        len(body) <= MAX_PAGE_CHARS
        and b"\x00" not in body[: 4 * 4096]
        and declares_utf8(body, content_type)
    )


def _looks_binary(head: bytes) -> bool:
    """True for bytes no HTML page starts with: NULs outside UTF-16/32, many control bytes."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        return True
    controls = len(head.translate(None, NOT_CONTROL_BYTES))
    return controls > len(head) // 10
