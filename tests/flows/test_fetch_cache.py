"""Never twice for nothing: dedupe, revisit policy, conditional GET and 304."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime, timedelta

from flows.fetch import fetch_all, is_fresh
from parsers.records import Page
from tests.servers import LocalServer, fast_settings

HTML = b"<html><body><p>x</p></body></html>"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _page(url: str, fetched_at: datetime, last_modified: str | None = None) -> Page:
    return Page(url, url, 200, fetched_at, HTML, (), "text/html", '"v1"', last_modified)


def test_url_cited_many_ways_is_fetched_once(srv: LocalServer) -> None:
    srv.route("/a", HTML)
    cited = [srv.url("/a"), srv.url("/a#top"), srv.url("/a?utm_source=fb"), srv.url("/a")]
    results = fetch_all(cited, fast_settings())
    assert [r.url for r in results] == [srv.url("/a")]
    assert len(srv.seen("/a")) == 1


def test_results_follow_first_citation_order_across_hosts() -> None:
    with LocalServer("127.0.0.2") as a, LocalServer("127.0.0.3") as b:
        a.route("/1", HTML)
        b.route("/2", HTML)
        a.route("/3", HTML)
        urls = [b.url("/2"), a.url("/1"), b.url("/2"), a.url("/3")]
        results = fetch_all(urls, fast_settings())
        assert [r.url for r in results] == [b.url("/2"), a.url("/1"), a.url("/3")]


def test_revisit_sends_validators_and_304_returns_the_archived_page(srv: LocalServer) -> None:
    # Modified an hour ago, by the clock: a fixed date turned the page old (fresh for 30 days,
    # no request) once the calendar passed it by revisit_young_days.
    modified = email.utils.format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)
    srv.route("/a", HTML, etag='"v1"', last_modified=modified)
    (first,) = fetch_all([srv.url("/a")], fast_settings())
    assert first.outcome == "ok" and first.page is not None
    later = datetime.now(UTC) + timedelta(days=1)
    (second,) = fetch_all([srv.url("/a")], fast_settings(), {first.url: first.page}, now=later)
    assert second.outcome == "not_modified"
    assert second.page is not None and second.page.body == first.page.body
    assert second.page.body_sha256 == first.page.body_sha256
    assert second.page.fetched_at >= first.page.fetched_at  # re-stamped: checked again now
    (a,) = second.attempts
    assert (a.cache, a.status, a.outcome) == ("revalidated", 304, "not_modified")
    last = srv.seen("/a")[-1]
    assert last.headers["if-none-match"] == '"v1"'
    assert last.headers["if-modified-since"] == modified


def test_changed_page_is_fetched_again(srv: LocalServer) -> None:
    srv.route("/a", b"<html>new</html>", etag='"v2"')
    old = _page(srv.url("/a"), NOW - timedelta(days=2))
    (r,) = fetch_all([srv.url("/a")], fast_settings(), {old.url: old}, now=NOW)
    assert r.outcome == "ok" and r.page is not None and r.page.body == b"<html>new</html>"
    assert r.attempts[0].cache == "miss"


def test_fresh_archive_is_a_hit_without_request(srv: LocalServer) -> None:
    srv.route("/a", HTML)
    archived = _page(srv.url("/a"), NOW - timedelta(hours=1))
    (r,) = fetch_all([srv.url("/a") + "#x"], fast_settings(), {archived.url: archived}, now=NOW)
    assert r.outcome == "not_modified" and r.page is archived
    assert r.attempts[0].cache == "hit"
    assert srv.seen() == []


def test_archive_keys_are_canonicalised(srv: LocalServer) -> None:
    archived = _page(srv.url("/a"), NOW - timedelta(hours=1))
    (r,) = fetch_all(
        [srv.url("/a")], fast_settings(), {srv.url("/a?utm_medium=x"): archived}, now=NOW
    )
    assert r.attempts[0].cache == "hit"


def test_young_page_is_rechecked_after_revisit_young_hours() -> None:
    s = fast_settings(revisit_young_days=3, revisit_young_hours=6, revisit_old_days=30)
    lm = "Fri, 20 Nov 2026 12:00:00 GMT"  # two days old: young
    assert is_fresh(_page("u", NOW - timedelta(hours=5), lm), NOW, s)
    assert not is_fresh(_page("u", NOW - timedelta(hours=7), lm), NOW, s)


def test_old_page_is_rechecked_after_revisit_old_days() -> None:
    s = fast_settings(revisit_young_days=3, revisit_young_hours=6, revisit_old_days=30)
    lm = "Sun, 01 Feb 2026 00:00:00 GMT"
    assert is_fresh(_page("u", NOW - timedelta(days=10), lm), NOW, s)
    assert not is_fresh(_page("u", NOW - timedelta(days=31), lm), NOW, s)


def test_page_without_last_modified_counts_as_young() -> None:
    s = fast_settings(revisit_young_hours=6)
    assert is_fresh(_page("u", NOW - timedelta(hours=1)), NOW, s)
    assert not is_fresh(_page("u", NOW - timedelta(days=5)), NOW, s)


def test_naive_fetched_at_is_taken_as_utc() -> None:
    naive = (NOW - timedelta(hours=1)).replace(tzinfo=None)
    assert is_fresh(_page("u", naive), NOW, fast_settings())
