"""Date parsing for news pages: ISO stamps, Vietnamese day-first dates, URL timestamps."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo

# Vietnamese sites that give no offset mean Indochina time.
VN_TZ = timezone(timedelta(hours=7), "+07:00")

MIN_YEAR = 1990
MAX_YEAR = 2100
# Longer than any real date string; bounds the regex work on hostile input.
MAX_DATE_CHARS = 200

# "2026-03-07T08:01:53+07:00", "2026-03-07 08:07", "2026-03-07T08:01:53 +07:00" (space before
# the offset), "+0700", "Z", fractional seconds.
ISO_RE = re.compile(
    r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2}(?!\d)|[+-]\d{1,2}(?![\d:]))?",
    re.IGNORECASE,
)
# "07/03/2026", "7/3/2026", "07-03-2026", "07.03.2026": day first, as Vietnamese sites write it.
DMY_RE = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)")
# "08:01", "8:01:53", "08h01" (some provincial portals write hours with 'h').
TIME_RE = re.compile(r"(?<![\d:])(\d{1,2})(?::|h)(\d{2})(?::(\d{2}))?(?![\d:])", re.IGNORECASE)
# "GMT+7", "(GMT+7)", "UTC+07:00", "GMT +7".
GMT_RE = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)
# 17-digit CMS ids: yyyymmddHHMMSS + milliseconds, e.g. "...-20260307075519174.htm".
URL_STAMP_RE = re.compile(r"(?<!\d)(20\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})(?!\d)")
# "/2026/03/07/" in a path: a date without a time.
URL_PATH_RE = re.compile(r"/(20\d{2})/(\d{1,2})/(\d{1,2})/")


def parse_date(text: str | None, default_tz: tzinfo = VN_TZ) -> datetime | None:
    """A timezone-aware datetime from a date string of any known shape, or None.

    Args:
        text: the raw attribute or visible text; entities, weekday prefixes and
            "(GMT+7)" suffixes are allowed.
        default_tz: the zone to assume when the text names none.

    Returns:
        The datetime, or None when the text holds no valid date.
    """
    if not text:
        return None
    text = html.unescape(text[: MAX_DATE_CHARS * 2]).replace("\xa0", " ")[:MAX_DATE_CHARS]
    return _parse_iso(text, default_tz) or _parse_dmy(text, default_tz)


def parse_url_date(url: str | None, default_tz: tzinfo = VN_TZ) -> datetime | None:
    """The publication time a CMS encodes in the URL, as a last resort, or None."""
    if not url:
        return None
    path = url.split("?", 1)[0][-MAX_DATE_CHARS * 5 :]
    m = URL_STAMP_RE.search(path.rsplit("/", 1)[-1])
    if m:
        year, month, day, hour, minute, second, milli = (int(g) for g in m.groups())
        return _build(year, month, day, hour, minute, second, milli * 1000, default_tz)
    m = URL_PATH_RE.search(path)
    if m:
        return _build(int(m[1]), int(m[2]), int(m[3]), 0, 0, 0, 0, default_tz)
    return None


def _parse_iso(text: str, default_tz: tzinfo) -> datetime | None:
    """An ISO 8601-like stamp (year first) anywhere in the text."""
    m = ISO_RE.search(text)
    if not m:
        return None
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    hour, minute, second = int(m[4] or 0), int(m[5] or 0), int(m[6] or 0)
    micro = int((m[7] or "0")[:6].ljust(6, "0"))
    tz = _offset(m[8]) if m[8] else _gmt_offset(text)
    return _build(year, month, day, hour, minute, second, micro, tz or default_tz)


def _parse_dmy(text: str, default_tz: tzinfo) -> datetime | None:
    """A day-first date, the time before or after it: 'Thứ bảy, 7/3/2026, 00:05 (GMT+7)'."""
    m = DMY_RE.search(text)
    if not m:
        return None
    day, month, year = int(m[1]), int(m[2]), int(m[3])
    # The time may follow the date ("07/03/2026 08:01") or precede it ("08:01 07/03/2026").
    t = TIME_RE.search(text, m.end()) or TIME_RE.search(text[: m.start()])
    hour, minute, second = (int(t[1]), int(t[2]), int(t[3] or 0)) if t else (0, 0, 0)
    tz = _gmt_offset(text) or default_tz
    return _build(year, month, day, hour, minute, second, 0, tz)


def _offset(raw: str) -> tzinfo | None:
    """A tzinfo from 'Z', '+07:00', '+0700' or '+7'."""
    if raw.upper() == "Z":
        return UTC
    sign = -1 if raw[0] == "-" else 1
    digits = raw[1:].replace(":", "")
    if len(digits) <= 2:
        hours, minutes = int(digits), 0
    else:
        hours, minutes = int(digits[:2]), int(digits[2:4])
    return _fixed(sign, hours, minutes)


def _gmt_offset(text: str) -> tzinfo | None:
    """A tzinfo from a 'GMT+7' / 'UTC+07:00' mention in the text."""
    m = GMT_RE.search(text)
    if not m:
        return None
    return _fixed(-1 if m[1] == "-" else 1, int(m[2]), int(m[3] or 0))


def _fixed(sign: int, hours: int, minutes: int) -> tzinfo | None:
    """A fixed-offset zone, or None for an offset no place on earth uses."""
    if hours > 14 or minutes > 59:
        return None
    if hours == 7 and minutes == 0 and sign == 1:
        return VN_TZ
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _build(
    year: int,
    month: int,
    day: int,
    hour: int,
    minute: int,
    second: int,
    micro: int,
    tz: tzinfo | None,
) -> datetime | None:
    """A datetime when every part is in range, else None (never an exception)."""
    if not MIN_YEAR <= year <= MAX_YEAR or tz is None:
        return None
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    except ValueError:
        return None
