"""The field cascade: JSON-LD → meta → selectors → heuristics, each step filling what is empty."""

from __future__ import annotations

import re

from bs4 import Tag

from parsers.content import find_main_content, link_density, select_container
from parsers.dates import parse_date, parse_url_date
from parsers.document import Document, Draft, SiteRules
from parsers.errors import NotAnArticle
from parsers.images import body_images, lead_images
from parsers.jsonld import jsonld_image_url, jsonld_text, jsonld_url
from parsers.markup import (
    GENERIC_AUTHOR,
    GENERIC_PUBLISHED,
    generic_title,
    labelled_date,
    select_author,
    select_date,
    select_text,
    select_texts,
)
from parsers.metadata import (
    META_AUTHOR,
    META_LEAD,
    META_MODIFIED,
    META_PUBLISHED,
    META_SECTION,
    META_TAGS,
    META_TITLE,
    breadcrumb_section,
    first_meta,
    first_part,
    jsonld_author,
    language,
    meta_date,
    outlet_names,
    person,
    strip_outlet,
    strip_title_suffix,
    to_tags,
)
from parsers.paragraphs import body_blocks, clean_body, trailing_byline, trailing_citations
from parsers.records import Article, to_article_id
from parsers.text import absolute_url

ERROR_TITLE_RE = re.compile(
    r"\b404\b|not found|không tìm thấy|không tồn tại|page not found|trang lỗi|error page|"
    r"đã bị xóa|đã bị gỡ",
    re.IGNORECASE,
)

MIN_BODY_CHARS = 200
# A page that declares itself an article (JSON-LD, og:type, a publication time) may be short.
MIN_MARKED_BODY_CHARS = 60
MAX_LINK_DENSITY = 0.5


def extract_article(doc: Document, rules: SiteRules) -> Article:
    """Run the cascade (JSON-LD → meta → markup → heuristics) with a site's selectors."""
    draft = Draft()
    ld = doc.jsonld
    soup = doc.soup
    site_names = outlet_names(doc)

    # Title
    draft.fill("title", jsonld_text(ld.get("headline") or ld.get("name")), "jsonld")
    # Later steps run only while the field is empty: their value would be dropped, and the
    # selector steps cost most of the cascade (every step is pure).
    draft.fill("title", first_meta(doc, META_TITLE), "meta")
    if rules.title and draft.needs("title"):
        draft.fill("title", select_text(doc, rules.title), "selector")
    if draft.needs("title"):
        draft.fill("title", generic_title(doc), "selector")
    if draft.needs("title"):
        draft.fill("title", strip_title_suffix(doc.title_tag), "heuristic")

    # Body container and paragraphs
    container = select_container(doc, rules.body)
    body_source = "selector"
    if container is None:
        container = find_main_content(soup)
        body_source = "heuristic"
    blocks = body_blocks(doc, container, rules.exclude) if container is not None else []

    # Lead: the sapo; a description is the same text in most CMSes.
    draft.fill("lead", strip_outlet(jsonld_text(ld.get("description"))), "jsonld")
    draft.fill("lead", strip_outlet(first_meta(doc, META_LEAD)), "meta")
    if rules.lead and draft.needs("lead"):
        draft.fill("lead", strip_outlet(select_text(doc, rules.lead)), "selector")

    # Dates
    draft.fill("published_at", parse_date(jsonld_text(ld.get("datePublished"))), "jsonld")
    if draft.needs("published_at"):
        draft.fill("published_at", meta_date(doc, META_PUBLISHED), "meta")
    if draft.needs("published_at"):
        published = rules.published or GENERIC_PUBLISHED
        draft.fill("published_at", select_date(doc, published), "selector")
    if rules.date_labels and draft.needs("published_at"):
        draft.fill("published_at", labelled_date(doc, rules.date_labels), "selector")
    if draft.needs("published_at"):
        draft.fill("published_at", parse_url_date(doc.fetched_url), "url")
    draft.fill("modified_at", parse_date(jsonld_text(ld.get("dateModified"))), "jsonld")
    if draft.needs("modified_at"):
        draft.fill("modified_at", meta_date(doc, META_MODIFIED), "meta")

    # Author: a person, never the outlet.
    draft.fill("author", jsonld_author(ld.get("author"), site_names), "jsonld")
    if draft.needs("author"):
        draft.fill("author", person(first_meta(doc, META_AUTHOR), site_names), "meta")
    if rules.author and draft.needs("author"):
        draft.fill("author", select_author(doc, rules.author, site_names), "selector")
    if rules.byline_last_paragraph and blocks:
        byline = trailing_byline(blocks)
        if byline is not None:
            blocks.pop()
            draft.fill("author", person(byline, site_names), "heuristic")
    if not rules.author and not draft.values.get("author") and container is not None:
        draft.fill("author", select_author(doc, GENERIC_AUTHOR, site_names), "selector")

    # Section and tags
    draft.fill("section", first_part(jsonld_text(ld.get("articleSection"))), "jsonld")
    draft.fill("section", breadcrumb_section(doc.breadcrumb), "jsonld")
    draft.fill("section", first_meta(doc, META_SECTION), "meta")
    if rules.section and draft.needs("section"):
        draft.fill("section", select_text(doc, rules.section), "selector")
    draft.fill("tags", to_tags(ld.get("keywords")), "jsonld")
    for key in META_TAGS:
        if draft.needs("tags"):
            draft.fill("tags", to_tags(doc.meta_all.get(key)), "meta")
    if rules.tags and draft.needs("tags"):
        draft.fill("tags", to_tags(select_texts(doc, rules.tags)), "selector")

    # Canonical URL
    # <link rel=canonical> is head metadata like og:url, and the page's own word on it.
    draft.fill("canonical_url", absolute_url(doc.canonical, doc.fetched_url), "meta")
    if draft.needs("canonical_url"):
        og_url = absolute_url(doc.meta.get("og:url"), doc.fetched_url)
        draft.fill("canonical_url", og_url, "meta")
    if draft.needs("canonical_url"):
        draft.fill("canonical_url", absolute_url(jsonld_url(ld), doc.fetched_url), "jsonld")

    # "Nguồn: <link>" lines closing the body are citations, as in seed texts.
    draft.fill("citations", trailing_citations(blocks, doc.fetched_url), "heuristic")

    # Body text, cleaned against the title and lead.
    title = draft.values.get("title")
    lead = draft.values.get("lead")
    body = clean_body(blocks, title, lead)
    if body and not lead:
        # No sapo anywhere: the first paragraph is the lead, as on most gov portals.
        draft.fill("lead", strip_outlet(body[0]), "heuristic")
        body = body[1:]
    elif body:
        body[0] = strip_outlet(body[0]) or body[0]
    draft.fill("body", tuple(body), body_source)

    # Images: the body's figures; the share image when the body has none.
    images = body_images(doc, container, rules.exclude) if container is not None else []
    draft.fill("images", tuple(images), body_source)
    if draft.needs("images"):
        draft.fill("images", lead_images(doc), "jsonld" if jsonld_image_url(ld) else "meta")

    reject_non_article(doc, draft, container)

    lang, lang_source = language(doc, draft)
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


def reject_non_article(doc: Document, draft: Draft, container: Tag | None) -> None:
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
        density = link_density(container)
        if density > MAX_LINK_DENSITY:
            raise NotAnArticle(f"index page: {density:.0%} of the main block's text is links")
    if not marked and not v.get("published_at") and len(body) < 3:
        raise NotAnArticle("no article markers, no date and under 3 paragraphs")
