"""The "article__*" CMS of nhandan and vietnamplus."""

from __future__ import annotations

from parsers.cascade import extract_article
from parsers.document import Document, SiteRules
from parsers.records import Article

TITLE = ("h1.article__title", ".article__header h1")
LEAD = (".article__sapo", ".article__summary")
BODY = ("div.article__body", ".article__body", "div.article__content")
AUTHOR = (".article__author .name", ".article__author-name", ".article__author")
PUBLISHED = (".article__meta time", "time.time", ".article__meta .time", ".article__date")
SECTION = (".article__breadcrumb a", ".breadcrumb a")
TAGS = (".article__tag a", ".article__tags a", ".box-keyword a")
EXCLUDE = (".article__related", ".box-related", ".article__social", ".article__tag", ".ads")

RULES = SiteRules(
    name="article_cms",
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
    """An Article from an article__* CMS page."""
    return extract_article(doc, RULES)
