"""The soup built from a pruned tree gives every extraction step what the full soup gives it."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from parsers.cascade import extract_article
from parsers.content import find_main_content
from parsers.decode import decode_html, to_nfc
from parsers.document import SiteRules
from parsers.errors import ParseError
from parsers.html import GENERIC_RULES, parse_html, read_document
from parsers.lxml_select import LxmlSelect
from parsers.prune import prestrip
from parsers.reads import find_reads, main_content
from parsers.registry import SITE_RULES, find_parser
from parsers.sites import detail_cms, gov_portal
from parsers.tree import parse_tree, to_soup

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "html"
GOLDENS = sorted(FIXTURES.glob("*/*.golden.json"))
ALL_RULES = sorted({*SITE_RULES.values(), GENERIC_RULES}, key=lambda r: r.name)


def _url(golden: Path) -> str:
    """The URL a recorded page was fetched from."""
    return str(json.loads(golden.read_text(encoding="utf-8"))["url"])


SITE_GOLDENS = [g for g in GOLDENS if find_parser(urlsplit(_url(g)).hostname or "")]


def _outcome(body: bytes | str, url: str, rules: SiteRules, pruned: bool) -> object:
    """The article (or the error) the cascade makes of a page, from a pruned or full soup."""
    try:
        doc = read_document(body, url, None, rules if pruned else None)
        return extract_article(doc, rules)
    except ParseError as exc:
        return (type(exc).__name__, str(exc))


def _kept(page: str, rules: SiteRules) -> BeautifulSoup:
    """The soup of a page's pruned tree."""
    root = parse_tree(page)
    assert root is not None
    return to_soup(root, *find_reads(root, rules))


def _page(body: str, head: str = "") -> str:
    """A page with a title, the given head tags and body."""
    return f"<html lang='vi'><head><title>Bài</title>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize("rules", ALL_RULES, ids=lambda r: r.name)
@pytest.mark.parametrize("golden", GOLDENS, ids=lambda g: g.parent.name)
def test_pruned_soup_reads_like_the_full_soup(golden: Path, rules: SiteRules) -> None:
    # Every recorded page under every site's rules: the pruned parse may drop nothing read.
    url = _url(golden)
    body = golden.with_name("article.html").read_bytes()
    assert _outcome(body, url, rules, pruned=True) == _outcome(body, url, rules, pruned=False)


def test_jsonld_og_tags_and_canonical_link_survive_the_prune() -> None:
    ld = '{"@type": "NewsArticle", "headline": "Tiêu đề từ JSON-LD", "datePublished": "2026-03-07"}'
    head = (
        f'<script type="application/ld+json">{ld}</script>'
        '<meta property="og:image" content="https://a.vn/og.jpg">'
        '<meta property="og:site_name" content="Báo A">'
        '<link rel="canonical" href="https://a.vn/bai-viet">'
    )
    menu = "<nav>" + "<a href='/x'>Mục</a>" * 200 + "</nav>"
    text = "".join(f"<p>Đoạn văn {i} đủ dài để được tính là nội dung chính.</p>" for i in range(4))
    article = parse_html(_page(menu + f"<div class='post'>{text}</div>", head), "https://a.vn/x")
    assert article.title == "Tiêu đề từ JSON-LD"
    assert article.canonical_url == "https://a.vn/bai-viet"
    assert [i.url for i in article.images] == ["https://a.vn/og.jpg"]
    soup = _kept(_page(menu + text, head), GENERIC_RULES)
    assert soup.find("meta", property="og:image") is not None
    assert soup.find("link", rel="canonical") is not None


def test_menus_and_unread_head_tags_are_dropped() -> None:
    head = '<meta name="fb:app_id" content="1"><link rel="stylesheet" href="/s.css">'
    menu = "<nav class='menu'>" + "<a href='/x'>Mục</a>" * 50 + "</nav>"
    post = "<div class='post'><p>" + "Chữ " * 30 + "</p></div>"
    body = menu + "<h1>Tiêu đề</h1>" + post + "<footer>©</footer>"
    soup = _kept(_page(body, head), GENERIC_RULES)
    assert soup.find("nav") is None
    assert soup.find("footer") is None
    assert soup.find("link") is None
    assert soup.find("meta") is None
    assert soup.find("h1") is not None
    assert soup.find("div", class_="post") is not None


def test_text_on_both_sides_of_a_dropped_element_is_not_joined() -> None:
    # Joined, two short texts could make one long enough to score as main content: the
    # <span> stays as a shell. Whitespace may join: <b> and <i> go.
    inner = "<h1>T</h1>Một đoạn chữ<span>bỏ</span>đoạn chữ khác<b> </b>\n<i>z</i>  "
    soup = _kept(_page(f"<div class='x'>{inner}</div>"), GENERIC_RULES)
    div = soup.find("div", class_="x")
    assert div is not None
    assert [str(s) for s in div.strings] == ["T", "Một đoạn chữ", "bỏ", "đoạn chữ khác\n  "]
    assert [t.name for t in div.find_all(True)] == ["h1", "span"]


def test_date_label_outside_the_body_is_kept() -> None:
    sidebar = "<div class='side'><b>Thời gian:</b> 05/03/2026 14:30</div>"
    text = "".join(f"<p>Đoạn văn {i} đủ dài để được tính là nội dung chính.</p>" for i in range(3))
    page = _page(sidebar + f"<div class='noidung'>{text}</div>")
    soup = _kept(page, gov_portal.RULES)
    assert soup.find("div", class_="side") is not None
    article = parse_html(page, "https://sokhcn.haiphong.gov.vn/tin.aspx")
    assert article.published_at is not None and article.published_at.day == 5


def test_first_source_of_each_picture_is_kept() -> None:
    # _image_url reads picture.find("source") even when the <picture> wraps the body container.
    # (libxml2 does not know <source> is empty: unclosed, the second would nest in the first.)
    body = (
        "<picture><source srcset='/a.jpg'></source><source srcset='/b.jpg'></source>"
        "<div class='detail-content'><p>Chữ chữ chữ chữ chữ.</p><img src='/p.gif'></div>"
        "</picture>"
    )
    soup = _kept(_page(body), detail_cms.RULES)
    assert [s["srcset"] for s in soup.find_all("source")] == ["/a.jpg"]


def test_empty_body_candidates_before_the_container_are_kept() -> None:
    # tuoitre's empty twin div.detail-content comes first; select_container looks at it.
    body = (
        "<div class='detail-content'> </div><div class='detail-content'><p>Chữ.</p></div>"
        "<div class='detail-cmain'><p>Không đọc.</p></div>"
    )
    soup = _kept(_page(body), detail_cms.RULES)
    assert len(soup.find_all("div", class_="detail-content")) == 2
    assert soup.find("div", class_="detail-cmain") is None


@pytest.mark.parametrize("golden", GOLDENS, ids=lambda g: g.parent.name)
def test_main_content_pick_is_the_soups(golden: Path) -> None:
    text = decode_html(golden.with_name("article.html").read_bytes(), nfc=False)
    page = to_nfc(prestrip(text)[0])
    root = parse_tree(page)
    assert root is not None
    picked = main_content(root, LxmlSelect(root, ()))
    expected = find_main_content(BeautifulSoup(page, "lxml"))
    assert expected is not None and picked is not None
    assert picked.tag == expected.name
    assert _plain(dict(picked.attrib)) == _plain(expected.attrs)
    assert "".join(picked.itertext()).split() == expected.get_text().split()


def test_parser_without_known_rules_reads_the_whole_page() -> None:
    page = _page("<nav class='menu'><a href='/'>Trang chủ</a></nav>")
    doc = read_document(page, "https://a.vn/x", None, None)
    assert doc.soup.find("nav") is not None


@pytest.mark.parametrize("golden", SITE_GOLDENS, ids=lambda g: g.parent.name)
def test_site_parse_is_the_cascade_with_its_rules(golden: Path) -> None:
    # The prune trusts SITE_RULES: a listed parse() must read the page through its rules only.
    url = _url(golden)
    parser = find_parser(urlsplit(url).hostname or "")
    assert parser is not None
    doc = read_document(golden.with_name("article.html").read_bytes(), url)
    assert parser(doc) == extract_article(doc, SITE_RULES[parser])


def _plain(attrs: dict[str, object]) -> dict[str, str]:
    """Attributes with token lists and runs of whitespace spelled one way."""
    return {
        k: " ".join(v) if isinstance(v, list) else " ".join(str(v).split())
        for k, v in attrs.items()
    }


@pytest.mark.parametrize(
    ("meta", "kept"),
    [
        ('<meta property="og:title" content="T">', True),
        ('<meta name=" Description " content="D">', True),
        ('<meta itemprop="datePublished" content="2026-03-07">', True),
        ('<meta http-equiv="Content-Language" content="vi">', True),
        ('<meta content="1" name="fb:app_id" property="og:type">', True),
        ('<meta property="og:title">', False),
        ('<meta name="viewport" content="width=device-width">', False),
        ('<meta charset="utf-8">', False),
        ('<meta content="T" data-name="og:title">', False),
    ],
)
def test_head_metas_kept_are_those_read_head_records(meta: str, kept: bool) -> None:
    soup = _kept(_page("<p>x</p>", meta), GENERIC_RULES)
    assert (soup.find("meta") is not None) == kept
