"""HTML pages to Article records: JSON-LD, then OpenGraph/meta, then the page's main content.

The generic extractor here must stand on its own for sites nobody wrote a module for; site
modules under `parsers/sites/` only add selectors (`SiteRules`) and run the same cascade.
"""

from __future__ import annotations

import html as html_lib
import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag
from bs4.element import Comment, NavigableString, PageElement

from parsers.dates import parse_date, parse_url_date
from parsers.decode import decode_html, to_nfc
from parsers.errors import NotAnArticle, ParseError
from parsers.lang import UNKNOWN as UNKNOWN_LANG
from parsers.lang import detect_lang
from parsers.records import Article, Citation, Image, to_article_id
from parsers.urls import canonicalize_url, to_site

EXTRACTOR = "generic"
VERSION = 1

# Far above any real article page (the largest fixture is 0.5 MB); bounds time and memory.
MAX_PAGE_CHARS = 30_000_000
MAX_JSONLD_CHARS = 1_000_000
# Servers label HTML loosely; anything else (PDF, images, JSON) is not a page to read.
HTML_MIME_TYPES = frozenset(
    {"text/html", "application/xhtml+xml", "text/plain", "application/octet-stream", "text/xml"}
)

# --- cheap pre-strip (before BeautifulSoup) -----------------------------------------------
# Scripts, styles, inline SVG and comments are 71-87% of the recorded pages' characters and
# none of their text; a linear scan cuts them for less than BeautifulSoup would spend building
# their nodes. Comments must go anyway: baochinhphu hides timestamps in them inside the body.
# The name must end the tag name: "<style-guide>" is a custom element, not a style.
STRIP_START_RE = re.compile(r"<(?:(script|style|svg|template)(?=[\s>/])|!--)", re.IGNORECASE)
STRIP_END_RES = {
    name: re.compile(rf"</{name}\s*>", re.IGNORECASE)
    for name in ("script", "style", "svg", "template")
}
RAW_TEXT_TAGS = frozenset({"script", "style"})

# --- metadata ------------------------------------------------------------------------------
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
META_TITLE = ("og:title", "twitter:title", "dc.title")
META_LEAD = ("og:description", "twitter:description", "description", "dc.description")
META_PUBLISHED = (
    "article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "og:article:published_time",
    "dc.date.issued",
    "dc.date",
    "date",
)
META_MODIFIED = ("article:modified_time", "datemodified", "lastmod", "og:updated_time")
META_AUTHOR = ("author", "article:author", "dc.creator")
META_SECTION = ("article:section",)
META_TAGS = ("article:tag", "news_keywords", "keywords")
META_IMAGE = ("og:image", "og:image:url", "twitter:image")
META_LANG = ("og:locale", "content-language", "language", "dc.language")

# --- markup fallbacks of the generic extractor -----------------------------------------------
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

# Elements never read as body text, wherever they are.
SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "nav",
        "aside",
        "footer",
        "form",
        "button",
        "input",
        "select",
        "textarea",
        "iframe",
        "object",
        "embed",
        "video",
        "audio",
        "canvas",
        "figure",
        "figcaption",
        "img",
        "picture",
        "map",
        "head",
        "title",
        "meta",
        "link",
    }
)
LEAF_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "dd", "dt"})
INLINE_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "code",
        "data",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "ins",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
        "var",
        "wbr",
        "label",
    }
)
# Class/id tokens of boxes that sit inside article containers but are not the article.
BOILERPLATE_RE = re.compile(
    r"(?:^|[-_\s])(?:related|relate|relation|relatednews|lienquan|tinlienquan|share|sharing|"
    r"social|comments?|widget|banner|ads?|advert\w*|sponsor\w*|promo|newsletter|subscribe|"
    r"breadcrumbs?|navbar|nav|menu|footer|sidebar|popup|modal|toolbar|rating|vote|readmore|"
    r"see-?also|xemthem|tags?|keywords?|hidden|d-none|hide|recommend\w*|most-?read|trending|"
    r"box-category|kbwscwl\w*|signature)(?:$|[-_\s])",
    re.IGNORECASE,
)
# CMS "type" attributes of embedded boxes (tuoitre/baochinhphu VCSortableInPreviewMode).
BOILERPLATE_TYPES = frozenset(
    {"relatedonenews", "relatednewsbox", "relatednews", "wrapnote-related", "boxrelated"}
)
BOILERPLATE_ROLES = frozenset({"navigation", "complementary", "banner", "contentinfo", "search"})
# Short lines that are widgets, not prose.
BOILERPLATE_TEXT_RE = re.compile(
    r"^(?:xem thêm|đọc thêm|đọc tiếp|tin liên quan|bài liên quan|tham khảo thêm|chia sẻ|"
    r"về trang chủ đề|theo dõi .{0,40} trên|bình luận|ý kiến|share|related|read more|"
    r"advertisement|quảng cáo)\b",
    re.IGNORECASE,
)
BOILERPLATE_TEXT_MAX = 120

# Outlet prefixes of leads: "(Dân trí) - ", "(Chinhphu.vn) - ", "TTO - ", "NLĐO - ",
# "VOV.VN - ", "(VTC News) -". A dateline like "TP HCM - " has a space and stays.
OUTLET_PREFIX_RE = re.compile(
    r"^\s*(?:(?:[A-ZĐ][^\s()]*\s){0,3}\([^()]{2,40}\)|[A-ZĐ][A-ZĐ0-9.]{1,14}"
    r"|[A-ZĐ][A-Za-zĐđ]{1,20}\.(?:vn|com|net))\s*[-–—:]\s+"
)
# Bylines that name an agency or outlet, not a person.
AGENCY_NAMES = frozenset(
    {"vna", "ttxvn", "reuters", "afp", "ap", "xinhua", "bloomberg", "tto", "nldo", "vov", "vtv"}
)
# Caption holders inside bodies: figcaption-less CMSes put captions in td/p with these classes.
CAPTION_CLASS_RE = re.compile(r"caption|^image$|^desc_?image$", re.IGNORECASE)
# " - VnExpress", " | Báo Dân trí": an outlet suffix on titles and meta descriptions.
TITLE_SUFFIX_RE = re.compile(r"\s+[-|–—]\s+[^-|–—]{2,60}$")
# "... - Ảnh: H.Y.T.", "... Ảnh: Reuters", "(Ảnh: TTXVN)", "Photo: AP".
CREDIT_RE = re.compile(
    r"\s*(?:[-–—.]\s*)?\(?\s*(?:Ảnh|Nguồn ảnh|Ảnh minh họa|Photo|Foto|Image|Credit)\s*:\s*"
    r"(?P<credit>[^()]{1,80}?)\s*\)?\s*$",
    re.IGNORECASE,
)
# Lazy-loading attributes carrying the real image URL, best first (data-original is the
# full-size original on the detail-* CMS).
IMAGE_URL_ATTRS = ("data-original", "data-src", "data-lazy-src", "data-srcset", "srcset", "src")
PLACEHOLDER_RE = re.compile(
    r"^(?:data:|about:|javascript:)|(?:blank|placeholder|spacer|pixel|transparent|grey|gray|"
    r"loading|lazy)[^/]*\.(?:gif|png|svg|jpe?g|webp)$",
    re.IGNORECASE,
)
ERROR_TITLE_RE = re.compile(
    r"\b404\b|not found|không tìm thấy|không tồn tại|page not found|trang lỗi|error page|"
    r"đã bị xóa|đã bị gỡ",
    re.IGNORECASE,
)
LANG_RE = re.compile(r"^[a-z]{2,3}$")
WS_RE = re.compile(r"\s+")
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)

# A source line, as seed texts write it: "Nguồn: https://…", "Quelle: …".
CITATION_RE = re.compile(r"^(?:Quelle|Source|Sources|Nguồn|Fuente|Fonte)\s*:", re.IGNORECASE)
URL_IN_TEXT_RE = re.compile(r"https?://\S+")
CITATION_TAIL = 3

MIN_BODY_CHARS = 200
# A page that declares itself an article (JSON-LD, og:type, a publication time) may be short.
MIN_MARKED_BODY_CHARS = 60
MAX_LINK_DENSITY = 0.5
BYLINE_MAX_CHARS = 60
BYLINE_MAX_WORDS = 8
MIN_SCORED_TEXT = 25
LANG_SAMPLE_CHARS = 1500


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


GENERIC_RULES = SiteRules(name=EXTRACTOR, version=VERSION)


@dataclass(slots=True)
class Document:
    """A parsed page and everything read from it once: soup, JSON-LD, meta tags."""

    soup: BeautifulSoup
    url: str
    fetched_url: str
    site: str | None
    jsonld: dict[str, Any] = field(default_factory=dict)
    breadcrumb: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    meta_all: dict[str, list[str]] = field(default_factory=dict)
    canonical: str | None = None
    html_lang: str | None = None
    title_tag: str | None = None
    index: TagIndex | None = None

    def select(self, selector: str, within: Tag | None = None, limit: int = 0) -> list[Tag]:
        """Tags matching a simple CSS selector, in document order (see TagIndex)."""
        if self.index is None:
            self.index = TagIndex(self.soup)
        return self.index.select(selector, within, limit)


@dataclass(slots=True)
class Block:
    """One paragraph of body text and the element it came from."""

    text: str
    tag: Tag
    link_chars: int = 0


@dataclass(slots=True)
class Draft:
    """Fields filled step by step; each step only fills what is still empty."""

    values: dict[str, Any] = field(default_factory=dict)
    provenance: list[tuple[str, str]] = field(default_factory=list)

    def fill(self, name: str, value: Any, source: str) -> bool:
        """Set a field if it is still empty and the value is not; True when it was set."""
        if self.values.get(name) or not value:
            return False
        self.values[name] = value
        self.provenance.append((name, source))
        return True


# --- a small indexed selector engine ----------------------------------------------------------
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
                if within is not None and (tag is within or not _is_within(tag, within)):
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


SiteParser = Callable[[Document], Article]


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
        doc = read_document(body, url, content_type)
        parser = _site_parser(doc)
        return parser(doc) if parser else extract_article(doc, GENERIC_RULES)
    except ParseError:
        raise
    except RecursionError as exc:
        raise ParseError(f"page nests too deeply to read: {exc}") from exc
    except (ValueError, TypeError, AttributeError, LookupError, MemoryError) as exc:
        # Malformed input must become a countable reject, never a crash of the run.
        raise ParseError(f"unreadable page: {type(exc).__name__}: {exc}") from exc


def _site_parser(doc: Document) -> SiteParser | None:
    """The registered site module's parse function for the page's host, if any."""
    # Imported here: site modules import this module for the shared cascade.
    from parsers.registry import find_parser

    host = urlsplit(doc.fetched_url).hostname
    return find_parser(host) if host else None


def read_document(body: bytes | str, url: str, content_type: str | None = None) -> Document:
    """Decode, pre-strip and parse a page once; read its JSON-LD and meta tags."""
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
    if isinstance(body, bytes):
        wide = "utf-16" in mime_params or "utf-32" in mime_params
        if not wide and _looks_binary(body[:4096]):
            raise ParseError("not HTML: binary content")
        text = decode_html(body, content_type, nfc=False)
    elif isinstance(body, str):
        text = body
    else:
        raise ParseError(f"body must be bytes or str, not {type(body).__name__}")
    if len(text) > MAX_PAGE_CHARS:
        raise ParseError(f"page too large: {len(text)} characters")
    if "\x00" in text[:4096]:
        raise ParseError("not HTML: NUL characters in text")
    if not text.strip():
        raise NotAnArticle("empty page")
    stripped, jsonld_blobs = _prestrip(text)
    # NFC after the cut: scripts and styles are most of the characters and need none.
    soup = BeautifulSoup(to_nfc(stripped), "lxml")
    doc = Document(soup=soup, url=canonical_fetched, fetched_url=url, site=site)
    _read_jsonld(doc, jsonld_blobs)
    _read_head(doc)
    return doc


def _looks_binary(head: bytes) -> bool:
    """True for bytes no HTML page starts with: NULs outside UTF-16/32, many control bytes."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) // 10


def _prestrip(text: str) -> tuple[str, list[str]]:
    """Cut scripts, styles, SVG and comments in one linear scan; keep JSON-LD script texts."""
    parts: list[str] = []
    jsonld: list[str] = []
    unclosed: set[str] = set()
    pos = 0
    while True:
        m = STRIP_START_RE.search(text, pos)
        if m is None:
            parts.append(text[pos:])
            break
        parts.append(text[pos : m.start()])
        name = (m.group(1) or "").lower()
        if not name:
            end = text.find("-->", m.end())
            if end < 0:
                break  # An unterminated comment runs to the end, as in a browser.
            pos = end + 3
            continue
        gt = text.find(">", m.end())
        if gt < 0:
            break
        close = None if name in unclosed else STRIP_END_RES[name].search(text, gt + 1)
        if close is None:
            if name in RAW_TEXT_TAGS:
                break  # An unterminated script or style swallows the rest, as in a browser.
            # An unclosed <svg> is markup to keep; remember it so the scan stays linear.
            unclosed.add(name)
            parts.append(text[m.start() : gt + 1])
            pos = gt + 1
            continue
        if name == "script" and "ld+json" in text[m.end() : gt].lower():
            jsonld.append(text[gt + 1 : close.start()])
        pos = close.end()
    return "".join(parts), jsonld


def _read_jsonld(doc: Document, blobs: list[str]) -> None:
    """Keep the first article-typed JSON-LD object and the breadcrumb names."""
    for blob in blobs:
        if len(blob) > MAX_JSONLD_CHARS:
            continue
        try:
            data = json.loads(to_nfc(blob), strict=False)
        except (ValueError, RecursionError):
            continue
        for item in _jsonld_items(data):
            types = {t.lower() for t in _as_list(item.get("@type")) if isinstance(t, str)}
            if not doc.jsonld and types & ARTICLE_TYPES:
                doc.jsonld = item
            elif "breadcrumblist" in types and not doc.breadcrumb:
                doc.breadcrumb = _breadcrumb_names(item)


def _jsonld_items(data: Any) -> Iterator[dict[str, Any]]:
    """Top-level objects of a JSON-LD blob: lists and @graph flattened one level deep."""
    for item in _as_list(data):
        if isinstance(item, dict):
            yield item
            for sub in _as_list(item.get("@graph")):
                if isinstance(sub, dict):
                    yield sub


def _breadcrumb_names(item: dict[str, Any]) -> list[str]:
    """Names of a BreadcrumbList's entries in order (dantri nests each entry in a list)."""
    names: list[str] = []
    for entry in _as_list(item.get("itemListElement")):
        for el in _as_list(entry):
            if not isinstance(el, dict):
                continue
            inner = el.get("item")
            name = el.get("name") or (inner.get("name") if isinstance(inner, dict) else None)
            text = _jsonld_text(name)
            if text:
                names.append(text)
    return names


def _read_head(doc: Document) -> None:
    """One pass over meta, link and title tags."""
    index = doc.index = TagIndex(doc.soup)
    head_tags = [t for n in ("html", "title", "meta", "link") for t in index.by_name.get(n, [])]
    for tag in head_tags:
        name = tag.name
        if name == "meta":
            content = tag.get("content")
            if not isinstance(content, str):
                continue
            content = _clean(html_lib.unescape(content))
            for attr in ("property", "name", "itemprop", "http-equiv"):
                key = tag.get(attr)
                if isinstance(key, str) and content:
                    key = key.strip().lower()
                    doc.meta.setdefault(key, content)
                    doc.meta_all.setdefault(key, []).append(content)
        elif name == "link" and doc.canonical is None:
            rel = tag.get("rel")
            href = tag.get("href")
            if isinstance(href, str) and "canonical" in [r.lower() for r in _as_list(rel)]:
                doc.canonical = href.strip()
        elif name == "title" and doc.title_tag is None:
            doc.title_tag = _clean(tag.get_text()) or None
        elif name == "html" and doc.html_lang is None:
            lang = tag.get("lang") or tag.get("xml:lang")
            doc.html_lang = lang if isinstance(lang, str) else None


def extract_article(doc: Document, rules: SiteRules) -> Article:
    """Run the cascade (JSON-LD → meta → markup → heuristics) with a site's selectors."""
    draft = Draft()
    ld = doc.jsonld
    soup = doc.soup
    site_names = _outlet_names(doc)

    # Title
    draft.fill("title", _jsonld_text(ld.get("headline") or ld.get("name")), "jsonld")
    draft.fill("title", _first_meta(doc, META_TITLE), "meta")
    if rules.title:
        draft.fill("title", _select_text(doc, rules.title), "selector")
    draft.fill("title", _generic_title(doc), "selector")
    draft.fill("title", _strip_title_suffix(doc.title_tag), "heuristic")

    # Body container and paragraphs
    container = _select_container(doc, rules.body)
    body_source = "selector"
    if container is None:
        container = find_main_content(soup)
        body_source = "heuristic"
    blocks = _body_blocks(doc, container, rules.exclude) if container is not None else []

    # Lead: the sapo; a description is the same text in most CMSes.
    draft.fill("lead", _strip_outlet(_jsonld_text(ld.get("description"))), "jsonld")
    draft.fill("lead", _strip_outlet(_first_meta(doc, META_LEAD)), "meta")
    if rules.lead:
        draft.fill("lead", _strip_outlet(_select_text(doc, rules.lead)), "selector")

    # Dates
    draft.fill("published_at", parse_date(_jsonld_text(ld.get("datePublished"))), "jsonld")
    draft.fill("published_at", _meta_date(doc, META_PUBLISHED), "meta")
    draft.fill("published_at", _select_date(doc, rules.published or GENERIC_PUBLISHED), "selector")
    if rules.date_labels and not draft.values.get("published_at"):
        draft.fill("published_at", _labelled_date(doc, rules.date_labels), "selector")
    draft.fill("published_at", parse_url_date(doc.fetched_url), "url")
    draft.fill("modified_at", parse_date(_jsonld_text(ld.get("dateModified"))), "jsonld")
    draft.fill("modified_at", _meta_date(doc, META_MODIFIED), "meta")

    # Author: a person, never the outlet.
    draft.fill("author", _jsonld_author(ld.get("author"), site_names), "jsonld")
    draft.fill("author", _person(_first_meta(doc, META_AUTHOR), site_names), "meta")
    if rules.author:
        draft.fill("author", _select_author(doc, rules.author, site_names), "selector")
    if rules.byline_last_paragraph and blocks:
        byline = _trailing_byline(blocks)
        if byline is not None:
            blocks.pop()
            draft.fill("author", _person(byline, site_names), "heuristic")
    if not rules.author and not draft.values.get("author") and container is not None:
        draft.fill("author", _select_author(doc, GENERIC_AUTHOR, site_names), "selector")

    # Section and tags
    draft.fill("section", _first_part(_jsonld_text(ld.get("articleSection"))), "jsonld")
    draft.fill("section", _breadcrumb_section(doc.breadcrumb), "jsonld")
    draft.fill("section", _first_meta(doc, META_SECTION), "meta")
    if rules.section:
        draft.fill("section", _select_text(doc, rules.section), "selector")
    draft.fill("tags", _to_tags(ld.get("keywords")), "jsonld")
    for key in META_TAGS:
        draft.fill("tags", _to_tags(doc.meta_all.get(key)), "meta")
    if rules.tags:
        draft.fill("tags", _to_tags(_select_texts(doc, rules.tags)), "selector")

    # Canonical URL
    # <link rel=canonical> is head metadata like og:url, and the page's own word on it.
    draft.fill("canonical_url", _absolute(doc.canonical, doc.fetched_url), "meta")
    draft.fill("canonical_url", _absolute(doc.meta.get("og:url"), doc.fetched_url), "meta")
    draft.fill("canonical_url", _absolute(_jsonld_url(ld), doc.fetched_url), "jsonld")

    # "Nguồn: <link>" lines closing the body are citations, as in seed texts.
    draft.fill("citations", _trailing_citations(blocks, doc.fetched_url), "heuristic")

    # Body text, cleaned against the title and lead.
    title = draft.values.get("title")
    lead = draft.values.get("lead")
    body = _clean_body(blocks, title, lead)
    if body and not lead:
        # No sapo anywhere: the first paragraph is the lead, as on most gov portals.
        draft.fill("lead", _strip_outlet(body[0]), "heuristic")
        body = body[1:]
    elif body:
        body[0] = _strip_outlet(body[0]) or body[0]
    draft.fill("body", tuple(body), body_source)

    # Images: the body's figures; the share image when the body has none.
    images = _images(doc, container, rules.exclude) if container is not None else []
    draft.fill("images", tuple(images), body_source)
    draft.fill("images", _lead_images(doc), "jsonld" if _jsonld_image_url(ld) else "meta")

    _reject_non_article(doc, draft, container)

    lang, lang_source = _language(doc, draft)
    draft.fill("lang", lang, lang_source)
    v = draft.values
    return Article(
        article_id=to_article_id(doc.url),
        origin="web",
        lang=lang,
        body=v.get("body", ()),
        extractor=rules.extractor,
        url=doc.url,
        site=doc.site,
        title=v.get("title"),
        lead=v.get("lead"),
        published_at=v.get("published_at"),
        modified_at=v.get("modified_at"),
        author=v.get("author"),
        section=v.get("section"),
        tags=v.get("tags", ()),
        canonical_url=v.get("canonical_url"),
        images=v.get("images", ()),
        citations=v.get("citations", ()),
        provenance=tuple(draft.provenance),
    )


# --- rejection -------------------------------------------------------------------------------


def _reject_non_article(doc: Document, draft: Draft, container: Tag | None) -> None:
    """Raise NotAnArticle for index, error and empty pages, saying which rule fired."""
    v = draft.values
    body: tuple[str, ...] = v.get("body", ())
    chars = sum(len(p) for p in body) + len(v.get("lead") or "")
    title = v.get("title") or ""
    if ERROR_TITLE_RE.search(title) and chars < 600:
        raise NotAnArticle(f"error page: title {title[:80]!r}")
    if not title:
        raise NotAnArticle("no title found")
    marked = bool(doc.jsonld) or doc.meta.get("og:type", "").lower() == "article"
    minimum = MIN_MARKED_BODY_CHARS if marked or v.get("published_at") else MIN_BODY_CHARS
    if chars < minimum:
        raise NotAnArticle(f"no article body: {chars} characters of text (minimum {minimum})")
    if container is not None and not marked:
        density = _link_density(container)
        if density > MAX_LINK_DENSITY:
            raise NotAnArticle(f"index page: {density:.0%} of the main block's text is links")
    if not marked and not v.get("published_at") and len(body) < 3:
        raise NotAnArticle("no article markers, no date and under 3 paragraphs")


def _link_density(container: Tag) -> float:
    """Share of a block's text that sits inside links."""
    total = 0
    linked = 0
    for s in container.find_all(string=True):
        if isinstance(s, Comment):
            continue
        n = len(s.strip())
        total += n
        if s.find_parent("a") is not None:
            linked += n
    return linked / total if total else 0.0


# --- main-content detection ---------------------------------------------------------------


def find_main_content(soup: BeautifulSoup) -> Tag | None:
    """The element holding most of the page's non-link prose (a readability-style score)."""
    scores: dict[int, float] = {}
    tags: dict[int, Tag] = {}
    for s in soup.find_all(string=True):
        if isinstance(s, Comment):
            continue
        n = len(s.strip())
        if n < MIN_SCORED_TEXT:
            continue
        block, in_link = _block_of(s)
        if block is None or in_link:
            continue
        container = block.parent if block.name in LEAF_BLOCKS else block
        if not isinstance(container, Tag):
            continue
        gain = min(n, 600) / 100 + 1
        for weight, el in ((1.0, container), (0.5, container.parent)):
            if isinstance(el, Tag) and el.name not in ("html", "[document]"):
                key = id(el)
                tags[key] = el
                scores[key] = scores.get(key, 0.0) + weight * gain
    best: Tag | None = None
    best_score = 0.0
    for key, score in scores.items():
        el = tags[key]
        if _is_boilerplate(el):
            score *= 0.2
        if score > best_score:
            best, best_score = el, score
    return best


def _block_of(s: PageElement) -> tuple[Tag | None, bool]:
    """The nearest non-inline ancestor of a text node, and whether a link is in between."""
    in_link = False
    el = s.parent
    depth = 0
    while isinstance(el, Tag) and depth < 50:
        name = el.name
        if name in SKIP_TAGS:
            return None, in_link
        if name == "a":
            in_link = True
        elif name not in INLINE_TAGS:
            return el, in_link
        el = el.parent
        depth += 1
    return None, in_link


def _is_boilerplate(tag: Tag) -> bool:
    """True for related boxes, share bars, widgets: by class, id, CMS type or ARIA role."""
    attrs = tag.attrs
    if not attrs:
        return False
    typ = attrs.get("type")
    if isinstance(typ, str) and typ.lower() in BOILERPLATE_TYPES:
        return True
    role = attrs.get("role")
    if isinstance(role, str) and role.lower() in BOILERPLATE_ROLES:
        return True
    module = attrs.get("data-module")
    if isinstance(module, str) and "related" in module.lower():
        return True
    cls = attrs.get("class")
    if cls:
        joined = " ".join(cls) if isinstance(cls, list) else str(cls)
        if BOILERPLATE_RE.search(joined):
            return True
    ident = attrs.get("id")
    if isinstance(ident, str) and BOILERPLATE_RE.search(ident):
        return True
    style = attrs.get("style")
    return isinstance(style, str) and "display:none" in style.replace(" ", "").lower()


# --- body paragraphs ---------------------------------------------------------------------------


def _select_container(doc: Document, selectors: tuple[str, ...]) -> Tag | None:
    """The first selector match that holds some text (tuoitre has an empty twin container)."""
    for selector in selectors:
        for el in doc.select(selector, limit=5):
            if el.get_text(strip=True):
                return el
    return None


def _body_blocks(doc: Document, container: Tag, exclude: tuple[str, ...] = ()) -> list[Block]:
    """Paragraphs of a container in document order, boilerplate boxes and figures left out."""
    skip_ids = {id(el) for sel in exclude for el in doc.select(sel, within=container)}
    blocks: list[Block] = []
    inline: list[str] = []
    inline_links = 0

    def flush(anchor: Tag) -> None:
        """Turn the pending inline text into blocks."""
        nonlocal inline_links
        if inline:
            _add_lines(blocks, "".join(inline), anchor, inline_links)
            inline.clear()
            inline_links = 0

    # An explicit stack instead of recursion: pages nest thousands of levels deep.
    stack: list[tuple[Tag, Iterator[PageElement]]] = [(container, iter(container.children))]
    while stack:
        parent, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            flush(parent)
            continue
        if isinstance(child, NavigableString):
            if type(child) is NavigableString:
                inline.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if (
            name in SKIP_TAGS
            or id(child) in skip_ids
            or _is_boilerplate(child)
            or _is_caption(child)
        ):
            continue
        if name == "br":
            flush(parent)
        elif name in LEAF_BLOCKS and not _has_block_child(child):
            flush(parent)
            text, links = _inline_text(child)
            _add_lines(blocks, text, child, links)
        elif name in INLINE_TAGS:
            text, links = _inline_text(child)
            inline.append(text)
            inline_links += links
        else:
            flush(parent)
            stack.append((child, iter(child.children)))
    return blocks


def _is_caption(tag: Tag) -> bool:
    """True for caption holders outside <figcaption> (td.caption, p.Image)."""
    cls = tag.attrs.get("class")
    if not cls:
        return False
    tokens = cls if isinstance(cls, list) else str(cls).split()
    return any(CAPTION_CLASS_RE.search(t) for t in tokens)


def _has_block_child(tag: Tag) -> bool:
    """True when a paragraph-like element wraps blocks (an <li> holding <p>s)."""
    return any(
        isinstance(c, Tag) and c.name not in INLINE_TAGS and c.name not in ("br", "img")
        for c in tag.children
    )


def _inline_text(tag: Tag) -> tuple[str, int]:
    """Text of an element with <br> as a line break, skipping images and scripts; link chars."""
    out: list[str] = []
    links = 0
    stack: list[tuple[Iterator[PageElement], bool]] = [(iter(tag.children), tag.name == "a")]
    while stack:
        children, in_link = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            continue
        if isinstance(child, NavigableString):
            if type(child) is NavigableString:
                out.append(str(child))
                if in_link:
                    links += len(child.strip())
            continue
        if not isinstance(child, Tag) or child.name in SKIP_TAGS:
            continue
        if child.name == "br":
            out.append("\n")
        else:
            stack.append((iter(child.children), in_link or child.name == "a"))
    return "".join(out), links


def _add_lines(blocks: list[Block], text: str, tag: Tag, links: int) -> None:
    """Append each non-empty line of a text as a block."""
    lines = [_clean(line) for line in text.split("\n")]
    lines = [line for line in lines if line]
    for line in lines:
        share = links if len(lines) == 1 else min(links, len(line))
        blocks.append(Block(line, tag, share))


def _clean_body(blocks: list[Block], title: str | None, lead: str | None) -> list[str]:
    """Drop widget lines, link-only lines and repeats of the title or lead."""
    seen: set[str] = set()
    out: list[str] = []
    skip = {_fold(title), _fold(lead)} - {""}
    for block in blocks:
        text = block.text
        folded = _fold(text)
        if folded in skip or folded in seen:
            continue
        if len(text) <= BOILERPLATE_TEXT_MAX and BOILERPLATE_TEXT_RE.match(text):
            continue
        if block.link_chars >= 0.8 * len(text) and len(text) < 200:
            continue
        seen.add(folded)
        out.append(text)
    return out


def _trailing_byline(blocks: list[Block]) -> str | None:
    """The body's last paragraph when it is a byline ("Hà Thu (tổng hợp)", bold or right)."""
    last = blocks[-1]
    text = last.text
    if len(text) > BYLINE_MAX_CHARS or len(text.split()) > BYLINE_MAX_WORDS:
        return None
    name = re.sub(r"\s*\([^)]*\)\s*$", "", text).strip(" .-–—")
    # A name: capitalised, no sentence punctuation (initials like "H.Y.T." are fine).
    if not re.fullmatch(r"[^\W\d_][\w.\s'-]*", name) or not name[0].isupper():
        return None
    if name.lower().startswith(("theo ", "nguồn", "source")):
        return None
    tag = last.tag
    style = str(tag.get("style") or "").replace(" ", "").lower()
    align = str(tag.get("align") or "").lower()
    right = "text-align:right" in style or align == "right"
    bold = _all_bold(tag)
    classes = " ".join(tag.get("class") or []).lower()
    if right or bold or "author" in classes:
        return name
    return None


def _trailing_citations(blocks: list[Block], base_url: str) -> tuple[Citation, ...]:
    """Source lines ("Nguồn: https://…") among the last paragraphs, moved out of the body."""
    found: list[Citation] = []
    for block in list(blocks[-CITATION_TAIL:]):
        if not CITATION_RE.match(block.text):
            continue
        m = URL_IN_TEXT_RE.search(block.text)
        link = block.tag.find("a", href=True) if m is None else None
        href = m.group(0).rstrip(".,;)") if m else (link.get("href") if link else None)
        url = _absolute(href if isinstance(href, str) else None, base_url)
        if url:
            found.append(Citation(url=url, kind="source", text=block.text))
            blocks.remove(block)
    return tuple(found)


def _all_bold(tag: Tag) -> bool:
    """True when every word of an element's name part sits in <b>/<strong>."""
    strong = tag.find(("strong", "b"))
    if strong is None:
        return False
    text = _clean(tag.get_text())
    bold = _clean(strong.get_text())
    return bool(bold) and text.startswith(bold) and len(bold) >= len(text) / 2


# --- images ---------------------------------------------------------------------------------------


def _images(doc: Document, container: Tag, exclude: tuple[str, ...] = ()) -> list[Image]:
    """Images of the body with their figcaption caption and credit (never alt text)."""
    skip_ids = {id(el) for sel in exclude for el in doc.select(sel, within=container)}
    base_url = doc.fetched_url
    images: list[Image] = []
    seen: set[str] = set()
    for img in doc.select("img", within=container):
        if _inside_boilerplate(img, container, skip_ids):
            continue
        url = _image_url(img, base_url)
        if url is None or url in seen:
            continue
        seen.add(url)
        caption, credit = _caption_of(img, container)
        images.append(Image(url=url, file_name=_file_name(url), caption=caption, credit=credit))
    return images


def _inside_boilerplate(el: Tag, container: Tag, skip_ids: set[int]) -> bool:
    """True when an element sits in a related box or widget inside the container."""
    node = el.parent
    depth = 0
    while isinstance(node, Tag) and node is not container and depth < 60:
        if id(node) in skip_ids or node.name in ("aside", "nav", "a") or _is_boilerplate(node):
            return True
        node = node.parent
        depth += 1
    return False


def _image_url(img: Tag, base_url: str) -> str | None:
    """The real image URL from lazy-loading attributes; None for placeholders."""
    candidates = [img.get(attr) for attr in IMAGE_URL_ATTRS]
    picture = img.find_parent("picture")
    if picture is not None:
        source = picture.find("source")
        if source is not None:
            candidates.insert(2, source.get("data-srcset") or source.get("srcset"))
    for raw in candidates:
        if not isinstance(raw, str) or not raw.strip():
            continue
        first = raw.strip().split(",")[0].split()[0] if "," in raw or " " in raw.strip() else raw
        first = first.strip()
        if not first or PLACEHOLDER_RE.search(first):
            continue
        url = _absolute(first, base_url)
        if url:
            return url
    return None


def _caption_of(img: Tag, container: Tag) -> tuple[str | None, str | None]:
    """Caption and credit from the enclosing figure's figcaption (alt text is not a caption)."""
    # <figure>, or the <table> some CMSes (nhandan, older vnexpress) wrap images in.
    holder = img.find_parent("figure") or img.find_parent("table")
    if holder is None or not _is_within(holder, container):
        return None, None
    cap = holder.find("figcaption") or holder.find(_is_caption)
    if cap is None:
        return None, None
    text = _clean(cap.get_text(" "))
    text = re.sub(r"\s+([,.;:!?)])", r"\1", text)
    if not text:
        return None, None
    m = CREDIT_RE.search(text)
    if m:
        credit = m.group("credit").strip()
        # "Reuters." loses its full stop; initials keep theirs ("H.Y.T.").
        if credit.endswith(".") and not re.search(r"(?:^|[.\s])\w\.$", credit):
            credit = credit[:-1]
        caption = text[: m.start()].strip(" -–—") or None
        if caption and text[m.start() : m.end()].lstrip().startswith("."):
            caption += "."
        return caption, credit or None
    return text, None


def _is_within(el: Tag, container: Tag) -> bool:
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


def _lead_images(doc: Document) -> tuple[Image, ...]:
    """The share image (JSON-LD image or og:image) as the article's only image."""
    url = _jsonld_image_url(doc.jsonld) or _first_meta(doc, META_IMAGE)
    absolute = _absolute(url, doc.fetched_url)
    if not absolute:
        return ()
    return (Image(url=absolute, file_name=_file_name(absolute)),)


def _jsonld_image_url(ld: dict[str, Any]) -> str | None:
    """The first URL of a JSON-LD image (string, ImageObject or list of either)."""
    for item in _as_list(ld.get("image")):
        if isinstance(item, str) and item.strip():
            return item.strip()
        if isinstance(item, dict):
            url = item.get("url") or item.get("contentUrl")
            if isinstance(url, str) and url.strip():
                return url.strip()
    return None


def _file_name(url: str) -> str | None:
    """The last path segment of a URL."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return name or None


# --- metadata helpers ---------------------------------------------------------------------------


def _jsonld_text(value: Any) -> str | None:
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
    return unicodedata.normalize("NFC", _clean(value)) or None


def _jsonld_url(ld: dict[str, Any]) -> str | None:
    """The article's own URL from JSON-LD url or mainEntityOfPage."""
    for value in (ld.get("url"), ld.get("mainEntityOfPage")):
        if isinstance(value, dict):
            value = value.get("@id")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _jsonld_author(value: Any, outlet: set[str]) -> str | None:
    """Person names of a JSON-LD author field joined by ", "; organisations left out."""
    names: list[str] = []
    for item in _as_list(value):
        if isinstance(item, dict):
            types = {t.lower() for t in _as_list(item.get("@type")) if isinstance(t, str)}
            if types & {"organization", "newsmediaorganization"}:
                continue
            name = _person(_jsonld_text(item.get("name")), outlet)
        else:
            name = _person(_jsonld_text(item), outlet)
        if name and name not in names:
            names.append(name)
    return ", ".join(names) or None


def _person(name: str | None, outlet: set[str]) -> str | None:
    """The name when it names a person, None for outlets, URLs and empty strings."""
    if not name:
        return None
    name = _clean(name).strip(" ,;-")
    if not name or len(name) > 100 or "://" in name or name.startswith(("@", "www.")):
        return None
    folded = _fold_ascii(name)
    if not folded or folded in AGENCY_NAMES:
        return None
    if any(o and (o in folded or folded in o) for o in outlet):
        return None
    # One all-caps short word is an outlet code ("TTO", "NLĐO"); people have two names or more.
    if " " not in name and name.isupper() and len(name) <= 6:
        return None
    if re.search(r"\.(?:vn|com|net|org)\b", name, re.IGNORECASE):
        return None
    return name


def _outlet_names(doc: Document) -> set[str]:
    """Folded spellings of the outlet: host labels, og:site_name, JSON-LD publisher."""
    names: set[str] = set()
    if doc.site:
        labels = [
            label
            for label in doc.site.split(".")
            if label not in ("www", "com", "vn", "net", "org", "gov")
        ]
        names.update(_fold_ascii(label) for label in labels if len(label) > 2)
    publisher = doc.jsonld.get("publisher")
    pub_name = publisher.get("name") if isinstance(publisher, dict) else None
    for raw in (doc.meta.get("og:site_name"), _jsonld_text(pub_name)):
        if raw:
            names.add(_fold_ascii(raw))
            names.add(_fold_ascii(re.sub(r"^(?:báo|tạp chí)\s+", "", raw, flags=re.I)))
    return {n for n in names if len(n) > 2}


def _first_meta(doc: Document, keys: tuple[str, ...]) -> str | None:
    """The first non-empty meta content among keys, in key order."""
    for key in keys:
        value = doc.meta.get(key)
        if value:
            return value
    return None


def _meta_date(doc: Document, keys: tuple[str, ...]) -> datetime | None:
    """The first meta value among keys that parses as a date."""
    for key in keys:
        parsed = parse_date(doc.meta.get(key))
        if parsed:
            return parsed
    return None


def _select_text(doc: Document, selectors: tuple[str, ...]) -> str | None:
    """Clean text of the first selector match that has any."""
    for selector in selectors:
        for el in doc.select(selector, limit=3):
            text, _ = _inline_text(el)
            text = _clean(text.replace("\n", " "))
            if text:
                return text
    return None


def _generic_title(doc: Document) -> str | None:
    """The <h1> that the <title> repeats, else the longest: a logo is often an <h1> too."""
    texts = [_clean(h.get_text(" ")) for h in doc.select("h1", limit=MAX_H1)]
    texts = [t for t in texts if t]
    if not texts:
        return None
    page_title = _fold(doc.title_tag)
    for text in texts:
        if len(text) >= MIN_TITLE_MATCH and _fold(text) in page_title:
            return text
    return max(texts, key=len)


def _select_texts(doc: Document, selectors: tuple[str, ...]) -> list[str]:
    """Clean texts of all matches of the first selector that matches."""
    for selector in selectors:
        texts = [_clean(el.get_text(" ")) for el in doc.select(selector, limit=50)]
        texts = [t for t in texts if t]
        if texts:
            return texts
    return []


def _select_date(doc: Document, selectors: tuple[str, ...]) -> datetime | None:
    """A date from the first matching element's datetime/content attribute or text."""
    for selector in selectors:
        for el in doc.select(selector, limit=3):
            for raw in (el.get("datetime"), el.get("content"), el.get_text(" ")):
                if isinstance(raw, str):
                    parsed = parse_date(raw)
                    if parsed:
                        return parsed
    return None


def _labelled_date(doc: Document, labels: tuple[str, ...]) -> datetime | None:
    """A date written after a label in plain text, e.g. "Thời gian: 05/03/2026 14:30"."""
    pattern = re.compile("|".join(re.escape(label) for label in labels), re.IGNORECASE)
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


def _select_author(doc: Document, selectors: tuple[str, ...], outlet: set[str]) -> str | None:
    """Person names from author elements (several authors joined by ", ")."""
    for selector in selectors:
        names: list[str] = []
        for el in doc.select(selector, limit=10):
            raw = el.get("title") if el.name == "a" and el.get("title") else el.get_text(" ")
            if not isinstance(raw, str) or len(raw.strip()) > MAX_BYLINE_ELEMENT_CHARS:
                continue
            name = _person(raw, outlet)
            if name and name not in names:
                names.append(name)
        if names:
            return ", ".join(names)
    return None


def _breadcrumb_section(names: list[str]) -> str | None:
    """The first breadcrumb entry after the home link."""
    rest = [n for n in names if _fold_ascii(n) not in ("trangchu", "home")]
    return rest[0] if rest else None


def _first_part(value: str | None) -> str | None:
    """The first of comma-separated sections ("Kinh doanh, Tài chính" → "Kinh doanh")."""
    if not value:
        return None
    return value.split(",")[0].strip() or None


def _to_tags(value: Any) -> tuple[str, ...]:
    """Tags from a list or comma-separated strings, de-duplicated case-insensitively."""
    tags: list[str] = []
    seen: set[str] = set()
    for item in _as_list(value):
        if not isinstance(item, str):
            continue
        for part in html_lib.unescape(item).split(","):
            tag = _clean(part)
            key = tag.casefold()
            if tag and key not in seen and len(tag) <= 100:
                seen.add(key)
                tags.append(tag)
    return tuple(tags)


def _absolute(url: str | None, base: str) -> str | None:
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


def _language(doc: Document, draft: Draft) -> tuple[str, str]:
    """Declared language (html lang, og:locale) unless the text clearly says otherwise."""
    declared = _norm_lang(doc.html_lang) or next(
        (lang for lang in (_norm_lang(doc.meta.get(k)) for k in META_LANG) if lang), None
    )
    v = draft.values
    text = "\n".join([v.get("title") or "", v.get("lead") or "", *v.get("body", ())[:8]])
    # A few paragraphs decide the language; the whole body only costs time.
    detected = detect_lang(text[:LANG_SAMPLE_CHARS])
    if declared and detected in (UNKNOWN_LANG, declared):
        return declared, "meta"
    if detected != UNKNOWN_LANG:
        return detected, "heuristic"
    return declared or UNKNOWN_LANG, "meta" if declared else "heuristic"


def _norm_lang(value: str | None) -> str | None:
    """'vi-VN', 'vi_VN' → 'vi'; None for anything that is not a language tag."""
    if not value:
        return None
    primary = re.split(r"[-_,;\s]", value.strip().lower(), maxsplit=1)[0]
    return primary if LANG_RE.match(primary) else None


def _strip_outlet(text: str | None) -> str | None:
    """A lead without its outlet prefix ("(Dân trí) - ", "TTO - ") or outlet suffix."""
    if not text:
        return None
    text = OUTLET_PREFIX_RE.sub("", text, count=1)
    text = re.sub(r"\s+-\s+VnExpress$", "", text)
    return text.strip() or None


def _strip_title_suffix(title: str | None) -> str | None:
    """A <title> without its " - Outlet" / " | Outlet" suffix."""
    if not title:
        return None
    return TITLE_SUFFIX_RE.sub("", title).strip() or title


def _clean(text: str | None) -> str:
    """Whitespace collapsed (NBSP and zero-width characters included); the page is NFC."""
    if not text:
        return ""
    return WS_RE.sub(" ", text.translate(ZERO_WIDTH)).strip()


def _fold(text: str | None) -> str:
    """A comparison key: case- and whitespace-insensitive."""
    return _clean(text).casefold()


def _fold_ascii(text: str) -> str:
    """Lower-case ASCII letters and digits only ("Dân Trí" → "dantri")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed.lower() if c.isascii() and c.isalnum())


def _as_list(value: Any) -> list[Any]:
    """A value as a list (None → [])."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
