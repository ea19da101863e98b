"""Pages that are not articles raise NotAnArticle with a reason; unreadable input ParseError."""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers.errors import NotAnArticle, ParseError
from parsers.html import parse_html

NONARTICLE = Path(__file__).resolve().parents[1] / "fixtures" / "html" / "nonarticle"


def test_index_page_is_not_an_article() -> None:
    body = (NONARTICLE / "index.html").read_bytes()
    with pytest.raises(NotAnArticle, match=r"index page|no article"):
        parse_html(body, "https://tuoitre.vn/thoi-su.htm")


def test_index_page_is_not_an_article_on_unknown_host() -> None:
    body = (NONARTICLE / "index.html").read_bytes()
    with pytest.raises(NotAnArticle):
        parse_html(body, "https://news.example/thoi-su")


def test_error_page_is_not_an_article() -> None:
    body = (NONARTICLE / "404.html").read_bytes()
    with pytest.raises(NotAnArticle, match="error page"):
        parse_html(body, "https://dantri.com.vn/khong-co-bai-nay.htm")


@pytest.mark.parametrize("body", [b"", b"   \n\t ", ""])
def test_empty_body_is_not_an_article(body: bytes | str) -> None:
    with pytest.raises(NotAnArticle, match="empty page"):
        parse_html(body, "https://vnexpress.net/x.html")


def test_page_without_body_text_is_not_an_article() -> None:
    page = "<html><head><title>Trang chủ</title></head><body><nav><a href='/'>A</a></nav></body>"
    with pytest.raises(NotAnArticle, match="no article body"):
        parse_html(page, "https://news.example/")


def test_page_without_title_is_not_an_article() -> None:
    page = "<html><body><div>" + "<p>Một đoạn văn bản khá dài về thời sự.</p>" * 20 + "</div>"
    with pytest.raises(NotAnArticle, match="no title"):
        parse_html(page, "https://news.example/x")


def test_binary_body_is_a_parse_error() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
    with pytest.raises(ParseError, match="binary"):
        parse_html(png, "https://news.example/image.png")


def test_not_an_article_is_a_parse_error() -> None:
    # Callers that count rejects can catch one class.
    assert issubclass(NotAnArticle, ParseError)


def test_invalid_url_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="invalid url"):
        parse_html(b"<p>x</p>", "http://[::1")


def test_wrong_body_type_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_html(12345, "https://news.example/x")  # type: ignore[arg-type]
