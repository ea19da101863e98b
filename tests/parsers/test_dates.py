"""Date parsing: one test per quirk seen on Vietnamese news sites."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from parsers.dates import VN_TZ, parse_date, parse_url_date

PLUS7 = timezone(timedelta(hours=7))


def test_iso_with_offset() -> None:
    assert parse_date("2026-03-07T08:01:53+07:00") == datetime(2026, 3, 7, 8, 1, 53, tzinfo=PLUS7)


def test_iso_without_offset_is_vietnam_time() -> None:
    parsed = parse_date("2026-03-07 08:07")
    assert parsed == datetime(2026, 3, 7, 8, 7, tzinfo=PLUS7)
    assert parsed is not None and parsed.utcoffset() == timedelta(hours=7)


def test_space_before_offset() -> None:
    assert parse_date("2026-03-07T08:01:53 +07:00") == datetime(2026, 3, 7, 8, 1, 53, tzinfo=PLUS7)


def test_entity_encoded_plus_in_offset() -> None:
    # baochinhphu: article:published_time content="2026-03-01T09:51:00&#x2B;07:00"
    assert parse_date("2026-03-01T09:51:00&#x2B;07:00") == datetime(2026, 3, 1, 9, 51, tzinfo=PLUS7)


def test_offset_without_colon() -> None:
    assert parse_date("2026-03-07T08:01:53+0700") == datetime(2026, 3, 7, 8, 1, 53, tzinfo=PLUS7)


def test_utc_z_suffix_and_fraction() -> None:
    parsed = parse_date("2026-03-07T01:01:53.250Z")
    assert parsed == datetime(2026, 3, 7, 1, 1, 53, 250000, tzinfo=UTC)


def test_unpadded_day_and_month() -> None:
    assert parse_date("7/3/2026 00:05") == datetime(2026, 3, 7, 0, 5, tzinfo=PLUS7)


def test_vietnamese_weekday_prefix_and_gmt_suffix() -> None:
    # vnexpress' visible date.
    parsed = parse_date("Thứ bảy, 7/3/2026, 00:05 (GMT+7)")
    assert parsed == datetime(2026, 3, 7, 0, 5, tzinfo=PLUS7)


def test_dantri_weekday_with_dash_before_time() -> None:
    assert parse_date(" Thứ bảy, 07/03/2026 - 08:07 ") == datetime(2026, 3, 7, 8, 7, tzinfo=PLUS7)


def test_tuoitre_visible_date_with_gmt() -> None:
    assert parse_date("07/03/2026 08:01 GMT+7") == datetime(2026, 3, 7, 8, 1, tzinfo=PLUS7)


def test_time_before_date() -> None:
    assert parse_date("08:01 - 07/03/2026") == datetime(2026, 3, 7, 8, 1, tzinfo=PLUS7)


def test_gov_portal_label() -> None:
    assert parse_date("Thời gian: 05/03/2026 14:30") == datetime(2026, 3, 5, 14, 30, tzinfo=PLUS7)


def test_hour_written_with_h() -> None:
    assert parse_date("Cập nhật 14h30 ngày 05/03/2026") == datetime(
        2026, 3, 5, 14, 30, tzinfo=PLUS7
    )


def test_other_gmt_offset_is_kept() -> None:
    parsed = parse_date("07/03/2026 02:01 GMT+1")
    assert parsed is not None and parsed.utcoffset() == timedelta(hours=1)


def test_date_only() -> None:
    assert parse_date("01/03/2026") == datetime(2026, 3, 1, tzinfo=PLUS7)


def test_timestamp_in_url_as_last_resort() -> None:
    url = (
        "https://tuoitre.vn/chien-su-day-gia-hoa-nhap-khau-dip-8-3-tang-manh-20260307075519174.htm"
    )
    assert parse_url_date(url) == datetime(2026, 3, 7, 7, 55, 19, 174000, tzinfo=PLUS7)


def test_date_path_in_url() -> None:
    assert parse_url_date("https://example.vn/2026/03/07/some-story/") == datetime(
        2026, 3, 7, tzinfo=PLUS7
    )


def test_url_without_date() -> None:
    assert parse_url_date("https://vnexpress.net/cach-cac-nuoc-5047363.html") is None


def test_invalid_dates_are_none_not_errors() -> None:
    for text in ("31/02/2026", "2026-13-45T99:99", "99/99/9999", "", "không có ngày", "+07:00"):
        assert parse_date(text) is None


def test_default_timezone_is_vietnam() -> None:
    parsed = parse_date("2026-03-07")
    assert parsed is not None and parsed.tzinfo is VN_TZ


def test_hostile_input_is_bounded() -> None:
    assert parse_date("1/" * 100_000) is None
