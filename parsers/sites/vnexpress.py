"""VnExpress (fck_detail layout): byline as the body's last, right-aligned paragraph."""

from __future__ import annotations

from parsers.cascade import extract_article
from parsers.document import Document, SiteRules
from parsers.records import Article

TITLE = ("h1.title-detail", "h1.title_news_detail", "h1.title-post")
LEAD = ("p.description", "h2.description", ".lead_detail")
BODY = ("article.fck_detail", "div.fck_detail", "article.content_detail")
# The JSON-LD author is the Organization "VnExpress"; the person signs the last paragraph.
AUTHOR = ("p.author_mail strong", "p.author strong", ".author_top .name")
PUBLISHED = ("span.date", ".header-content .date", "div.date")
SECTION = ("ul.breadcrumb li a",)
TAGS = ("div.tags a", ".tags h4 a", ".box-tag a")
EXCLUDE = (
    '[data-component-type="tin_xemthem"]',
    ".box-tinlienquanv2",
    ".box_brief_info",
    ".list-news",
    ".box_embed_video",
    ".width_common.box-tinlienquan",
)

RULES = SiteRules(
    name="vnexpress",
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
    """An Article from a VnExpress page."""
    return extract_article(doc, RULES)
