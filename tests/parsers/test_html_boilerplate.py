"""Boilerplate and caption class names are judged the same however often they are asked."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup, Tag

from parsers.content import is_boilerplate, is_boilerplate_name, is_caption


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("box related-news", True),
        ("tinlienquan", True),
        ("VCSortableInPreviewMode kbwscwl-relatedbox", True),
        ("Share_Bar", True),
        ("unrelated", False),
        ("detail-content afcbc-body", False),
        ("", False),
    ],
)
def test_boilerplate_names(name: str, expected: bool) -> None:
    for _ in range(2):  # the second answer comes from the cache
        assert is_boilerplate_name(name) is expected


@pytest.mark.parametrize(
    ("html", "boilerplate", "caption"),
    [
        ("<div class='box related-news'>", True, False),
        ("<div id='main-sidebar'>", True, False),
        ("<td class='Image'>", False, True),
        ("<p class='PhotoCMS_Caption'>", False, True),
        ("<p class='desc_image sapo'>", False, True),
        ("<p class='image-wrap'>", False, False),
        ("<div class='detail-content'>", False, False),
    ],
)
def test_tags_are_judged_by_their_class_tokens(html: str, boilerplate: bool, caption: bool) -> None:
    tag = BeautifulSoup(html, "html.parser").find(True)
    assert isinstance(tag, Tag)
    for _ in range(2):
        assert is_boilerplate(tag) is boilerplate
        assert is_caption(tag) is caption
