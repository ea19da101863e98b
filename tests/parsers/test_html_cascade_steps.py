"""A cascade step runs only while its field is empty: a filled field's later steps never run."""

from __future__ import annotations

import json

import pytest

from parsers.cascade import extract_article
from parsers.document import Draft, SiteRules
from parsers.html import GENERIC_RULES, read_document

PARAGRAPHS = "".join(
    f"<p>Đoạn văn thứ {i} của bài viết mẫu, có đủ chữ để được tính là nội dung chính.</p>"
    for i in range(1, 6)
)
# Syntax the selector engine refuses: a step that runs it raises ValueError.
BROKEN = ("p:first-child",)


def _page(head: str = "") -> str:
    """An article page with the given head tags."""
    return (
        f"<html lang='vi'><head><title>Bài mẫu</title>{head}</head><body>"
        f"<h1>Tiêu đề bài mẫu</h1><div class='article-body'>{PARAGRAPHS}</div></body></html>"
    )


def _ld(**fields: str) -> str:
    """A NewsArticle JSON-LD script with the given fields."""
    data = {"@type": "NewsArticle", **fields}
    return f"<script type='application/ld+json'>{json.dumps(data)}</script>"


def _rules(field: str) -> SiteRules:
    """Site rules whose selectors for one field are BROKEN."""
    return {
        "title": SiteRules(name="x", version=1, title=BROKEN),
        "lead": SiteRules(name="x", version=1, lead=BROKEN),
        "author": SiteRules(name="x", version=1, author=BROKEN),
        "section": SiteRules(name="x", version=1, section=BROKEN),
        "tags": SiteRules(name="x", version=1, tags=BROKEN),
    }[field]


def test_draft_needs_a_field_until_it_is_filled() -> None:
    draft = Draft()
    assert draft.needs("title")
    assert not draft.fill("title", "", "meta")
    assert draft.needs("title")
    assert draft.fill("title", "T", "meta")
    assert not draft.needs("title")


@pytest.mark.parametrize(
    ("field", "head"),
    [
        ("title", _ld(headline="Tiêu đề từ JSON-LD")),
        ("lead", "<meta property='og:description' content='Sapo từ thẻ meta của bài.'>"),
        ("author", _ld(headline="T", author="Nguyễn Văn An")),
        ("section", _ld(headline="T", articleSection="Kinh doanh")),
        ("tags", "<meta name='keywords' content='vàng, giá vàng'>"),
    ],
)
def test_selectors_of_a_filled_field_are_never_run(field: str, head: str) -> None:
    doc = read_document(_page(head), "https://news.example/a", None, GENERIC_RULES)
    article = extract_article(doc, _rules(field))
    assert getattr(article, field)


@pytest.mark.parametrize("field", ["title", "lead", "author", "section", "tags"])
def test_selectors_of_an_empty_field_run(field: str) -> None:
    doc = read_document(_page(), "https://news.example/a", None, GENERIC_RULES)
    with pytest.raises(ValueError, match="unsupported selector"):
        extract_article(doc, _rules(field))
