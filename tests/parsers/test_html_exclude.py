"""A site's exclude selectors are answered per container and per selector list."""

from __future__ import annotations

from parsers.content import excluded_ids
from parsers.html import read_document


def test_excluded_ids_are_per_container_and_selectors() -> None:
    page = (
        "<html><body><div id='a'><aside>x</aside><p>p</p></div>"
        "<div id='b'><nav class='r'>y</nav><aside>z</aside></div></body></html>"
    )
    doc = read_document(page, "https://news.example/a")
    a, b = doc.select("#a")[0], doc.select("#b")[0]
    # Each asked twice: body_blocks and body_images ask the same question.
    for _ in range(2):
        assert excluded_ids(doc, a, ("aside",)) == {id(a.aside)}
        assert excluded_ids(doc, b, ("aside",)) == {id(b.aside)}
        assert excluded_ids(doc, a, (".r",)) == set()
        assert excluded_ids(doc, b, (".r",)) == {id(b.nav)}
