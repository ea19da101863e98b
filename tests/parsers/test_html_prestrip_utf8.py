"""A declared-UTF-8 page is cut before decoding, with the same result as cutting its text."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest

from parsers.errors import ParseError
from parsers.html import parse_html
from parsers.prune import prestrip, prestrip_utf8

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "html"
PAGES = sorted(FIXTURES.glob("*/*.html"))
UTF8 = "text/html; charset=utf-8"

ODD = [
    b'<p>\xc3\xa0</p><SCRIPT type=\'application/LD+JSON\'>{"a": "\xe1\xba\xbf"}</SCRIPT><p>x</p>',
    b"<p>a\xe1\x80<script>x</script>\x80\x80b</p><style>\xff</style\n>\xe1",
    b"<p>a</p><!-- \xff",
    b"<svg><p>\xc3\xa9</p><svg a=1>b</svg>",
    b"<style-guide>x</style-guide><Style>p{}</sTyle ><template>t</template>",
    b"<\xc5\xbfcript>x</script><p>\xc5\xbf</p>",
    b"<p>a</p><script>never closed \xc3\xa9",
    b"<p>a<script",
    b"  \n",
    b"<script>x</script>",
    b"",
]


def _decoded(body: bytes) -> tuple[str, list[str]]:
    """prestrip_utf8's text and JSON-LD texts, checking what it says of the cut."""
    text, blobs, whole, utf8 = prestrip_utf8(body)
    assert whole == (text == body.decode("utf-8", "replace")), "whole"
    assert utf8 is None or utf8.decode("utf-8") == text, "utf8"
    assert (utf8 is None) == ("\ufffd" in text), "utf8 when valid"
    return text, blobs


@pytest.mark.parametrize("body", ODD)
def test_cutting_bytes_is_cutting_the_text(body: bytes) -> None:
    assert _decoded(body) == prestrip(body.decode("utf-8", "replace"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_recorded_pages_cut_the_same_as_bytes(page: Path) -> None:
    body = page.read_bytes()
    assert _decoded(body) == prestrip(body.decode("utf-8", "replace"))


def _outcome(body: bytes | str, content_type: str | None) -> object:
    """The article parse_html makes of a page, or the error it raises."""
    try:
        return parse_html(body, "https://news.example/a", content_type)
    except ParseError as exc:
        return (type(exc).__name__, str(exc))


@pytest.mark.parametrize(
    "body",
    [
        *ODD,
        b"<html><head><title>T\xc3\xaan</title></head><body>"
        + "".join(
            f"<p>Đoạn văn thứ {i} có đủ chữ để được tính là nội dung.</p>" for i in range(6)
        ).encode()
        + b"</body></html>",
        # Tone marks apart (NFD): the page's bytes are not its NFC text.
        unicodedata.normalize(
            "NFD",
            "<title>Tên bài</title><script>x</script>"
            + "".join(
                f"<p>Đoạn văn thứ {i} có đủ chữ để được tính là nội dung.</p>" for i in range(6)
            ),
        ).encode(),
        # A NUL among the first 4096 characters but past the first 4096 bytes.
        b"<script>x</script><p>" + "à".encode() * 3000 + b"\x00</p>",
        b"<p>x</p>" + b" " * 5000 + b"\x00<p>y</p>",
    ],
)
def test_bytes_read_like_their_decoded_text(body: bytes) -> None:
    assert _outcome(body, UTF8) == _outcome(body.decode("utf-8", "replace"), None)


# Pieces whose shuffles reach every branch of the scan: names that do not end the tag name,
# end tags with spaces, mixed case, unclosed and unterminated elements.
PIECES = [
    "<script>", "<SCRIPT type='application/ld+json'>", "</script>", "</ScRiPt >", "</script\n>",
    "<style>", "</style>", "<svg>", "</svg>", "<template>", "</template >", "<!--", "-->",
    "<scripts>", "<style-guide>", "<svg/>", "<sCrIpT\t", "</svg", "<svg", "<script", "</",
    "x", "<p>", "ld+json", ">", "<", "é", " ", "\n",
]  # fmt: skip


def test_the_byte_scan_cuts_what_the_patterns_cut() -> None:
    rnd = random.Random(29)
    for _ in range(3000):
        text = "".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, 20)))
        cut = prestrip_utf8(text.encode())
        assert (cut.text, cut.jsonld) == prestrip(text), text
