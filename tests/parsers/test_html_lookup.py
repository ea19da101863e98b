"""LxmlSelect files candidates under the rarest key of a selector, and still finds the same."""

from __future__ import annotations

import pytest

from parsers.lxml_select import LxmlSelect, _lookup
from parsers.selectors import parse_selector
from parsers.tree import parse_tree


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        # dantri's author links: by the container's data-slot, not by every link's href.
        ('article[data-slot=container] a[href*="/tac-gia/"]', (0, ("attr", "data-slot"))),
        ("div a[href] span.name", (2, ("class", "name"))),
        (".detail-author .author-info a.name", (2, ("class", "name"))),
        ("[data-role] #main p", (1, ("attr", "id"))),
        ("ul.tags li a", (0, ("class", "tags"))),
        ("div *", (0, ("name", "div"))),
        ("div a", (1, ("name", "a"))),
        ("*", (0, ("*", ""))),
    ],
)
def test_lookup_starts_from_the_rarest_key(selector: str, expected: tuple[int, object]) -> None:
    assert _lookup(parse_selector(selector)[0]) == expected


def test_links_are_not_filed_when_their_container_is_rarer() -> None:
    links = "".join(f"<a href='/tin/{i}'>Tin {i}</a>" for i in range(40))
    page = (
        f"<html><body><nav>{links}</nav><article data-slot='container'>"
        "<a href='/tac-gia/an.htm'>An</a><a href='/tin/x'>x</a></article></body></html>"
    )
    root = parse_tree(page)
    assert root is not None
    select = LxmlSelect(root, ['article[data-slot=container] a[href*="/tac-gia/"]'])
    found = select.select('article[data-slot=container] a[href*="/tac-gia/"]')
    assert [el.text for el in found] == ["An"]
    assert [el.tag for el in select._position] == ["article"]
