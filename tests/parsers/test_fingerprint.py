"""Fingerprints: anchors that survive translation, MinHash, storage round trip."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import numpy as np

from parsers.anchor_pack import unpack_anchors
from parsers.fingerprint import Fingerprint, fold_ascii, to_fingerprint, to_text_anchors
from parsers.minhash import _MIX_1, _MIX_2, _PERM_A, _PERM_B, _PRIME, EMPTY_SIG, unpack_signature
from parsers.pieces import to_pieces, to_word_hashes
from parsers.records import Citation
from tests.parsers.matching_texts import article, seed_article


def _kind(anchors: list[str] | tuple[str, ...], kind: str) -> set[str]:
    return {a for a in anchors if a.startswith(kind + ":")}


def test_fold_ascii_folds_vietnamese_and_cyrillic_names() -> None:
    assert fold_ascii("Nguyễn Mạnh Hùng") == "Nguyen Manh Hung"
    assert fold_ascii("Đà Nẵng") == "Da Nang"
    assert fold_ascii("Хо Ши Мин") == "Ho Shi Min"


def test_day_ranges_agree_across_notations() -> None:
    vi = _kind(to_text_anchors("Từ ngày 26-30/9, đoàn công tác đã thăm Nga."), "dt")
    de = _kind(to_text_anchors("Vom 26. bis 30. September besuchte die Delegation Russland."), "dt")
    en = _kind(to_text_anchors("From September 26 to 30, 2023 the delegation visited."), "dt")
    assert vi == de == en == {"dt:9-26", "dt:9-30"}


def test_month_year_and_cjk_dates() -> None:
    anchors = to_text_anchors("Im Dezember 2023 und am 2023年9月26日 sowie am 26.09.2023.")
    assert {"ym:2023-12", "ym:2023-9", "dt:9-26", "yr:2023"} <= set(anchors)


def test_numbers_percentages_and_amounts_are_normalised() -> None:
    de = set(to_text_anchors("1.500 Gäste, 30 Prozent mehr, 2,5 Milliarden Dong, Quote 12,75"))
    en = set(to_text_anchors("1,500 guests, 30% more, 2.5 billion dong, rate 12.75"))
    expected = {"num:1500", "pct:30", "amt:2.5e9", "num:12.75"}
    assert expected <= de
    assert expected <= en


def test_acronyms_codes_images_and_quotes() -> None:
    anchors = set(
        to_text_anchors('Bộ TT&TT và MIC thử 5G; ảnh IMG_6694.jpg; chủ đề "Chuyển đổi số xanh".')
    )
    assert {"acr:TT&TT", "acr:MIC", "code:5g", "img:img_6694.jpg"} <= anchors
    assert "q:chuyen doi so xanh" in anchors


def test_names_fold_to_the_same_anchor_in_any_language() -> None:
    vi = _kind(to_text_anchors("Bộ trưởng Nguyễn Mạnh Hùng dẫn đầu đoàn."), "nm")
    de = _kind(to_text_anchors("Minister Nguyen Manh Hung leitete die Delegation."), "nm")
    assert {"nm:nguyen manh", "nm:manh hung"} <= vi & de


def test_name_skeletons_bridge_transliterations() -> None:
    ru = _kind(to_text_anchors("Министр Нгуен Мань Хунг посетил Москву."), "ns")
    en = _kind(to_text_anchors("Minister Nguyen Manh Hung visited Moscow."), "ns")
    assert "ns:ngn mn" in ru & en
    assert "ns:mn hng" in ru & en


def test_cited_source_url_is_not_a_content_anchor() -> None:
    url = "https://example.vn/tin/bai-goc-123456.htm"
    a = article("cites", "de", "Ein Text über 5G.", f"Quelle: {url}")
    a = replace(a, citations=(Citation(url=url),))
    fp = to_fingerprint(a)
    assert not _kind(fp.anchors, "url")
    assert fp.cites == (url,)


def test_url_slug_words_become_title_bigrams() -> None:
    a = article("slug", "de", "Text.", url="https://vietnam.vn/de/khanh-thanh-cang-lach-huyen/")
    fp = to_fingerprint(a)
    assert "tb:cang lach" in fp.anchors


def test_minhash_is_deterministic_and_equal_for_equal_text() -> None:
    one = to_fingerprint(seed_article("000"))
    two = to_fingerprint(seed_article("000"))
    assert one.minhash == two.minhash
    assert len(set(unpack_signature(one.minhash))) > 1


def test_minhash_bytes_are_the_permutation_minima_of_the_article() -> None:
    # Computed apart from parsers.minhash: numpy's own remainder over all shingles at once.
    fp = to_fingerprint(seed_article("000"))
    hashes = to_word_hashes(to_pieces(seed_article("000").text))
    shingles = ((hashes[:-2] * _MIX_1) ^ (hashes[1:-1] * _MIX_2) ^ hashes[2:]) & np.uint64(
        2**32 - 1
    )
    minima = ((_PERM_A[:, None] * shingles[None, :] + _PERM_B[:, None]) % _PRIME).min(axis=1)
    assert len(shingles) > 100
    assert fp.minhash == minima.astype("<u8").tobytes()
    assert fp.to_row()["minhash"] == [int(v) for v in minima]


def test_row_round_trip() -> None:
    a = article("row", "vi", "Ngày 5/6/2024, ông Lê Minh Khái thăm Hải Phòng.")
    a = replace(a, published_at=datetime(2024, 6, 5, 8, tzinfo=UTC))
    fp = to_fingerprint(a)
    row = fp.to_row()
    assert all(isinstance(v, (str, int, float, list, datetime, type(None))) for v in row.values())
    assert Fingerprint.from_row(row) == fp
    iso = {**row, "published_at": "2024-06-05T08:00:00+00:00"}
    assert Fingerprint.from_row(iso) == fp
    # The warehouse stores the MinHash as its 64 numbers; bytes read back as they are.
    assert row["minhash"] == unpack_signature(fp.minhash)
    assert all(type(v) is int for v in row["minhash"])  # type: ignore[attr-defined]
    assert Fingerprint.from_row({**row, "minhash": fp.minhash}) == fp
    assert Fingerprint.from_row({**row, "minhash": []}).minhash == EMPTY_SIG


def test_seed_translation_pair_shares_rare_anchors() -> None:
    de = set(to_fingerprint(seed_article("000")).anchors)
    vi = set(to_fingerprint(seed_article("001")).anchors)
    assert {"dt:9-26", "dt:9-30", "acr:PTIT", "acr:SUT", "nm:nguyen manh"} <= de & vi


def test_the_day_of_a_date_is_not_also_a_number() -> None:
    anchors = set(to_text_anchors("Am 21. September 2021 kamen 450 Gäste."))
    assert "dt:9-21" in anchors and "num:450" in anchors
    assert "num:21" not in anchors


def test_lead_dates_come_from_the_first_lines_only() -> None:
    late = " ".join(["Die Delegation sprach über Zusammenarbeit."] * 20)
    a = article(
        "lead",
        "de",
        "Am 14. März 2024 traf der Minister Kollegen.",
        late,
        "Bereits am 2. Mai 2023 gab es ein Treffen.",
    )
    fp = to_fingerprint(a)
    assert "dt:3-14" in fp.lead_dates
    assert "dt:5-2" in fp.anchors and "dt:5-2" not in fp.lead_dates


def test_lead_dates_leave_urls_out() -> None:
    a = article(
        "lead-url",
        "de",
        "Laut https://example.vn/2021-07-08/bericht traf der Minister am 14. März 2024 Kollegen.",
    )
    fp = to_fingerprint(a)
    assert "dt:3-14" in fp.lead_dates
    assert "dt:7-8" not in fp.anchors


def test_native_names_and_anchors_are_packed() -> None:
    # Every kind read fresh (dates, numbers, URLs, images, quotes, title and slug bigrams) and
    # every kind memoised (acronyms, codes, names), before and after their memos hold them.
    a = article(
        "intern",
        "de",
        "Am 26.09.2023 sagte Nguyễn Mạnh Hùng (MIC): 5G für 2,5 Milliarden, 30 Prozent mehr.",
        'Siehe https://example.vn/tin/bai-goc.htm und IMG_6694.jpg zum "Chuyển đổi số xanh".',
        url="https://vietnam.vn/de/khanh-thanh-cang-lach-huyen/",
    )
    for fp in (to_fingerprint(a), to_fingerprint(a)):
        kinds = {anchor.split(":", 1)[0] for anchor in fp.anchors}
        assert {"dt", "ym", "amt", "pct", "acr", "code", "nm", "ns", "url", "img", "q"} <= kinds
        assert "tb" in kinds
        # The anchors live packed in one bytes object (parsers.anchor_pack), not as strings.
        assert fp.anchors == unpack_anchors(fp.packed_anchors) == tuple(sorted(fp.anchors))
        assert fp.anchor_count == len(fp.anchors)
        # Native names too: one bytes object, unpacked in their sorted order.
        assert fp.native_names == unpack_anchors(fp.packed_native_names)
        assert fp.native_names == tuple(sorted(set(fp.native_names))) != ()
        assert "nguyen manh" in " ".join(fp.native_names)
        assert Fingerprint.from_row(fp.to_row()) == fp


def test_quotes_are_read_from_the_opening_quotes_as_a_full_scan_reads_them() -> None:
    from parsers.anchors import _QUOTE_RE, _quote_starts
    from parsers.date_anchors import finditer_at

    text = (
        'Er sagte „Das ist ein sehr langer Satz“ und «Une autre phrase ici» puis "court" '
        'then "a b c d e f g" « ‹ nested quote words here › » and „open only, never closed'
    )
    expected = [m.span() for m in _QUOTE_RE.finditer(text)]
    assert len(expected) >= 3
    assert [m.span() for m in finditer_at(_QUOTE_RE, text, _quote_starts(text))] == expected
