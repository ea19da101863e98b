"""Page decoding: BOM, then HTTP charset, then <meta>, then detection; always NFC."""

from __future__ import annotations

import codecs
import unicodedata

from parsers.decode import decode_html

VIETNAMESE = "Chính phủ ban hành Nghị định mới về đường bộ, có hiệu lực từ tháng 3/2026."
TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _to_cp1258(text: str) -> bytes:
    """windows-1258 bytes: precomposed letters where the code page has them, else base + tone."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        tone = "".join(c for c in parts if c in TONE_MARKS)
        out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


def test_utf8_bom_wins_over_header() -> None:
    body = codecs.BOM_UTF8 + f"<p>{VIETNAMESE}</p>".encode()
    assert decode_html(body, "text/html; charset=windows-1252") == f"<p>{VIETNAMESE}</p>"


def test_utf16_bom() -> None:
    body = codecs.BOM_UTF16_LE + f"<p>{VIETNAMESE}</p>".encode("utf-16-le")
    assert decode_html(body, None) == f"<p>{VIETNAMESE}</p>"


def test_header_charset_wins_over_meta() -> None:
    page = f'<meta charset="utf-8"><p>{VIETNAMESE}</p>'
    body = _to_cp1258(page)
    assert decode_html(body, 'text/html; charset="windows-1258"') == page


def test_meta_charset() -> None:
    page = f'<html><head><meta charset="windows-1258"></head><body>{VIETNAMESE}</body></html>'
    assert decode_html(_to_cp1258(page), "text/html") == page


def test_meta_http_equiv_charset() -> None:
    page = (
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'
        f"<p>{VIETNAMESE}</p>"
    )
    assert decode_html(_to_cp1258(page), None) == page


def test_undeclared_utf8_vietnamese() -> None:
    page = f"<p>{VIETNAMESE}</p>"
    assert decode_html(page.encode("utf-8"), None) == page


def test_latin1_label_on_utf8_bytes_is_utf8() -> None:
    # A common server default: the header says ISO-8859-1, the bytes are UTF-8.
    page = f"<p>{VIETNAMESE}</p>"
    assert decode_html(page.encode("utf-8"), "text/html; charset=ISO-8859-1") == page


def test_windows_1258_round_trip_is_nfc() -> None:
    page = f'<meta charset="windows-1258"><p>{VIETNAMESE} Tiếng Việt có dấu.</p>'
    raw = _to_cp1258(page)
    assert raw != page.encode("utf-8")
    decoded = decode_html(raw, None)
    assert decoded == page
    assert unicodedata.is_normalized("NFC", decoded)


def test_nfd_input_becomes_nfc() -> None:
    page = unicodedata.normalize("NFD", f"<p>{VIETNAMESE}</p>")
    decoded = decode_html(page.encode("utf-8"), "text/html; charset=utf-8")
    assert decoded == unicodedata.normalize("NFC", page)
    assert unicodedata.is_normalized("NFC", decoded)


def test_unknown_charset_label_falls_through() -> None:
    page = f"<p>{VIETNAMESE}</p>"
    assert decode_html(page.encode("utf-8"), "text/html; charset=x-no-such-thing") == page


def test_invalid_bytes_never_raise() -> None:
    body = b"<p>\xff\xfe\xfa broken \xc3</p>" * 10
    assert isinstance(decode_html(body, "text/html; charset=utf-8"), str)
    assert isinstance(decode_html(body, None), str)


def test_undeclared_non_utf8_is_not_guessed_latin1() -> None:
    # Undeclared windows-1258 bytes: whatever is guessed, Vietnamese must not come out as
    # Latin-1 mojibake such as "Ã".
    decoded = decode_html(_to_cp1258(f"<p>{VIETNAMESE}</p>"), None)
    assert "Ã" not in decoded
