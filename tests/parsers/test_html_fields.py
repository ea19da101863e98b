"""One field quirk per test, on small pages through parse_html."""

from __future__ import annotations

import pytest

from parsers.errors import ParseError
from parsers.html import parse_html

PARAGRAPHS = "".join(
    f"<p>Đoạn văn thứ {i} của bài viết mẫu, có đủ chữ để được tính là nội dung chính.</p>"
    for i in range(1, 6)
)


def _page(head: str = "", body: str = "", lead: str = "") -> str:
    """A small article page: title, optional sapo, five paragraphs."""
    return (
        f"<html lang='vi'><head><title>Bài mẫu</title>{head}</head><body>"
        f"<h1>Tiêu đề bài mẫu</h1>{lead}<div class='article-body'>{body}{PARAGRAPHS}</div>"
        "</body></html>"
    )


@pytest.mark.parametrize(
    ("sapo", "expected"),
    [
        ("(Dân trí) - Giá vàng giảm mạnh.", "Giá vàng giảm mạnh."),
        ("(Chinhphu.vn) - Tháng 3 có nhiều chính sách mới.", "Tháng 3 có nhiều chính sách mới."),
        ("TTO - Xung đột đẩy giá hoa tăng.", "Xung đột đẩy giá hoa tăng."),
        ("NLĐO - Giá xăng tăng.", "Giá xăng tăng."),
        ("VOV.VN - Bão số 3 suy yếu.", "Bão số 3 suy yếu."),
        ("Hà Nội (TTXVN) - Sáng 7/3, hội nghị khai mạc.", "Sáng 7/3, hội nghị khai mạc."),
        ("TP HCM - Mưa lớn gây ngập.", "TP HCM - Mưa lớn gây ngập."),
    ],
)
def test_outlet_prefix_is_stripped_from_lead(sapo: str, expected: str) -> None:
    head = f'<meta property="og:description" content="{sapo}">'
    assert parse_html(_page(head=head), "https://news.example/a").lead == expected


def test_first_paragraph_becomes_lead_without_prefix() -> None:
    page = _page(body="<p>(Chinhphu.vn) - Chính phủ ban hành nghị định mới về giao thông.</p>")
    article = parse_html(page, "https://news.example/a")
    assert article.lead == "Chính phủ ban hành nghị định mới về giao thông."
    assert dict(article.provenance)["lead"] == "heuristic"


def test_jsonld_author_entities_are_decoded() -> None:
    ld = (
        '<script type="application/ld+json">{"@type":"NewsArticle","headline":"Chi&amp;#7871;n '
        's&#7921;","author":[{"@type":"Person","name":"NH&#7852;T XUÂN"}]}</script>'
    )
    article = parse_html(_page(head=ld), "https://news.example/a")
    assert article.title == "Chiến sự"
    assert article.author == "NHẬT XUÂN"


def test_outlet_is_never_the_author() -> None:
    head = (
        '<meta name="author" content="Báo Dân Trí"><meta property="og:site_name" content="Dân Trí">'
        '<script type="application/ld+json">{"@type":"NewsArticle",'
        '"author":{"@type":"Organization","name":"VnExpress"}}</script>'
    )
    assert parse_html(_page(head=head), "https://dantri.example/a").author is None


def test_empty_jsonld_author_falls_back_to_byline() -> None:
    head = (
        '<script type="application/ld+json">{"@type":"NewsArticle","author":{"name":""}}</script>'
    )
    page = _page(head=head).replace(
        "</div></body>", "<p style='text-align: right;'><strong>Minh Anh</strong></p></div></body>"
    )
    article = parse_html(page, "https://news.example/a")
    assert article.author == "Minh Anh"
    assert dict(article.provenance)["author"] == "heuristic"
    assert "Minh Anh" not in article.body


def test_entity_encoded_offset_in_meta() -> None:
    head = '<meta property="article:published_time" content="2026-03-01T09:51:00&#x2B;07:00">'
    article = parse_html(_page(head=head), "https://news.example/a")
    assert article.published_at is not None
    assert article.published_at.isoformat() == "2026-03-01T09:51:00+07:00"
    assert dict(article.provenance)["published_at"] == "meta"


def test_url_timestamp_is_the_last_resort() -> None:
    article = parse_html(_page(), "https://news.example/bai-mau-20260307075519174.htm")
    assert article.published_at is not None
    assert article.published_at.isoformat() == "2026-03-07T07:55:19.174000+07:00"
    assert dict(article.provenance)["published_at"] == "url"


def test_lazy_image_url_and_figcaption_credit() -> None:
    figure = (
        "<figure><img src='data:image/gif;base64,R0lGOD' data-src='/img/real.jpg' "
        "alt='Tiêu đề bài mẫu - Ảnh 1.'><figcaption>Người dân xếp hàng. Ảnh: TTXVN"
        "</figcaption></figure>"
    )
    article = parse_html(_page(body=figure), "https://news.example/a/b")
    assert len(article.images) == 1
    image = article.images[0]
    assert image.url == "https://news.example/img/real.jpg"
    assert image.file_name == "real.jpg"
    assert image.caption == "Người dân xếp hàng."
    assert image.credit == "TTXVN"
    assert not any("Người dân xếp hàng" in p or "Ảnh 1" in p for p in article.body)


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("Người dân xếp hàng mua vàng (Ảnh: Reuters)", ("Người dân xếp hàng mua vàng", "Reuters")),
        ("Người dân xếp hàng - Photo : AP.", ("Người dân xếp hàng", "AP")),
        ("Xếp hàng, không có nguồn ảnh", ("Xếp hàng, không có nguồn ảnh", None)),
        ("Giờ mở cửa: 8h sáng", ("Giờ mở cửa: 8h sáng", None)),
    ],
)
def test_caption_credit_split(caption: str, expected: tuple[str, str | None]) -> None:
    figure = f"<figure><img src='/a.jpg'><figcaption>{caption}</figcaption></figure>"
    image = parse_html(_page(body=figure), "https://news.example/a").images[0]
    assert (image.caption, image.credit) == expected


def test_body_selector_skips_a_container_with_only_whitespace() -> None:
    page = (
        "<html><head><title>Bài mẫu</title></head><body><h1>Tiêu đề bài mẫu</h1>"
        "<div class='detail-content'> \n <span> </span><br></div>"
        f"<div class='detail-content'>{PARAGRAPHS}</div></body></html>"
    )
    article = parse_html(page, "https://tuoitre.vn/bai-mau-20260307075519174.htm")
    assert article.body[-1].startswith("Đoạn văn thứ 5")
    assert ("body", "selector") in article.provenance


def test_alt_text_is_never_a_caption() -> None:
    figure = "<figure><img src='/a.jpg' alt='Tiêu đề bài mẫu - Ảnh 1.'></figure>"
    article = parse_html(_page(body=figure), "https://news.example/a")
    assert article.images[0].caption is None


def test_share_bar_and_related_box_are_not_body() -> None:
    widgets = (
        "<div class='share-buttons'><a>Chia sẻ</a><a>Facebook</a></div>"
        "<div class='related-news'><p>Bài liên quan: một tiêu đề khác hẳn của trang</p></div>"
        "<p>Xem thêm: <a href='/x'>Tin khác về giá vàng</a></p>"
    )
    body = "\n".join(parse_html(_page(body=widgets), "https://news.example/a").body)
    assert "Chia sẻ" not in body
    assert "Bài liên quan" not in body
    assert "Tin khác về giá vàng" not in body


def test_br_separated_paragraphs_are_split() -> None:
    text = "Dòng thứ nhất của bài viết khá dài.<br><br>Dòng thứ hai của bài viết khá dài."
    article = parse_html(_page(body=f"<p>{text}</p>"), "https://news.example/a")
    assert "Dòng thứ hai của bài viết khá dài." in article.body


def test_lang_from_html_lang_and_og_locale() -> None:
    article = parse_html(_page(), "https://news.example/a")
    assert article.lang == "vi"
    assert dict(article.provenance)["lang"] == "meta"


def test_lang_detected_when_undeclared() -> None:
    english = "".join(
        f"<p>The government said on Friday that exports rose {i} percent in the first "
        "two months of the year, and that the trade surplus was larger than expected.</p>"
        for i in range(5)
    )
    page = f"<html><head><title>Exports rise</title></head><body><h1>Exports rise</h1>{english}"
    article = parse_html(page, "https://news.example/en")
    assert article.lang == "en"
    assert dict(article.provenance)["lang"] == "heuristic"


def test_canonical_url_is_absolute_and_canonical() -> None:
    head = '<link rel="canonical" href="/a?utm_source=x&id=3#top">'
    article = parse_html(_page(head=head), "https://WWW.News.example/a?utm_medium=y")
    assert article.canonical_url == "https://www.news.example/a?id=3"
    assert article.url == "https://www.news.example/a"
    assert article.site == "news.example"


def test_non_html_content_type_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="content type"):
        parse_html(b"%PDF-1.7", "https://news.example/a.pdf", "application/pdf")


def test_header_charset_is_used() -> None:
    page = _page().encode("utf-16-le")
    article = parse_html(page, "https://news.example/a", "text/html; charset=utf-16-le")
    assert article.title == "Tiêu đề bài mẫu"


def test_source_line_becomes_a_citation() -> None:
    tail = (
        "<p>Nguồn: <a href='https://www.reuters.com/world/asia/story-2026-03-07/?utm_source=x'>"
        "Reuters</a></p>"
    )
    page = _page().replace("</div></body>", f"{tail}</div></body>")
    article = parse_html(page, "https://news.example/a")
    assert [c.url for c in article.citations] == [
        "https://www.reuters.com/world/asia/story-2026-03-07/"
    ]
    assert article.citations[0].kind == "source"
    assert not any(p.startswith("Nguồn") for p in article.body)


def test_logo_h1_is_not_the_title() -> None:
    page = (
        _page()
        .replace("<body>", "<body><h1 class='logo'><a href='/'>Tin Mới</a></h1>")
        .replace("<title>Bài mẫu</title>", "<title>Tiêu đề bài mẫu | Tin Mới</title>")
    )
    assert parse_html(page, "https://news.example/a").title == "Tiêu đề bài mẫu"


def test_body_repeats_of_title_and_paragraphs_are_dropped_whatever_their_case() -> None:
    body = (
        "<p>TIÊU ĐỀ  bài\n mẫu</p><p>Một đoạn lặp lại hai lần trong bài.</p>"
        "<p>một ĐOẠN lặp lại hai lần\u00a0trong bài.</p>"
    )
    article = parse_html(_page(body=body), "https://news.example/a")
    assert article.title == "Tiêu đề bài mẫu"
    folded = [p.casefold() for p in (article.lead or "", *article.body)]
    assert "tiêu đề bài mẫu" not in folded
    assert folded.count("một đoạn lặp lại hai lần trong bài.") == 1
