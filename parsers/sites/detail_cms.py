"""The "detail-*" CMS of tuoitre, baochinhphu, nld, thanhnien and mst.gov.vn."""

from __future__ import annotations

from parsers.cascade import extract_article
from parsers.document import Document, SiteRules
from parsers.records import Article

# From the recorded tuoitre and baochinhphu pages; nld and thanhnien share the CMS.
TITLE = ("h1.detail-title", "h1.article-title", "h1.detail__title", "[data-role=title]")
LEAD = ("h2.detail-sapo", ".detail-sapo", "[data-role=sapo]", ".detail__sapo")
# tuoitre has a second, empty div.detail-content: the itemprop=articleBody one comes first.
BODY = (
    'div.detail-content[itemprop="articleBody"]',
    "div.detail-content",
    "[data-role=content]",
    "div.detail__content",
    "div.detail-cmain",
)
AUTHOR = (
    ".detail-author .author-info a.name",
    ".detail-author-bot a.name",
    ".detail-author .name",
    ".author-info .name",
    ".detail-author",
    "[data-role=author]",
)
PUBLISHED = ("[data-role=publishdate]", ".detail-time", ".detail__meta time")
SECTION = (".detail-cate a", ".detail-breadcrumb li a", "[data-role=cate-name]")
TAGS = (".detail-tab a", ".detail__tags a", ".box-tag a", ".detail-tags a")
# Boxes the CMS embeds in the body: related links, "read more" bars, video players.
EXCLUDE = (
    '[type="RelatedOneNews"]',
    '[type="RelatedNewsBox"]',
    '[type="VideoStream"]',
    ".kbwscwl-relatedbox",
    ".readmore-body-box",
    ".VCSortableInPreviewMode.link-content-footer",
)

RULES = SiteRules(
    name="detail_cms",
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
    """An Article from a detail-* CMS page."""
    return extract_article(doc, RULES)
