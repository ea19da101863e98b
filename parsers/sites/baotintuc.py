"""Báo Tin tức (TTXVN): detail-title / sapo / contents layout, "(TTXVN)" in datelines."""

from __future__ import annotations

from parsers.cascade import extract_article
from parsers.document import Document, SiteRules
from parsers.records import Article

TITLE = ("h1.detail-title", "h1.title")
LEAD = ("h2.sapo", ".sapo", ".detail-sapo")
BODY = ("div.contents", "div.boxdetail .contents", "div.detail-content")
AUTHOR = (".tacgia", ".author", ".source-author")
PUBLISHED = (".date", ".time", ".detail-date")
SECTION = (".breadcrumb a", ".cate a")
TAGS = (".keyword a", ".tags a")
EXCLUDE = (".tinlienquan", ".box-related", ".share", ".keyword")

RULES = SiteRules(
    name="baotintuc",
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
    """An Article from a baotintuc page."""
    return extract_article(doc, RULES)
