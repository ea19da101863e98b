"""Whatever the input, parse_html returns an Article or raises ParseError, nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers.errors import ParseError
from parsers.html import parse_html
from parsers.prune import prestrip
from parsers.records import Article

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "html"
REAL_PAGES = {
    "https://tuoitre.vn/chien-su-day-gia-hoa-nhap-khau-dip-8-3-tang-manh-20260307075519174.htm": (
        FIXTURES / "tuoitre" / "article.html"
    ).read_bytes(),
    "https://vnexpress.net/cach-cac-nuoc-doi-pho-cu-soc-nang-luong-tu-trung-dong-5047363.html": (
        FIXTURES / "vnexpress" / "article.html"
    ).read_bytes(),
}
URLS = st.sampled_from(
    [
        "https://tuoitre.vn/a-20260307075519174.htm",
        "https://vnexpress.net/a-5047363.html",
        "https://dantri.com.vn/a.htm",
        "https://sokhcn.haiphong.gov.vn/a.aspx",
        "https://news.example/a",
        "file:///tmp/page.html",
    ]
)
HTML_BITS = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<div class='detail-content'>",
        "</div>",
        "<script>",
        "</script>",
        '<script type="application/ld+json">{"@type":"NewsArticle","headline":',
        "<!--",
        "-->",
        "<h1>",
        "Tiêu đề bài báo",
        "<figure><img data-src='/a.jpg' src='data:,'><figcaption>Ảnh: X</figcaption></figure>",
        '<meta property="article:published_time" content="2026-03-07T08:01:53&#x2B;07:00">',
        "<time datetime='2026-13-99'>",
        "&#x2B;&amp;&#xFFFFFF;",
        "Nội dung bài viết khá dài để vượt ngưỡng độ dài tối thiểu của thân bài. ",
        "<svg><path d='M0'/>",
        "<table><tr><td>",
        "\x00",
        "\ufeff",
    ]
)


def _check(body: bytes | str, url: str) -> None:
    """The only allowed outcomes: an Article, or a ParseError (NotAnArticle included)."""
    try:
        article = parse_html(body, url)
    except ParseError as exc:
        assert str(exc)
        return
    assert isinstance(article, Article)
    assert all(isinstance(p, str) and p for p in article.body)
    assert article.published_at is None or article.published_at.tzinfo is not None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.binary(max_size=4096), url=URLS)
def test_arbitrary_bytes(body: bytes, url: str) -> None:
    _check(body, url)


@settings(max_examples=150, deadline=None)
@given(body=st.text(max_size=4096), url=URLS)
def test_arbitrary_text(body: str, url: str) -> None:
    _check(body, url)


@settings(max_examples=150, deadline=None)
@given(bits=st.lists(HTML_BITS, max_size=60), url=URLS)
def test_html_like_soup(bits: list[str], url: str) -> None:
    _check("".join(bits), url)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_truncated_real_pages(data: st.DataObject) -> None:
    url = data.draw(st.sampled_from(sorted(REAL_PAGES)))
    page = REAL_PAGES[url]
    cut = data.draw(st.integers(min_value=0, max_value=len(page)))
    _check(page[:cut], url)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mangled_real_pages(data: st.DataObject) -> None:
    # The smaller page: every example parses a whole document.
    url = sorted(REAL_PAGES)[1]
    page = bytearray(REAL_PAGES[url])
    for _ in range(data.draw(st.integers(min_value=1, max_value=20))):
        pos = data.draw(st.integers(min_value=0, max_value=len(page) - 1))
        page[pos : pos + data.draw(st.integers(0, 64))] = data.draw(st.binary(max_size=64))
    _check(bytes(page), url)


@pytest.mark.parametrize("depth", [300, 5000])
def test_deep_nesting(depth: int) -> None:
    inner = "<p>Một đoạn văn dài về thời sự trong nước, đủ dài để được tính là thân bài. </p>" * 5
    page = (
        "<html><head><title>Bài viết lồng sâu</title></head><body>"
        + "<div>" * depth
        + "<h1>Bài viết lồng sâu</h1>"
        + inner
        + "</div>" * depth
        + "</body></html>"
    )
    _check(page, "https://news.example/deep")
    _check(page, "https://tuoitre.vn/deep.htm")


def test_deep_inline_nesting() -> None:
    page = "<title>T</title><p>" + "<b><i>" * 3000 + "chữ" + "</i></b>" * 3000 + "</p>"
    _check(page, "https://news.example/inline")


def test_huge_page() -> None:
    # A real page padded to ~3.5 MB with extra paragraphs and a giant comment.
    url = sorted(REAL_PAGES)[0]
    page = REAL_PAGES[url].decode("utf-8")
    filler = "<p>Đoạn văn bổ sung để trang lớn hơn nhiều megabyte, không phải nội dung bài.</p>\n"
    padded = page.replace("</body>", filler * 20_000 + "<!--" + "x" * 1_000_000 + "--></body>")
    assert len(padded.encode("utf-8")) > 3_000_000
    article = parse_html(padded.encode("utf-8"), url)
    assert article.title == "Chiến sự đẩy giá hoa nhập khẩu dịp 8-3 tăng mạnh"


def test_unterminated_script_and_comment() -> None:
    for tail in ("<script>var a = '", "<!-- never closed", "<style>p{", "<svg><g>"):
        page = "<title>Tiêu đề</title><h1>Tiêu đề</h1>" + "<p>Nội dung dài.</p>" * 3 + tail * 1000
        _check(page, "https://news.example/x")


def test_many_unclosed_script_tags_are_linear() -> None:
    # A quadratic scan would take minutes here.
    _check("<script" * 200_000, "https://news.example/x")
    _check("<!--" * 200_000, "https://news.example/x")


def test_many_unclosed_svg_tags_are_linear() -> None:
    # The pre-strip scan alone: a quadratic one would not finish; the tree is not the point.
    stripped, _ = prestrip("<svg>" * 200_000 + "<p>chữ</p>")
    assert stripped.endswith("<p>chữ</p>")
    _check("<title>T</title>" + "<svg><p>chữ</p>" * 2_000, "https://news.example/x")


def test_custom_element_named_like_style_is_kept() -> None:
    body = "".join(
        f"<p>Đoạn văn {i} đủ dài để được tính là nội dung bài viết.</p>" for i in range(5)
    )
    page = f"<title>Bài</title><h1>Bài viết</h1><style-guide>{body}</style-guide>"
    article = parse_html(page, "https://news.example/x")
    assert len(article.body) >= 4
