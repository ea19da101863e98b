"""Dân trí, 2026 layout: data-slot attributes (title, sapo, content) instead of classes."""

from __future__ import annotations

from parsers.cascade import extract_article
from parsers.document import Document, SiteRules
from parsers.records import Article

# data-slot first (2026 layout), then the singular-* classes of the layout before it.
TITLE = ("h1[data-slot=title]", "h1.title-page", "h1.e-magazine__title")
LEAD = ("h2[data-slot=sapo]", "h2.singular-sapo", ".e-magazine__sapo")
BODY = ("div[data-slot=content]", "div.singular-content", "div.e-magazine__body")
AUTHOR = (
    'article[data-slot=container] a[href*="/tac-gia/"]',
    ".author-name a",
    ".author-name b",
)
PUBLISHED = ("article[data-slot=container] time", "time.author-time")
SECTION = ("ul.dt-breadcrumb li a", ".breadcrumbs li a")
TAGS = (".tags-wrap a", ".singular-tags a", "ul.tags-container a")
# Related articles sit in the content as <aside data-module=…> and nested <article>s.
EXCLUDE = ("aside", "article", '[data-module="related-article-in-content"]', ".article-related")

RULES = SiteRules(
    name="dantri",
    version=1,
    title=TITLE,
    lead=LEAD,
    body=BODY,
    author=AUTHOR,
    published=PUBLISHED,
    section=SECTION,
    tags=TAGS,
    exclude=EXCLUDE,
)


def parse(doc: Document) -> Article:
    """An Article from a Dân trí page."""
    return extract_article(doc, RULES)
