"""One GET of one attempt, redirects followed by hand: each hop re-vetted, robots-checked,
paced, and under the attempt's deadline; loops and long chains end as redirect_loop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit, urlunsplit

from flows import netguard
from flows.body import Body, drain, read_body
from flows.deadline import Budget, Watchdog
from flows.outcomes import FetchFailure
from flows.pacing import HostPacer, to_host_key
from flows.settings import Settings
from flows.transport import ROBOTS_ACCEPT, Sessions, classify, pinned_address
from parsers.records import Page

if TYPE_CHECKING:
    import requests

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# RFC 9309: crawlers must parse at least 500 KiB.
ROBOTS_MAX_BYTES = 512 * 1024
ROBOTS_MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
NO_BODY = Body(b"", "")

RobotsCheck = Callable[[str], FetchFailure | None]


@dataclass(frozen=True, slots=True)
class Got:
    """The last response of a redirect chain."""

    final_url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: Body
    address: str | None

    def header(self, name: str) -> str | None:
        """First value of a header, any case."""
        low = name.lower()
        return next((v for k, v in self.headers if k.lower() == low), None)


def to_mime(content_type: str | None) -> str:
    """'text/html; charset=utf-8' -> 'text/html'."""
    return (content_type or "").split(";", 1)[0].strip().lower()


class Client:
    """GETs through one run's guarded Sessions, paced per host, under per-attempt budgets."""

    def __init__(
        self,
        settings: Settings,
        policy: netguard.AddressPolicy,
        pacer: HostPacer,
        sessions: Sessions,
    ) -> None:
        self.settings = settings
        self.policy = policy
        self.pacer = pacer
        self.sessions = sessions
        self.watchdog = Watchdog()

    def budget(self) -> Budget:
        """A fresh budget for one attempt."""
        return Budget(self.settings.deadline_s, self.watchdog)

    def close(self) -> None:
        """Stop the watchdog and close pooled connections (the end of a run)."""
        self.watchdog.close()
        self.sessions.close()

    def get(
        self,
        url: str,
        *,
        budget: Budget,
        robots_check: RobotsCheck | None = None,
        archive_page: Page | None = None,
    ) -> Got:
        """GET with manual redirects; raises FetchFailure.

        Without robots_check this is a robots.txt fetch: any type, truncated body, fewer hops.
        """
        s = self.settings
        robots = robots_check is None
        max_hops = ROBOTS_MAX_REDIRECTS if robots else s.max_redirects
        seen = {url}
        current = url
        validators: set[str] = set()
        if archive_page is not None:
            validators = {archive_page.url, archive_page.final_url, url}
        final_url: str | None = None
        address: str | None = None
        session = self.sessions.get()
        try:
            for hop in range(max_hops + 1):
                if hop and robots_check is not None:
                    verdict = robots_check(current)
                    if verdict is not None:
                        raise verdict
                headers: dict[str, str] = {"Accept": ROBOTS_ACCEPT} if robots else {}
                if archive_page is not None and current in validators:
                    if archive_page.etag:
                        headers["If-None-Match"] = archive_page.etag
                    if archive_page.last_modified:
                        headers["If-Modified-Since"] = archive_page.last_modified
                final_url = current
                with self.pacer.turn(to_host_key(current)), budget.hop():
                    remaining = max(0.05, budget.remaining())
                    timeout = (
                        min(s.connect_timeout_s, remaining),
                        min(s.read_timeout_s, remaining),
                    )
                    resp = session.open(current, headers, timeout)
                    # Response.close: a fully read body has released its connection already;
                    # otherwise the connection is shut (unread bytes would corrupt the next
                    # response) and the pool gets the closed one back, to reopen.
                    with resp:
                        address = pinned_address(resp)
                        if budget.expired:  # the watchdog cut the headers short
                            raise budget.timeout(" in headers")
                        got = self._take(resp, current, address, budget, robots)
                if got is not None:
                    return got
                status = resp.status_code
                current = self._next_hop(current, status, resp.headers.get("Location"))
                if current in seen:
                    raise FetchFailure(
                        "redirect_loop", f"redirect loop back to {current}", status=status
                    )
                seen.add(current)
            raise FetchFailure("redirect_loop", f"more than {max_hops} redirects")
        except FetchFailure as known:
            known.final_url = known.final_url or final_url
            known.address = known.address or address
            raise
        except Exception as exc:  # classified here, programming errors re-raised by classify
            classified = classify(exc, budget)
            classified.final_url = classified.final_url or final_url
            classified.address = classified.address or address
            raise classified from exc

    def _next_hop(self, current: str, status: int, location: str | None) -> str:
        """The vetted absolute target of a redirect."""
        if not location:
            raise FetchFailure("bad_url", f"{status} redirect without Location", status=status)
        target = urljoin(current, location.strip())
        try:
            target = urlunsplit(urlsplit(target)._replace(fragment=""))
            netguard.check_url(target, self.policy)
        except ValueError as e:
            raise FetchFailure("bad_url", f"redirect to unparsable {location!r}: {e}") from e
        except netguard.BadUrl as e:
            raise FetchFailure("bad_url", f"redirect to {target}: {e}") from e
        except netguard.BlockedAddress as e:
            raise FetchFailure("blocked_address", f"redirect to {target}: {e}") from e
        return target

    def _take(
        self,
        resp: requests.Response,
        url: str,
        address: str | None,
        budget: Budget,
        robots: bool,
    ) -> Got | None:
        """Read a final response (body only for 2xx); None for a redirect to follow."""
        status = resp.status_code
        raw = resp.raw  # the urllib3 response: bodies are read from it, in bounded chunks
        if status in REDIRECT_STATUSES:
            drain(raw, status, budget)
            return None
        # As sent: a repeated header stays repeated (requests' view joins them with ", ").
        headers = tuple(raw.headers.iteritems())
        body = NO_BODY
        if not 200 <= status < 300:
            drain(raw, status, budget)
        else:
            if not robots:
                mime = to_mime(resp.headers.get("Content-Type"))
                if mime not in HTML_TYPES:
                    raise FetchFailure(
                        "bad_content_type", f"content type {mime or '(none)'!r}", status=status
                    )
            cap = ROBOTS_MAX_BYTES if robots else self.settings.max_bytes
            body = read_body(raw, cap, budget, truncate=robots)
        return Got(url, status, headers, body, address)
