"""Recorded pages against their goldens: exact metadata, must/must-not body snippets.

Goldens are written by hand and never re-recorded by a test run.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from parsers.html import parse_html
from parsers.records import Article

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "html"
GOLDENS = sorted(FIXTURES.glob("*/*.golden.json"))


@cache
def _load(golden: Path) -> tuple[Article, dict[str, Any]]:
    """Parse the page beside a golden and return both."""
    expected = json.loads(golden.read_text(encoding="utf-8"))
    page = golden.with_name(golden.name.replace(".golden.json", ".html"))
    return parse_html(page.read_bytes(), expected["url"], expected.get("content_type")), expected


@pytest.mark.parametrize("golden", GOLDENS, ids=[f"{g.parent.name}/{g.stem}" for g in GOLDENS])
def test_page_matches_golden(golden: Path) -> None:
    article, expected = _load(golden)
    assert article.title == expected["title"]
    assert article.extractor == expected["extractor"]
    assert article.lang == expected["lang"]
    assert article.author == expected["author"]
    assert article.origin == "web"
    published = datetime.fromisoformat(expected["published_at"])
    assert article.published_at == published
    assert article.published_at is not None and article.published_at.utcoffset() is not None
    assert article.published_at.isoformat() == expected["published_at"]
    if "modified_at" in expected:
        assert article.modified_at == datetime.fromisoformat(expected["modified_at"])
    if "section" in expected:
        assert article.section == expected["section"]
    if "canonical_url" in expected:
        assert article.canonical_url == expected["canonical_url"]

    assert article.lead is not None
    assert article.lead.startswith(expected["lead_starts"])
    for prefix in expected.get("lead_not_starts", []):
        assert not article.lead.startswith(prefix)

    body = "\n".join(article.body)
    if "body_first" in expected:
        assert article.body[0] == expected["body_first"]
    if "body_last" in expected:
        assert article.body[-1] == expected["body_last"]
    for snippet in expected["body_with"]:
        assert snippet in body, f"missing from body: {snippet!r}"
    for snippet in expected["body_without"]:
        assert snippet not in body, f"must not be in body: {snippet!r}"
    assert article.title not in article.body
    assert article.lead not in article.body


@pytest.mark.parametrize("golden", GOLDENS, ids=[f"{g.parent.name}/{g.stem}" for g in GOLDENS])
def test_page_images_match_golden(golden: Path) -> None:
    article, expected = _load(golden)
    assert [i.url for i in article.images] == expected["image_urls"]
    assert [i.caption for i in article.images] == expected["image_captions"]
    assert [i.credit for i in article.images] == expected["image_credits"]
    for image in article.images:
        assert image.url and image.url.startswith("https://")
        assert "base64" not in image.url
        # Alt text ("<title> - Ảnh 1.") is never a caption.
        assert image.caption is None or "Ảnh 1" not in image.caption


@pytest.mark.parametrize("golden", GOLDENS, ids=[f"{g.parent.name}/{g.stem}" for g in GOLDENS])
def test_page_provenance_covers_filled_fields(golden: Path) -> None:
    article, _ = _load(golden)
    sources = dict(article.provenance)
    allowed = {"jsonld", "meta", "selector", "heuristic", "url"}
    assert set(sources.values()) <= allowed
    filled = [
        name
        for name in (
            "title",
            "lead",
            "body",
            "published_at",
            "modified_at",
            "author",
            "section",
            "tags",
            "canonical_url",
            "images",
            "citations",
            "lang",
        )
        if getattr(article, name)
    ]
    for name in filled:
        assert name in sources, f"no provenance for {name}"
    assert set(sources) <= set(filled)
