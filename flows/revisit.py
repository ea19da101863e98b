"""Revisit policy: when an archived page is fresh enough to skip, without any request.

The age of a page is now - Last-Modified of the archived copy; without a usable Last-Modified
the page counts as young (the cautious choice: re-checked sooner, and the check is a cheap
conditional GET). Young pages (age < revisit_young_days) are re-checked once
revisit_young_hours have passed since fetched_at, older ones once revisit_old_days have passed.
"""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime, timedelta

from flows.settings import Settings
from parsers.records import Page


def to_utc(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def is_fresh(page: Page, now: datetime, settings: Settings) -> bool:
    """True when the archived page need not be re-checked yet (revisit policy, module doc)."""
    now = to_utc(now)
    since_fetch = max(timedelta(0), now - to_utc(page.fetched_at))
    age: timedelta | None = None
    if page.last_modified:
        try:
            modified = to_utc(email.utils.parsedate_to_datetime(page.last_modified))
            if modified <= now:
                age = now - modified
        except (TypeError, ValueError):
            age = None
    young = age is None or age < timedelta(days=settings.revisit_young_days)
    limit = (
        timedelta(hours=settings.revisit_young_hours)
        if young
        else timedelta(days=settings.revisit_old_days)
    )
    return since_fetch < limit
