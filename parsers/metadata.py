"""Head metadata and field cleaning: meta keys in cascade order, authors, leads, language."""

from __future__ import annotations

import html as html_lib
import re
from datetime import datetime
from typing import Any

from parsers.dates import parse_date
from parsers.document import Document, Draft
from parsers.jsonld import as_list, jsonld_text, jsonld_types
from parsers.lang import UNKNOWN as UNKNOWN_LANG
from parsers.lang import detect_lang
from parsers.text import clean_text, fold_ascii

# Meta keys per field, best first (property, name, itemprop and http-equiv are one namespace).
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
# Every meta key the cascade reads. read_head records only these, so a new reader of another
# key finds nothing on every page (and its test fails) rather than only on pruned ones.
META_READ = frozenset(
    {
        *META_TITLE,
        *META_LEAD,
        *META_PUBLISHED,
        *META_MODIFIED,
        *META_AUTHOR,
        *META_SECTION,
        *META_TAGS,
        *META_IMAGE,
        *META_LANG,
        "og:url",
        "og:type",
        "og:site_name",
    }
)
META_KEY_ATTRS = ("property", "name", "itemprop", "http-equiv")

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
# " - VnExpress", " | Báo Dân trí": an outlet suffix on titles and meta descriptions.
TITLE_SUFFIX_RE = re.compile(r"\s+[-|–—]\s+[^-|–—]{2,60}$")
LANG_RE = re.compile(r"^[a-z]{2,3}$")
LANG_SPLIT_RE = re.compile(r"[-_,;\s]")
# "Báo Tuổi Trẻ", "Tạp chí Cộng sản": the outlet's name without its kind.
OUTLET_WORD_RE = re.compile(r"^(?:báo|tạp chí)\s+", re.IGNORECASE)
# A name with a domain in it is a site, not a person.
DOMAIN_RE = re.compile(r"\.(?:vn|com|net|org)\b", re.IGNORECASE)
VNEXPRESS_SUFFIX_RE = re.compile(r"\s+-\s+VnExpress$")
LANG_SAMPLE_CHARS = 1500


def read_head(doc: Document) -> None:
    """One pass over meta, link and title tags."""
    by_name = doc.index.by_name
    head_tags = [t for n in ("html", "title", "meta", "link") for t in by_name.get(n, [])]
    for tag in head_tags:
        name = tag.name
        if name == "meta":
            content = tag.get("content")
            if not isinstance(content, str):
                continue
            content = clean_text(html_lib.unescape(content))
            for attr in META_KEY_ATTRS:
                key = tag.get(attr)
                if isinstance(key, str) and content:
                    key = key.strip().lower()
                    if key not in META_READ:
                        continue
                    doc.meta.setdefault(key, content)
                    doc.meta_all.setdefault(key, []).append(content)
        elif name == "link" and doc.canonical is None:
            rel = tag.get("rel")
            href = tag.get("href")
            if isinstance(href, str) and "canonical" in [r.lower() for r in as_list(rel)]:
                doc.canonical = href.strip()
        elif name == "title" and doc.title_tag is None:
            doc.title_tag = clean_text(tag.get_text()) or None
        elif name == "html" and doc.html_lang is None:
            lang = tag.get("lang") or tag.get("xml:lang")
            doc.html_lang = lang if isinstance(lang, str) else None


def jsonld_author(value: Any, outlet: set[str]) -> str | None:
    """Person names of a JSON-LD author field joined by ", "; organisations left out."""
    names: list[str] = []
    for item in as_list(value):
        if isinstance(item, dict):
            if jsonld_types(item) & {"organization", "newsmediaorganization"}:
                continue
            name = person(jsonld_text(item.get("name")), outlet)
        else:
            name = person(jsonld_text(item), outlet)
        if name and name not in names:
            names.append(name)
    return ", ".join(names) or None


def person(name: str | None, outlet: set[str]) -> str | None:
    """The name when it names a person, None for outlets, URLs and empty strings."""
    if not name:
        return None
    name = clean_text(name).strip(" ,;-")
    if not name or len(name) > 100 or "://" in name or name.startswith(("@", "www.")):
        return None
    folded = fold_ascii(name)
    if not folded or folded in AGENCY_NAMES:
        return None
    if any(o and (o in folded or folded in o) for o in outlet):
        return None
    # One all-caps short word is an outlet code ("TTO", "NLĐO"); people have two names or more.
    if " " not in name and name.isupper() and len(name) <= 6:
        return None
    if DOMAIN_RE.search(name):
        return None
    return name


def outlet_names(doc: Document) -> set[str]:
    """Folded spellings of the outlet: host labels, og:site_name, JSON-LD publisher."""
    names: set[str] = set()
    if doc.site:
        labels = [
            label
            for label in doc.site.split(".")
            if label not in ("www", "com", "vn", "net", "org", "gov")
        ]
        names.update(fold_ascii(label) for label in labels if len(label) > 2)
    publisher = doc.jsonld.get("publisher")
    pub_name = publisher.get("name") if isinstance(publisher, dict) else None
    for raw in (doc.meta.get("og:site_name"), jsonld_text(pub_name)):
        if raw:
            names.add(fold_ascii(raw))
            names.add(fold_ascii(OUTLET_WORD_RE.sub("", raw)))
    return {n for n in names if len(n) > 2}


def first_meta(doc: Document, keys: tuple[str, ...]) -> str | None:
    """The first non-empty meta content among keys, in key order."""
    for key in keys:
        value = doc.meta.get(key)
        if value:
            return value
    return None


def meta_date(doc: Document, keys: tuple[str, ...]) -> datetime | None:
    """The first meta value among keys that parses as a date."""
    for key in keys:
        parsed = parse_date(doc.meta.get(key))
        if parsed:
            return parsed
    return None


def breadcrumb_section(names: list[str]) -> str | None:
    """The first breadcrumb entry after the home link."""
    rest = [n for n in names if fold_ascii(n) not in ("trangchu", "home")]
    return rest[0] if rest else None


def first_part(value: str | None) -> str | None:
    """The first of comma-separated sections ("Kinh doanh, Tài chính" → "Kinh doanh")."""
    if not value:
        return None
    return value.split(",")[0].strip() or None


def to_tags(value: Any) -> tuple[str, ...]:
    """Tags from a list or comma-separated strings, de-duplicated case-insensitively."""
    tags: list[str] = []
    seen: set[str] = set()
    for item in as_list(value):
        if not isinstance(item, str):
            continue
        for part in html_lib.unescape(item).split(","):
            tag = clean_text(part)
            key = tag.casefold()
            if tag and key not in seen and len(tag) <= 100:
                seen.add(key)
                tags.append(tag)
    return tuple(tags)


def language(doc: Document, draft: Draft) -> tuple[str, str]:
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
    primary = LANG_SPLIT_RE.split(value.strip().lower(), maxsplit=1)[0]
    return primary if LANG_RE.match(primary) else None


def strip_outlet(text: str | None) -> str | None:
    """A lead without its outlet prefix ("(Dân trí) - ", "TTO - ") or outlet suffix."""
    if not text:
        return None
    text = OUTLET_PREFIX_RE.sub("", text, count=1)
    text = VNEXPRESS_SUFFIX_RE.sub("", text)
    return text.strip() or None


def strip_title_suffix(title: str | None) -> str | None:
    """A <title> without its " - Outlet" / " | Outlet" suffix."""
    if not title:
        return None
    return TITLE_SUFFIX_RE.sub("", title).strip() or title
