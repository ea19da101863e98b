"""Fallback for provincial and ministry portals (*.gov.vn), e.g. sokhcn.haiphong.gov.vn."""

from __future__ import annotations

from parsers.cascade import extract_article
from parsers.document import Document, SiteRules
from parsers.records import Article

# Portal CMSes vary by province; these are the class names they share most.
TITLE = (".title-news", ".news-title", ".tieude", "h1.title", "h1")
LEAD = (".sapo", ".news-sapo", ".summary", ".mota", ".news-summary")
BODY = (
    ".news-content",
    ".journal-content-article",
    ".content-detail",
    ".noidung",
    ".article-content",
    ".news-body",
)
AUTHOR = (".news-author", ".tacgia", ".author")
PUBLISHED = (".news-date", ".ngaydang", ".date-time", ".date", ".time")
# "Thời gian: 05/03/2026 14:30" / "Ngày đăng: …" as plain text next to the title.
DATE_LABELS = ("Thời gian", "Ngày đăng", "Ngày cập nhật", "Cập nhật", "Ngày ban hành")
SECTION = (".breadcrumb a", ".path a")
TAGS = (".tags a", ".keyword a")
EXCLUDE = (".tin-lien-quan", ".other-news", ".tinkhac", ".print-share", ".social")

RULES = SiteRules(
    name="gov_portal",
    version=1,
    title=TITLE,
    lead=LEAD,
    body=BODY,
    author=AUTHOR,
    published=PUBLISHED,
    date_labels=DATE_LABELS,
    section=SECTION,
    tags=TAGS,
    exclude=EXCLUDE,
)


def parse(doc: Document) -> Article:
    """An Article from a government portal page."""
    return extract_article(doc, RULES)
