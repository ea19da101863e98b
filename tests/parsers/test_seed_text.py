"""The seed parser on the five real seeds and on written variations."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.errors import ParseError
from parsers.seed_text import (
    CITATION,
    CREDIT,
    IMAGE_ALT,
    IMAGE_FILE,
    _citation,
    _clean,
    _find_credit,
    _is_image_file,
    _is_image_line,
    parse_seed_bytes,
    parse_seed_text,
)
from tests.conftest import SEEDS


def _seed(prefix: str):
    """Parse the seed whose file name starts with prefix."""
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return parse_seed_bytes(path.read_bytes(), path.name)


def test_german_seed_without_title_has_images_with_captions_and_credits() -> None:
    a = _seed("000")
    assert a.lang == "de"
    assert a.title is None
    assert [i.file_name for i in a.images] == [f"IMG_{n}.jpg" for n in range(6694, 6699)]
    assert all(i.credit == "PV" for i in a.images)
    assert a.images[0].caption.startswith("Informations- und Kommunikationsminister")
    assert "Foto: PV" not in a.images[0].caption
    assert len(a.body) == 8
    assert a.body[0].startswith("Vom 26. bis 30. September")
    assert not any(".jpg" in p or "Foto: PV" in p for p in a.body)


def test_vietnamese_seed_has_title_and_end_marker_removed() -> None:
    a = _seed("001")
    assert a.lang == "vi"
    assert a.title == "Việt Nam và Liên bang Nga tăng cường khai thác tiềm năng hợp tác TT&TT"
    assert a.body[0].startswith("Từ ngày 26-30/9")
    assert len(a.body) == 11
    assert not a.body[-1].endswith("./.")
    assert a.images == ()


def test_keyword_alt_line_is_an_image_and_byline_is_author() -> None:
    a = _seed("002")
    assert a.author == "PV"
    assert [i.file_name for i in a.images] == ["Nguyen Manh Hung 1.jpg", None]
    assert a.images[1].caption == (
        "Minister Nguyen Manh Hung und Minister Kim Trang Long machten ein Erinnerungsfoto."
    )
    assert not any(p.endswith(",") for p in a.body)
    assert "PV" not in a.body


def test_quelle_line_is_a_citation_and_comment_counter_is_dropped() -> None:
    a = _seed("003")
    assert [c.url for c in a.citations] == [
        "https://baotintuc.vn/thoi-su/viet-nam-lao-mo-rong-hop-tac-cong-nghe-du-lieu-va-"
        "chuyen-doi-so-20251125140706756.htm"
    ]
    assert a.citations[0].kind == "source"
    assert not any("Quelle" in p or "Kommentar" in p for p in a.body)
    assert a.lang == "de"


def test_leading_caption_and_herr_byline() -> None:
    a = _seed("004")
    assert a.author == "Herr Tuan"
    assert a.images[0].caption == "Arbeitsszene."
    assert a.body[0].startswith("Bei dem Treffen gab Pham Thi Sen Quynh")
    assert a.citations[0].url.startswith("https://sokhcn.haiphong.gov.vn/")
    assert "Herr Tuan" not in a.body


def test_outlet_date_and_breadcrumb_lines_are_header_not_body() -> None:
    text = (
        "Báo Tin Tức•25/11/2025 14:07\n"
        "Startseite > Politik > Außenpolitik\n"
        "Vietnam und Laos bauen Zusammenarbeit aus\n"
        "Der Vizepremierminister empfing am Montag die Delegation aus Laos.\n"
        "Bình luận (0)\n"
    )
    a = parse_seed_text(text, "x.txt")
    assert a.title == "Vietnam und Laos bauen Zusammenarbeit aus"
    assert a.published_at is not None and a.published_at.isoformat() == "2025-11-25T14:07:00+07:00"
    assert a.section == "Báo Tin Tức"
    assert a.body == ("Der Vizepremierminister empfing am Montag die Delegation aus Laos.",)


def test_credit_in_parentheses_is_not_a_citation() -> None:
    text = (
        "Der Minister sprach mit den Delegierten über die digitale Wirtschaft des Landes.\n"
        "anh-1.jpg\n"
        "Der Minister bei der Sitzung. (Quelle: VNA)\n"
        "Die Delegationen einigten sich auf ein gemeinsames Programm für das kommende Jahr.\n"
        "Source: https://example.vn/a-1.htm?utm_source=x#top\n"
        "Comment (0)\n"
    )
    a = parse_seed_text(text, "x.txt")
    assert a.images[0].credit == "VNA"
    assert a.images[0].caption == "Der Minister bei der Sitzung."
    assert [c.url for c in a.citations] == ["https://example.vn/a-1.htm"]
    assert len(a.body) == 2


def test_alt_text_line_with_anh_number_is_an_image_not_body() -> None:
    text = (
        "Bộ trưởng làm việc với đối tác tại Hà Nội trong chuyến công tác.\n"
        "Bộ trưởng làm việc với đối tác - Ảnh 1.\n"
        "Bộ trưởng phát biểu tại buổi làm việc. Ảnh: VGP\n"
        "Hai bên thống nhất tăng cường hợp tác trong lĩnh vực chuyển đổi số.\n"
        "Nguồn: https://baochinhphu.vn/a-102.htm\n"
    )
    a = parse_seed_text(text, "v.txt")
    assert a.lang == "vi"
    assert a.images[0].caption == "Bộ trưởng phát biểu tại buổi làm việc."
    assert a.images[0].credit == "VGP"
    assert len(a.body) == 2
    assert a.citations[0].url == "https://baochinhphu.vn/a-102.htm"


def test_nfd_text_is_normalised_to_nfc() -> None:
    import unicodedata

    text = unicodedata.normalize("NFD", "Bộ trưởng Nguyễn Mạnh Hùng làm việc với các đối tác.\n")
    a = parse_seed_text(text, "n.txt")
    assert a.body[0] == unicodedata.normalize("NFC", a.body[0])
    assert "Nguyễn" in a.body[0]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("Grüße aus Hà Nội".encode("cp1258", errors="replace") + b"\xff\xfe\xa0", "not UTF-8"),
    ],
)
def test_unusable_bytes_raise_parse_error_with_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        parse_seed_bytes(data, "bad.txt")


def test_seed_ids_follow_the_path_not_the_content(tmp_path: Path) -> None:
    a = parse_seed_text("Ein Satz über das Treffen der Minister in Hanoi.\n", "a/one.txt")
    b = parse_seed_text("Ein anderer Satz über das Treffen der Minister.\n", "a/one.txt")
    assert a.article_id == b.article_id
    assert a.content_sha256 != b.content_sha256


# Line fragments where the shortcuts in front of the line patterns could go wrong.
LINE_BITS = st.lists(
    st.sampled_from(
        [
            "Foto",
            "Fotos",
            "ảnh",
            "PHOTO",
            "Quelle",
            "Credit",
            ":",
            " : ",
            "(",
            ")",
            " ",
            "\t",
            "\u00a0",
            "Reuters",
            "TTXVN",
            "Der Minister",
            ".",
            " - ",
            " – ",
            "Ảnh 1",
            "1",
            "IMG_1.jpg",
            ".JPEG",
            "x.webp",
            ",",
            "https://a.vn/b",
            "./.",
            "Bình luận (3)",
        ]
    ),
    max_size=12,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(LINE_BITS)
def test_credit_search_from_the_last_colon_finds_what_a_full_search_finds(line: str) -> None:
    m = CREDIT.search(line)
    assert _find_credit(line) == ((m.start(), m[1]) if m else None)


@settings(max_examples=200, deadline=None)
@given(LINE_BITS)
def test_line_shortcuts_agree_with_the_line_patterns(line: str) -> None:
    assert _clean(line) == " ".join(line.split())
    clean = _clean(line)
    assert _is_image_file(clean) == bool(IMAGE_FILE.match(clean))
    expected = bool(IMAGE_FILE.match(clean) or IMAGE_ALT.match(clean)) or clean.endswith(",")
    assert _is_image_line(clean) == expected
    found, expected_match = _citation(clean), CITATION.match(clean)
    assert (found and found[1]) == (expected_match and expected_match[1])
