"""Images: the body's pictures with caption and credit, or the page's share image."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bs4 import Tag

from parsers.content import excluded_ids, is_boilerplate, is_caption
from parsers.document import Document
from parsers.dom import find_ancestor, find_descendant, is_within
from parsers.jsonld import jsonld_image_url
from parsers.metadata import META_IMAGE, first_meta
from parsers.records import Image
from parsers.text import absolute_url, clean_text

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


def body_images(doc: Document, container: Tag, exclude: tuple[str, ...] = ()) -> list[Image]:
    """Images of the body with their figcaption caption and credit (never alt text)."""
    skip_ids = excluded_ids(doc, container, exclude)
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
        if id(node) in skip_ids or node.name in ("aside", "nav", "a") or is_boilerplate(node):
            return True
        node = node.parent
        depth += 1
    return False


def _image_url(img: Tag, base_url: str) -> str | None:
    """The real image URL from lazy-loading attributes; None for placeholders."""
    candidates = [img.get(attr) for attr in IMAGE_URL_ATTRS]
    picture = find_ancestor(img, "picture")
    if picture is not None:
        source = find_descendant(picture, lambda t: t.name == "source")
        if source is not None:
            candidates.insert(2, source.get("data-srcset") or source.get("srcset"))
    for raw in candidates:
        if not isinstance(raw, str) or not raw.strip():
            continue
        first = raw.strip().split(",")[0].split()[0] if "," in raw or " " in raw.strip() else raw
        first = first.strip()
        if not first or PLACEHOLDER_RE.search(first):
            continue
        url = absolute_url(first, base_url)
        if url:
            return url
    return None


def _caption_of(img: Tag, container: Tag) -> tuple[str | None, str | None]:
    """Caption and credit from the enclosing figure's figcaption (alt text is not a caption)."""
    # <figure>, or the <table> some CMSes (nhandan, older vnexpress) wrap images in.
    holder = find_ancestor(img, "figure") or find_ancestor(img, "table")
    if holder is None or not is_within(holder, container):
        return None, None
    cap = find_descendant(holder, lambda t: t.name == "figcaption") or find_descendant(
        holder, is_caption
    )
    if cap is None:
        return None, None
    text = clean_text(cap.get_text(" "))
    text = re.sub(r"\s+([,.;:!?)])", r"\1", text)
    if not text:
        return None, None
    # Every credit has its colon; the search costs ~0.1-0.3 ms a caption without one
    # (case-insensitive Vietnamese alternatives tried at each position).
    m = CREDIT_RE.search(text) if ":" in text else None
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


def lead_images(doc: Document) -> tuple[Image, ...]:
    """The share image (JSON-LD image or og:image) as the article's only image."""
    url = jsonld_image_url(doc.jsonld) or first_meta(doc, META_IMAGE)
    absolute = absolute_url(url, doc.fetched_url)
    if not absolute:
        return ()
    return (Image(url=absolute, file_name=_file_name(absolute)),)


def _file_name(url: str) -> str | None:
    """The last path segment of a URL."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return name or None
