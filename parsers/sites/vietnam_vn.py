"""vietnam.vn: a WordPress-style layout (entry-title, entry-content, posted-on)."""

from __future__ import annotations

from parsers.cascade import extract_article
from parsers.document import Document, SiteRules
from parsers.records import Article

TITLE = ("h1.entry-title", "h1.post-title", "h1.single-title")
LEAD = (".entry-summary", ".post-excerpt", ".sapo")
BODY = ("div.entry-content", "div.post-content", "article .content")
AUTHOR = (".author.vcard a", ".entry-author a", ".byline .author")
PUBLISHED = ("time.entry-date", ".posted-on time", ".post-date")
SECTION = (".cat-links a", ".entry-category a")
TAGS = (".tags-links a", ".post-tags a")
EXCLUDE = (".sharedaddy", ".jp-relatedposts", ".related-posts", ".post-tags", ".entry-footer")

RULES = SiteRules(
    name="vietnam_vn",
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
    """An Article from a vietnam.vn page."""
    return extract_article(doc, RULES)
