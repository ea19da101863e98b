"""Date anchors: every notation yields its anchors; blanked dates and word windows stay exact."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.date_anchors import (
    _blank_pieces,
    _read_numeric_dates,
    _tokens_after,
    _tokens_before,
    to_date_anchors,
)
from parsers.pieces import LOWER, MONTH_SPANS, to_lower, to_pieces, to_run_starts

# Each notation the reader knows, and exactly the anchors it gives.
NOTATIONS = [
    ("2023-09-26", {"dt:9-26", "ym:2023-9"}),
    ("2023/9/26", {"dt:9-26", "ym:2023-9"}),
    ("2023.09.26", {"dt:9-26", "ym:2023-9"}),
    ("26/9/2023", {"dt:9-26", "ym:2023-9"}),
    ("26/9", {"dt:9-26"}),
    ("26-30/9", {"dt:9-26", "dt:9-30"}),
    ("26 – 30/9/2023", {"dt:9-26", "dt:9-30", "ym:2023-9"}),
    ("26.09.2023", {"dt:9-26", "ym:2023-9"}),
    ("9/2023", {"ym:2023-9", "yr:2023"}),
    ("2023年9月26日", {"dt:9-26", "ym:2023-9", "yr:2023"}),
    ("2023년 9월 26일", {"dt:9-26", "ym:2023-9", "yr:2023"}),
    ("am 26. September 2023", {"dt:9-26", "ym:2023-9", "yr:2023"}),
    ("26. bis 30. September", {"dt:9-26", "dt:9-30"}),
    ("September 26 to 30, 2023", {"dt:9-26", "dt:9-30", "ym:2023-9", "yr:2023"}),
    ("le 1er janvier 2024", {"ym:2024-1", "yr:2024"}),
    ("17 septembre", {"dt:9-17"}),
    ("12 luglio 2021", {"dt:7-12", "ym:2021-7", "yr:2021"}),
    ("5 maart 2020", {"dt:3-5", "ym:2020-3", "yr:2020"}),
    ("7 augusti 2019", {"dt:8-7", "ym:2019-8", "yr:2019"}),
    ("14 März 2024", {"dt:3-14", "ym:2024-3", "yr:2024"}),
    ("Sept. 3", {"dt:9-3"}),
    ("ngày 26 tháng 9 năm 2023", {"dt:9-26", "yr:2023"}),
    ("26 сентября 2023 года", {"dt:9-26", "ym:2023-9", "yr:2023"}),
    ("1 мая", {"dt:5-1"}),
    ("з 3 по 5 березня 2021", {"dt:3-5", "ym:2021-3", "yr:2021"}),
    ("12 листопада", {"dt:11-12"}),
    ("1999 und 2101", {"yr:1999"}),
]


@pytest.mark.parametrize(("text", "anchors"), NOTATIONS, ids=[t for t, _ in NOTATIONS])
def test_each_notation_yields_its_anchors(text: str, anchors: set[str]) -> None:
    assert set(to_date_anchors(text)) == anchors
    # The same date inside running text, away from both ends.
    assert set(to_date_anchors(f"Bericht. Treffen {text} in Hanoi, sagte er.")) >= anchors


def test_month_words_are_read_after_numeric_dates_are_blanked() -> None:
    anchors = set(to_date_anchors("am 26.09.2023 und am 3. Oktober 2023"))
    assert anchors == {"dt:9-26", "ym:2023-9", "dt:10-3", "ym:2023-10", "yr:2023"}


def test_an_iso_date_inside_a_day_range_disappears_into_it() -> None:
    anchors = set(to_date_anchors("5 2023-01-02 - 7/8"))
    assert anchors == {"dt:1-2", "ym:2023-1", "dt:8-5", "dt:8-7"}


DATED = st.lists(
    st.sampled_from(
        [
            "26",
            "9",
            "2023",
            "/",
            ".",
            "-",
            " – ",
            " ",
            "  ",
            "\u00a0",
            "26/9/2023",
            "2023-09-26",
            "12.09.2023",
            "tháng",
            "September",
            "bis",
            "ngày",
            "Mai",
            "x",
            ",",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(DATED)
def test_pieces_of_the_blanked_text_come_from_the_text_pieces(text: str) -> None:
    pieces = to_pieces(text)
    starts = to_run_starts(text, wide_digits=False)
    consumed, spans = _read_numeric_dates(text, starts, lambda *_: None, [])
    parts, last = [], 0
    for start, end in spans:
        parts.append(text[last:start])
        last = end
    parts.append(text[last:])
    assert consumed == " ".join(parts)
    assert _blank_pieces(text, pieces, spans) == to_pieces(consumed)


@settings(max_examples=300, deadline=None)
@given(DATED)
def test_token_windows_are_slices_of_the_whole_token_list(text: str) -> None:
    pieces = to_pieces(text)
    tokens = re.findall(r"\d+|[^\W\d_]+", to_lower(pieces))
    i = 0
    for k, piece in enumerate(pieces):
        for start, end in piece[MONTH_SPANS]:
            i = tokens.index(piece[LOWER][start:end], i)
            assert _tokens_before(pieces, k, start)[-4:] == tokens[max(0, i - 4) : i]
            assert _tokens_after(pieces, k, end)[:5] == tokens[i + 1 : i + 6]
            i += 1


def test_thang_without_a_number_is_no_month() -> None:
    # "thắng" (won) folds to the month word "thang"; only "tháng 9" names a month.
    text = "Đội tuyển đã thắng, ngày 26 tháng 9 năm 2023 lại thắng"
    assert set(to_date_anchors(text)) == {"dt:9-26", "yr:2023"}
