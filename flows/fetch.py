"""Fetch cited URLs politely and safely, and never twice for nothing.

The project's only HTTP client: `requests` Sessions over one guarded connection pool per run
(flows/transport.py, the one module that calls requests). Rules, in the order a URL meets
them:

1. Canonicalise and deduplicate (parsers.urls.canonicalize_url): one fetch per URL per run.
2. Vet the URL (flows/netguard.py): http/https only, no credentials, literal IPs in any notation
   checked -> bad_url / blocked_address without any request.
3. Revisit policy against the archive (flows/revisit.py) -> cache "hit", no request.
4. robots.txt, once per origin per run, through the same guarded client (flows/robots.py);
   an origin without usable rules is allowed or refused as RFC 9309 says.
5. Conditional GET (If-None-Match / If-Modified-Since) when archived; 304 -> not_modified and
   the archived Page, re-stamped with this fetched_at (and any new validators).
6. Per attempt: wall-clock deadline (deadline_s of network time, body included, enforced by
   the run's watchdog thread that shuts the sockets, plus socket timeouts: flows/deadline.py),
   byte cap on the wire and after decompression (flows/body.py), HTML content types only
   (checked before the body), redirects followed by hand (each hop re-vetted by the guarded
   connection, robots-checked, paced: flows/redirects.py), loops and chains longer than
   max_redirects -> redirect_loop.
7. Retries with exponential backoff and jitter for transient failures only: connect, timeout,
   5xx, 429, and dns failures other than "no such name" (NXDOMAIN never heals within a run).
   Retry-After on 429/503 is honoured up to max_wait_s; beyond it the host is skipped for the
   rest of the run (flows/pacing.py).

Hosts (host[:port]) run in parallel on a bounded thread pool; one host's URLs run in order in
one worker, at least min_host_delay_s apart (end of one request to start of the next).
"""

from __future__ import annotations

import dataclasses
import http.client
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from flows import netguard
from flows.outcomes import OUTCOMES, FetchFailure
from flows.pacing import HostPacer, parse_retry_after, to_backoff, to_host_key
from flows.redirects import Client, to_mime
from flows.revisit import is_fresh, to_utc
from flows.robots import Robots, to_agent_token
from flows.settings import Settings
from flows.transport import Sessions, to_policy
from parsers.records import Page
from parsers.urls import canonicalize_url

__all__ = [
    "OUTCOMES",
    "Attempt",
    "FetchResult",
    "HostPacer",
    "fetch_all",
    "fetch_one",
    "is_fresh",
    "parse_retry_after",
    "to_agent_token",
    "to_host_key",
    "to_mime",
    "to_policy",
]


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try at one URL: a row of the warehouse table `fetches`."""

    url: str
    attempt: int
    started_at: datetime
    duration_ms: int
    outcome: str
    status: int | None
    error: str | None
    bytes: int
    cache: str
    final_url: str | None
    address: str | None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """Verdict for one canonical URL: the last attempt's outcome, the page, every attempt."""

    url: str
    outcome: str
    page: Page | None
    attempts: tuple[Attempt, ...]


def _row(
    url: str,
    n: int,
    started: datetime,
    ms: int,
    outcome: str,
    *,
    status: int | None = None,
    error: str | None = None,
    size: int = 0,
    cache: str = "miss",
    final_url: str | None = None,
    address: str | None = None,
) -> Attempt:
    """An Attempt with the usual defaults."""
    return Attempt(url, n, started, ms, outcome, status, error, size, cache, final_url, address)


def _verdict_only(url: str, outcome: str, error: str) -> FetchResult:
    """A result decided before any request to the URL itself."""
    row = _row(url, 1, datetime.now(UTC), 0, outcome, error=error)
    return FetchResult(url, outcome, None, (row,))


class _Run:
    """What one fetch_all shares across workers: settings, guard, pool, pacer, robots."""

    def __init__(self, settings: Settings, now: datetime) -> None:
        self.settings = settings
        self.policy = to_policy(settings)
        self.pacer = HostPacer(settings.min_host_delay_s)
        self.now = now
        self.client = Client(settings, self.policy, self.pacer, Sessions(settings, self.policy))
        self.robots = Robots(self.client, self.pacer)

    def close(self) -> None:
        """Stop the watchdog, close the Sessions and pooled connections."""
        self.client.close()

    def fetch_group(
        self,
        urls: Sequence[str],
        archive: Mapping[str, Page],
        on_result: Callable[[FetchResult], FetchResult | None] | None,
    ) -> list[FetchResult]:
        """One host's URLs, in order; each result handed to on_result as soon as it is final
        (what on_result returns, if anything, is kept in its place)."""
        out = []
        for u in urls:
            result = self.fetch_url(u, archive.get(u))
            if on_result is not None:
                result = on_result(result) or result
            out.append(result)
        return out

    def fetch_url(self, url: str, archive_page: Page | None) -> FetchResult:
        """Every rule for one canonical URL, retries included."""
        s = self.settings
        try:
            netguard.check_url(url, self.policy)
        except netguard.BadUrl as e:
            return _verdict_only(url, "bad_url", str(e))
        except netguard.BlockedAddress as e:
            return _verdict_only(url, "blocked_address", str(e))
        if archive_page is not None and is_fresh(archive_page, self.now, s):
            hit = _row(
                url,
                1,
                datetime.now(UTC),
                0,
                "not_modified",
                cache="hit",
                final_url=archive_page.final_url,
            )
            return FetchResult(url, "not_modified", archive_page, (hit,))
        verdict = self.robots.verdict(url)
        if verdict is not None:
            return _verdict_only(url, verdict.outcome, verdict.error)
        skipped = self.pacer.given_up(to_host_key(url))
        if skipped is not None:
            return _verdict_only(url, skipped[0], f"skipped: {skipped[1]}")
        attempts: list[Attempt] = []
        page: Page | None = None
        for n in range(1, max(1, s.max_attempts) + 1):
            attempt, page, failure = self._attempt(url, n, archive_page)
            attempts.append(attempt)
            if failure is None:
                break
            answering = to_host_key(attempt.final_url or url)
            if failure.retry_after is not None:
                if failure.retry_after > s.max_wait_s:
                    self.pacer.give_up(
                        answering,
                        failure.outcome,
                        f"host asked to wait {failure.retry_after:g}s (> max_wait_s "
                        f"{s.max_wait_s:g}s)",
                    )
                    break
                self.pacer.defer(answering, failure.retry_after)
            if not failure.transient or n >= s.max_attempts:
                break
            self.pacer.defer(answering, to_backoff(s, n))
        return FetchResult(url, attempts[-1].outcome, page, tuple(attempts))

    def _attempt(
        self, url: str, n: int, archive_page: Page | None
    ) -> tuple[Attempt, Page | None, FetchFailure | None]:
        """One attempt: an Attempt row, the page if any, the failure if any."""
        budget = self.client.budget()
        try:
            got = self.client.get(
                url, budget=budget, robots_check=self.robots.verdict, archive_page=archive_page
            )
        except FetchFailure as f:
            started = budget.started_at or datetime.now(UTC)
            row = _row(
                url,
                n,
                started,
                budget.spent_ms(),
                f.outcome,
                status=f.status,
                error=f.error,
                size=f.received,
                final_url=f.final_url,
                address=f.address,
            )
            return row, None, f
        started = budget.started_at or datetime.now(UTC)
        ms = budget.spent_ms()
        status = got.status
        if status == 304 and archive_page is not None:
            page = dataclasses.replace(
                archive_page,
                fetched_at=started,
                etag=got.header("ETag") or archive_page.etag,
                last_modified=got.header("Last-Modified") or archive_page.last_modified,
            )
            row = _row(
                url,
                n,
                started,
                ms,
                "not_modified",
                status=status,
                cache="revalidated",
                final_url=got.final_url,
                address=got.address,
            )
            return row, page, None
        if 200 <= status < 300:
            page = Page(
                url=url,
                final_url=got.final_url,
                status=status,
                fetched_at=started,
                body=got.body.data,
                headers=got.headers,
                content_type=got.header("Content-Type"),
                etag=got.header("ETag"),
                last_modified=got.header("Last-Modified"),
                body_sha256=got.body.sha256,  # hashed while read (flows/body.py)
            )
            row = _row(
                url,
                n,
                started,
                ms,
                "ok",
                status=status,
                size=len(got.body.data),
                final_url=got.final_url,
                address=got.address,
            )
            return row, page, None
        outcome = "http_5xx" if status >= 500 else "http_4xx"
        retry_after = parse_retry_after(got.header("Retry-After")) if status in (429, 503) else None
        failure = FetchFailure(
            outcome,
            f"HTTP {status} {http.client.responses.get(status, '')}".strip(),
            status=status,
            transient=status >= 500 or status == 429,
            retry_after=retry_after,
        )
        row = _row(
            url,
            n,
            started,
            ms,
            outcome,
            status=status,
            error=failure.error,
            final_url=got.final_url,
            address=got.address,
        )
        return row, None, failure


def fetch_all(
    urls: Sequence[str],
    settings: Settings,
    archive: Mapping[str, Page] | None = None,
    now: datetime | None = None,
    on_result: Callable[[FetchResult], FetchResult | None] | None = None,
) -> list[FetchResult]:
    """Fetch every distinct canonical URL once, hosts in parallel, each host politely.

    Args:
        urls: URLs as cited; canonicalised and deduplicated here.
        settings: the run's settings (timeouts, caps, pacing, retries, address policy).
        archive: canonical URL -> last archived Page, for the revisit policy and 304s.
        now: the run's clock for the revisit policy (default: now, UTC).
        on_result: called once per distinct canonical URL as soon as its result is final
            (e.g. a progress bar). It runs on the fetch worker threads, several at once, so it
            must be thread-safe and quick: that host's next request waits for it. An exception
            it raises ends the run. A result it returns replaces the one it was given (e.g. the
            same without its body, which the callback has put elsewhere).

    Returns:
        One FetchResult per distinct canonical URL, in order of first citation.
    """
    order = list(dict.fromkeys(canonicalize_url(u) for u in urls))
    if not order:
        return []
    known = {canonicalize_url(k): v for k, v in (archive or {}).items()}
    groups: dict[str, list[str]] = {}
    for u in order:
        groups.setdefault(to_host_key(u), []).append(u)
    workers = max(1, min(settings.max_workers, len(groups)))
    results: dict[str, FetchResult] = {}
    run = _Run(settings, to_utc(now) if now is not None else datetime.now(UTC))
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
            for batch in pool.map(lambda g: run.fetch_group(g, known, on_result), groups.values()):
                results.update((r.url, r) for r in batch)
    finally:
        run.close()
    return [results[u] for u in order]


def fetch_one(url: str, settings: Settings, archive_page: Page | None = None) -> FetchResult:
    """Fetch one URL under the same rules as fetch_all (robots, revisit policy, guard)."""
    archive = {canonicalize_url(url): archive_page} if archive_page is not None else None
    return fetch_all([url], settings, archive)[0]
