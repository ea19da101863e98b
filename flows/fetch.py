"""Fetch cited URLs politely and safely, and never twice for nothing.

The project's only `requests` user. Rules, in the order a URL meets them:

1. Canonicalise and deduplicate (parsers.urls.canonicalize_url): one fetch per URL per run.
2. Vet the URL (flows.netguard): http/https only, no credentials, literal IPs in any notation
   checked -> bad_url / blocked_address without any request.
3. Revisit policy against the archive -> cache "hit", no request. The age of a page is
   now - Last-Modified of the archived copy; without a usable Last-Modified the page counts as
   young (the cautious choice: re-checked sooner, and the check is a cheap conditional GET).
   Young pages (age < revisit_young_days) are re-checked once revisit_young_hours have passed
   since fetched_at, older ones once revisit_old_days have passed.
4. robots.txt, once per origin per run, through the same guarded session, capped at
   ROBOTS_MAX_BYTES (the rest is ignored, as RFC 9309 allows), parsed with Protego for our
   product token (the first token of settings.user_agent). When it cannot be had:
   2xx -> rules; 4xx except 429, or too many redirects -> allow all ("unavailable");
   429, 5xx, dns/connect/timeout/tls failure -> disallow all for this run ("unreachable"):
   no page of that origin is requested. Verdict: blocked_by_robots after a 429/5xx answer;
   after a network failure the failure's own outcome (dns, connect, tls, timeout), so dead
   links count as dead, not as robots rules. The cause is in `error` either way.
   blocked_address on robots.txt makes every page of that origin blocked_address.
   Crawl-delay raises the host's pacing; a Crawl-delay above max_wait_s means we skip the
   host for this run (blocked_by_robots).
5. Conditional GET (If-None-Match / If-Modified-Since) when archived; 304 -> not_modified and
   the archived Page, re-stamped with this fetched_at (and any new validators).
6. Per attempt: wall-clock deadline (deadline_s of network time, body included, enforced by a
   watchdog that shuts the socket, plus socket timeouts), byte cap on the wire and after
   decompression, HTML content types only (checked before the body), redirects followed by
   hand (each hop re-vetted by the guarded connection, robots-checked, paced), loops and
   chains longer than max_redirects -> redirect_loop.
7. Retries with exponential backoff and jitter for transient failures only: connect, timeout,
   5xx, 429, and dns failures other than "no such name" (NXDOMAIN never heals within a run).
   Retry-After on 429/503 is honoured up to max_wait_s; beyond it the host is skipped for the
   rest of the run.

Hosts (host[:port]) run in parallel on a bounded thread pool; one host's URLs run in order in
one worker, at least min_host_delay_s apart (end of one request to start of the next).
"""

from __future__ import annotations

import dataclasses
import email.utils
import http.client
import random
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3.exceptions
from protego import Protego
from requests.adapters import HTTPAdapter

from flows import netguard
from flows.settings import Settings
from parsers.records import Page
from parsers.urls import canonicalize_url

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# A catch-all at low weight: picky servers answer 406 to a strict Accept; the type is
# checked on the response anyway.
ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
ROBOTS_ACCEPT = "text/plain,*/*;q=0.5"
# Only decoders urllib3 bounds per read (bomb-safe since 2.6); no br/zstd surprises.
ACCEPT_ENCODING = "gzip, deflate"
# RFC 9309: crawlers must parse at least 500 KiB.
ROBOTS_MAX_BYTES = 512 * 1024
ROBOTS_MAX_REDIRECTS = 5
CHUNK_BYTES = 64 * 1024
# Unwanted bodies up to this size are read, so keep-alive connections survive error pages.
DRAIN_BYTES = 64 * 1024
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
NETWORK_OUTCOMES = frozenset({"dns", "connect", "tls", "timeout"})

OUTCOMES = (
    "ok",
    "not_modified",
    "dns",
    "connect",
    "tls",
    "timeout",
    "http_4xx",
    "http_5xx",
    "too_large",
    "bad_content_type",
    "redirect_loop",
    "blocked_by_robots",
    "blocked_address",
    "bad_url",
)


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


class _Failure(Exception):
    """An attempt that ended without a page, already classified."""

    def __init__(
        self,
        outcome: str,
        error: str,
        *,
        status: int | None = None,
        transient: bool = False,
        retry_after: float | None = None,
        received: int = 0,
    ) -> None:
        super().__init__(f"{outcome}: {error}")
        self.outcome = outcome
        self.error = error
        self.status = status
        self.transient = transient
        self.retry_after = retry_after
        self.received = received
        self.final_url: str | None = None
        self.address: str | None = None


# -- Session --------------------------------------------------------------------------------


class _GuardedAdapter(HTTPAdapter):
    """HTTPAdapter whose connections go only to addresses the policy allows; no proxies."""

    def __init__(self, policy: netguard.AddressPolicy, pool_size: int) -> None:
        self._policy = policy  # read by init_poolmanager, which the base __init__ calls
        super().__init__(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Swap in the guarded pool classes."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = netguard.to_pool_classes(self._policy)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        """A proxy would connect on our behalf, around the address checks: refuse."""
        raise netguard.BlockedAddress(f"proxy {proxy} refused")


def to_policy(settings: Settings) -> netguard.AddressPolicy:
    """The address policy the settings ask for."""
    return netguard.AddressPolicy.from_settings(
        settings.allow_private_addresses, settings.allowed_networks
    )


def make_session(
    settings: Settings, policy: netguard.AddressPolicy | None = None
) -> requests.Session:
    """A session that ignores proxy variables and connects only to vetted addresses."""
    session = requests.Session()
    session.trust_env = False
    session.proxies = {}
    adapter = _GuardedAdapter(policy or to_policy(settings), max(1, settings.max_workers))
    session.verify = settings.ca_bundle or True
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update(
        {"User-Agent": settings.user_agent, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING}
    )
    return session


def to_agent_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched against ('quelle' in 'quelle/0.1 …')."""
    m = re.match(r"[A-Za-z0-9_-]+", user_agent.strip())
    return m.group(0).lower() if m else "*"


def to_host_key(url: str) -> str:
    """Pacing key: host[:port] as in the canonical URL (so http and https share default ports)."""
    try:
        parts = urlsplit(url)
        return (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return ""


def _origin(url: str) -> str:
    """scheme://host[:port], the scope of one robots.txt."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[-1], "", "", ""))


# -- Pacing ---------------------------------------------------------------------------------


@dataclass
class _HostState:
    """Pacing state of one host."""

    delay: float
    turn: threading.Lock = dataclasses.field(default_factory=threading.Lock)
    next_at: float = 0.0
    last_end: float | None = None
    given_up: tuple[str, str] | None = None


class HostPacer:
    """Spaces requests to one host: min delay, raised by Crawl-delay and Retry-After."""

    def __init__(self, min_delay_s: float) -> None:
        self._min_delay = min_delay_s
        self._lock = threading.Lock()
        self._hosts: dict[str, _HostState] = {}

    def _state(self, host: str) -> _HostState:
        """State of a host, created on first use."""
        with self._lock:
            return self._hosts.setdefault(host, _HostState(self._min_delay))

    def raise_delay(self, host: str, seconds: float) -> None:
        """Space this host's requests at least `seconds` apart from now on."""
        st = self._state(host)
        with self._lock:
            st.delay = max(st.delay, seconds)
            if st.last_end is not None:
                st.next_at = max(st.next_at, st.last_end + st.delay)

    def defer(self, host: str, seconds: float) -> None:
        """No request to this host for the next `seconds`."""
        st = self._state(host)
        with self._lock:
            st.next_at = max(st.next_at, time.monotonic() + seconds)

    def give_up(self, host: str, outcome: str, reason: str) -> None:
        """No more requests to this host in this run."""
        st = self._state(host)
        with self._lock:
            st.given_up = st.given_up or (outcome, reason)

    def given_up(self, host: str) -> tuple[str, str] | None:
        """(outcome, reason) when the host is skipped for the run, else None."""
        return self._state(host).given_up

    @contextmanager
    def turn(self, host: str) -> Iterator[None]:
        """Wait for this host's turn, hold it during one request, then restart its clock."""
        st = self._state(host)
        with st.turn:
            if st.given_up is not None:
                raise _Failure(st.given_up[0], f"skipped: {st.given_up[1]}")
            while True:
                with self._lock:
                    wait = st.next_at - time.monotonic()
                if wait <= 0:
                    break
                time.sleep(wait)
            try:
                yield
            finally:
                with self._lock:
                    st.last_end = time.monotonic()
                    st.next_at = max(st.next_at, st.last_end + st.delay)


# -- Deadline -------------------------------------------------------------------------------


class _Budget:
    """Wall-clock budget of one attempt: network time of its hops, pacing sleeps excluded."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._left = seconds
        self._hop_start: float | None = None
        self.expired = False
        self.started_at: datetime | None = None  # when the first hop began

    def remaining(self) -> float:
        """Seconds left now."""
        running = time.monotonic() - self._hop_start if self._hop_start is not None else 0.0
        return self._left - running

    def spent_ms(self) -> int:
        """Network time used so far, in milliseconds."""
        return max(0, int((self.seconds - self.remaining()) * 1000))

    def out(self) -> bool:
        """True once the budget is spent."""
        return self.expired or self.remaining() <= 0

    @contextmanager
    def hop(self) -> Iterator[None]:
        """Run one request; a watchdog shuts its sockets when the budget runs out."""
        sockets: list[socket.socket] = []

        def fire() -> None:
            self.expired = True
            for s in list(sockets):
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

        if self._left <= 0:
            self.expired = True
            raise _Failure("timeout", f"deadline {self.seconds:g}s exceeded", transient=True)
        timer = threading.Timer(self._left, fire)
        timer.daemon = True
        self.started_at = self.started_at or datetime.now(UTC)
        self._hop_start = time.monotonic()
        timer.start()
        try:
            with netguard.watch_sockets(sockets.append):
                yield
        finally:
            timer.cancel()
            self._left -= time.monotonic() - self._hop_start
            self._hop_start = None


# -- One response ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Got:
    """The last response of a redirect chain."""

    final_url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    address: str | None

    def header(self, name: str) -> str | None:
        """First value of a header, any case."""
        low = name.lower()
        return next((v for k, v in self.headers if k.lower() == low), None)


def to_mime(content_type: str | None) -> str:
    """'text/html; charset=utf-8' -> 'text/html'."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After value (delta-seconds or HTTP-date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _read_body(resp: requests.Response, cap: int, budget: _Budget, truncate: bool) -> bytes:
    """Stream the decoded body under the deadline and the byte caps (wire and decoded)."""
    raw = resp.raw
    declared = resp.headers.get("Content-Length", "")
    if not truncate and declared.isdigit() and int(declared) > cap:
        raise _Failure("too_large", f"Content-Length {declared} > {cap}")
    parts: list[bytes] = []
    got = 0
    while True:
        if budget.out():
            raise _Failure(
                "timeout",
                f"deadline {budget.seconds:g}s exceeded after {got} bytes",
                transient=True,
                received=got,
            )
        chunk = raw.read1(min(CHUNK_BYTES, cap - got + 1), decode_content=True)
        if not chunk:
            if budget.out():  # the watchdog closed the socket: a short body is a timeout
                continue
            break
        got += len(chunk)
        parts.append(chunk)
        if got > cap or raw.tell() > cap:
            if truncate:
                return b"".join(parts)[:cap]
            raise _Failure(
                "too_large",
                f"body over {cap} bytes (wire {raw.tell()}, decoded {got}+)",
                received=got,
            )
    return b"".join(parts)


def _drain(resp: requests.Response, budget: _Budget) -> None:
    """Read a small unwanted body (error page, redirect) so the connection can be reused."""
    declared = resp.headers.get("Content-Length", "")
    if resp.status_code in (204, 304) or declared == "0":
        with suppress(OSError, requests.RequestException, urllib3.exceptions.HTTPError):
            resp.raw.drain_conn()  # no body: hand the connection back as it is
        return
    if not declared.isdigit() or int(declared) > DRAIN_BYTES:
        return  # unknown or large: closing the connection is cheaper
    with suppress(_Failure, OSError, requests.RequestException, urllib3.exceptions.HTTPError):
        _read_body(resp, DRAIN_BYTES, budget, truncate=True)


def _pinned_address(resp: requests.Response) -> str | None:
    """The IP the guarded connection connected to."""
    conn = getattr(resp.raw, "connection", None)
    return getattr(conn, "pinned_address", None)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """An exception and its causes, contexts and urllib3 reasons."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop(0)
        if e is None or id(e) in seen or len(seen) > 20:
            continue
        seen.add(id(e))
        yield e
        reason = getattr(e, "reason", None)
        todo.extend(
            [e.__cause__, e.__context__, reason if isinstance(reason, BaseException) else None]
        )
        todo.extend(a for a in e.args if isinstance(a, BaseException))


def _classify(exc: BaseException, budget: _Budget) -> _Failure:
    """Turn an exception from requests/urllib3/the guard into an outcome."""
    if isinstance(exc, _Failure):
        return exc
    chain = list(_chain(exc))
    for e in chain:
        if isinstance(e, netguard.BlockedAddress):
            return _Failure("blocked_address", str(e))
        if isinstance(e, netguard.BadUrl):
            return _Failure("bad_url", str(e))
        if isinstance(e, netguard.ResolutionFailed):
            return _Failure("dns", str(e), transient=e.transient)
        if isinstance(e, urllib3.exceptions.NameResolutionError):
            return _Failure("dns", str(e), transient=True)
    if budget.expired:
        return _Failure("timeout", f"deadline {budget.seconds:g}s exceeded", transient=True)
    # The innermost builtin exception says it best ("ConnectionRefusedError: [Errno 111] …").
    root = next((e for e in reversed(chain) if type(e).__module__ == "builtins"), exc)
    short = f"{type(root).__name__}: {root}"[:300]
    if any(isinstance(e, urllib3.exceptions.NewConnectionError) for e in chain) and not any(
        isinstance(e, (TimeoutError, urllib3.exceptions.ConnectTimeoutError))
        and not isinstance(e, urllib3.exceptions.NewConnectionError)
        for e in chain
    ):
        # NewConnectionError subclasses ConnectTimeoutError in urllib3 2.x: refused is not slow.
        return _Failure("connect", short, transient=True)
    if any(isinstance(e, (ssl.SSLError, urllib3.exceptions.SSLError)) for e in chain) or isinstance(
        exc, requests.exceptions.SSLError
    ):
        return _Failure("tls", short)
    if isinstance(exc, requests.exceptions.Timeout) or any(
        isinstance(e, (TimeoutError, urllib3.exceptions.TimeoutError)) for e in chain
    ):
        return _Failure("timeout", short, transient=True)
    if isinstance(exc, requests.exceptions.ContentDecodingError) or any(
        isinstance(e, urllib3.exceptions.DecodeError) for e in chain
    ):
        return _Failure("bad_content_type", f"undecodable Content-Encoding: {short}")
    if isinstance(
        exc,
        (
            requests.exceptions.InvalidURL,
            requests.exceptions.InvalidSchema,
            requests.exceptions.MissingSchema,
            urllib3.exceptions.LocationParseError,
        ),
    ):
        return _Failure("bad_url", short)
    if isinstance(
        exc,
        (
            requests.exceptions.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            urllib3.exceptions.HTTPError,
            http.client.HTTPException,
            OSError,
        ),
    ):
        return _Failure("connect", short, transient=True)
    raise exc


# -- Run context ----------------------------------------------------------------------------


@dataclass
class _Rules:
    """What robots.txt says for one origin."""

    allow_all: bool
    parser: Protego | None = None
    denied_outcome: str = "blocked_by_robots"
    reason: str = ""


class _Run:
    """What one fetch_all shares across workers: settings, guard, pacer, robots cache."""

    def __init__(self, settings: Settings, now: datetime) -> None:
        self.settings = settings
        self.policy = to_policy(settings)
        self.pacer = HostPacer(settings.min_host_delay_s)
        self.now = now
        self.agent = to_agent_token(settings.user_agent)
        self._robots: dict[str, _Rules] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    # robots.txt

    def robots_for(self, session: requests.Session, origin: str) -> _Rules:
        """Rules of an origin, fetched once per run (other workers wait for the first)."""
        with self._lock:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:
            rules = self._robots.get(origin)
            if rules is None:
                rules = self._fetch_robots(session, origin)
                self._robots[origin] = rules
            return rules

    def _fetch_robots(self, session: requests.Session, origin: str) -> _Rules:
        """Fetch and read /robots.txt with the page rules' retries; apply RFC 9309 fallbacks."""
        url = origin + "/robots.txt"
        s = self.settings
        failure: _Failure | None = None
        for n in range(1, max(1, s.max_attempts) + 1):
            try:
                got = self.get(session, url, budget=_Budget(s.deadline_s), robots=True)
            except _Failure as f:
                failure = f
                if f.outcome in ("blocked_address", "bad_url"):
                    return _Rules(False, denied_outcome=f.outcome, reason=f"robots.txt: {f.error}")
                if f.outcome == "redirect_loop":
                    return _Rules(True, reason="robots.txt redirects too often: allow all")
                if not f.transient or n >= s.max_attempts:
                    break
                self.pacer.defer(to_host_key(url), self.backoff(n))
                continue
            if 200 <= got.status < 300:
                text = got.body.decode("utf-8", errors="replace").lstrip("\ufeff")
                parser = Protego.parse(text)
                self._apply_crawl_delay(to_host_key(got.final_url), parser)
                if to_host_key(got.final_url) != to_host_key(url):
                    self._apply_crawl_delay(to_host_key(url), parser)
                return _Rules(False, parser=parser)
            if 400 <= got.status < 500 and got.status != 429:
                return _Rules(True, reason=f"robots.txt {got.status}: allow all")
            failure = _Failure(
                "http_5xx" if got.status >= 500 else "http_4xx",
                f"status {got.status}",
                status=got.status,
                transient=True,
            )
            if n >= s.max_attempts:
                break
            wait = self.backoff(n)
            retry_after = parse_retry_after(got.header("Retry-After"))
            if retry_after is not None and retry_after <= s.max_wait_s:
                wait = max(wait, retry_after)
            self.pacer.defer(to_host_key(url), wait)
        cause = failure.error if failure else "no answer"
        kind = failure.outcome if failure else "connect"
        # A network failure says the host is unreachable (link rot shows up as dns, not as a
        # robots rule); a 5xx/429 answer is the server's own word: blocked_by_robots.
        denied = kind if kind in NETWORK_OUTCOMES else "blocked_by_robots"
        return _Rules(
            False,
            denied_outcome=denied,
            reason=f"robots.txt unreachable ({kind}: {cause}): disallow all for this run",
        )

    def _apply_crawl_delay(self, host: str, parser: Protego) -> None:
        """Raise pacing to Crawl-delay, or skip the host when it asks for more than max_wait_s."""
        delay = parser.crawl_delay(self.agent)
        if delay is None:
            return
        if delay > self.settings.max_wait_s:
            self.pacer.give_up(
                host,
                "blocked_by_robots",
                f"Crawl-delay {delay:g}s exceeds max_wait_s {self.settings.max_wait_s:g}s",
            )
        else:
            self.pacer.raise_delay(host, delay)

    def robots_verdict(self, session: requests.Session, url: str) -> _Failure | None:
        """A _Failure when robots.txt (or its absence) forbids this URL, else None."""
        rules = self.robots_for(session, _origin(url))
        if rules.parser is not None:
            if rules.parser.can_fetch(url, self.agent):
                return None
            return _Failure("blocked_by_robots", f"robots.txt disallows {urlsplit(url).path}")
        if rules.allow_all:
            return None
        return _Failure(rules.denied_outcome, rules.reason)

    # retries

    def backoff(self, n: int) -> float:
        """Exponential backoff with jitter ("equal jitter": half fixed, half random)."""
        s = self.settings
        base: float = min(s.backoff_max_s, s.backoff_base_s * (2 ** (n - 1)))
        return base / 2 + random.uniform(0, base / 2)

    # one GET, redirects followed by hand

    def get(
        self,
        session: requests.Session,
        url: str,
        *,
        budget: _Budget,
        robots: bool = False,
        archive_page: Page | None = None,
    ) -> _Got:
        """GET with manual redirects; raises _Failure. Robots mode: any type, truncated body."""
        s = self.settings
        max_hops = ROBOTS_MAX_REDIRECTS if robots else s.max_redirects
        seen = {url}
        current = url
        validators: set[str] = set()
        if archive_page is not None:
            validators = {archive_page.url, archive_page.final_url, url}
        final_url: str | None = None
        address: str | None = None
        try:
            for hop in range(max_hops + 1):
                if hop and not robots:
                    verdict = self.robots_verdict(session, current)
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
                    resp = session.get(
                        current,
                        headers=headers,
                        timeout=(
                            min(s.connect_timeout_s, remaining),
                            min(s.read_timeout_s, remaining),
                        ),
                        allow_redirects=False,
                        stream=True,
                    )
                    with closing(resp):
                        address = _pinned_address(resp)
                        if budget.expired:  # the watchdog cut the headers short
                            raise _Failure(
                                "timeout",
                                f"deadline {budget.seconds:g}s exceeded in headers",
                                transient=True,
                            )
                        got = self._take(resp, current, address, budget, robots)
                if got is not None:
                    return got
                location = resp.headers.get("Location")
                if not location:
                    raise _Failure(
                        "bad_url",
                        f"{resp.status_code} redirect without Location",
                        status=resp.status_code,
                    )
                target = urljoin(current, location.strip())
                try:
                    target = urlunsplit(urlsplit(target)._replace(fragment=""))
                    netguard.check_url(target, self.policy)
                except ValueError as e:
                    raise _Failure("bad_url", f"redirect to unparsable {location!r}: {e}") from e
                except netguard.BadUrl as e:
                    raise _Failure("bad_url", f"redirect to {target}: {e}") from e
                except netguard.BlockedAddress as e:
                    raise _Failure("blocked_address", f"redirect to {target}: {e}") from e
                if target in seen:
                    raise _Failure(
                        "redirect_loop", f"redirect loop back to {target}", status=resp.status_code
                    )
                seen.add(target)
                current = target
            raise _Failure("redirect_loop", f"more than {max_hops} redirects")
        except _Failure as known:
            known.final_url = known.final_url or final_url
            known.address = known.address or address
            raise
        except Exception as exc:  # classified here, programming errors re-raised by _classify
            classified = _classify(exc, budget)
            classified.final_url = classified.final_url or final_url
            classified.address = classified.address or address
            raise classified from exc

    def _take(
        self, resp: requests.Response, url: str, address: str | None, budget: _Budget, robots: bool
    ) -> _Got | None:
        """Read a final response (body only for 2xx); None for a redirect to follow."""
        status = resp.status_code
        if status in REDIRECT_STATUSES:
            _drain(resp, budget)
            return None
        headers = tuple(resp.raw.headers.iteritems())
        body = b""
        if not 200 <= status < 300:
            _drain(resp, budget)
        else:
            if not robots:
                mime = to_mime(resp.headers.get("Content-Type"))
                if mime not in HTML_TYPES:
                    raise _Failure(
                        "bad_content_type", f"content type {mime or '(none)'!r}", status=status
                    )
            cap = ROBOTS_MAX_BYTES if robots else self.settings.max_bytes
            body = _read_body(resp, cap, budget, truncate=robots)
        return _Got(url, status, headers, body, address)

    # one URL

    def fetch_url(
        self, session: requests.Session, url: str, archive_page: Page | None
    ) -> FetchResult:
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
        verdict = self.robots_verdict(session, url)
        if verdict is not None:
            return _verdict_only(url, verdict.outcome, verdict.error)
        skipped = self.pacer.given_up(to_host_key(url))
        if skipped is not None:
            return _verdict_only(url, skipped[0], f"skipped: {skipped[1]}")
        attempts: list[Attempt] = []
        page: Page | None = None
        for n in range(1, max(1, s.max_attempts) + 1):
            attempt, page, failure = self._attempt(session, url, n, archive_page)
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
            self.pacer.defer(answering, self.backoff(n))
        return FetchResult(url, attempts[-1].outcome, page, tuple(attempts))

    def _attempt(
        self, session: requests.Session, url: str, n: int, archive_page: Page | None
    ) -> tuple[Attempt, Page | None, _Failure | None]:
        """One attempt: an Attempt row, the page if any, the failure if any."""
        budget = _Budget(self.settings.deadline_s)
        try:
            got = self.get(session, url, budget=budget, archive_page=archive_page)
        except _Failure as f:
            started = budget.started_at or datetime.now(UTC)
            ms = budget.spent_ms()
            row = _row(
                url,
                n,
                started,
                ms,
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
                body=got.body,
                headers=got.headers,
                content_type=got.header("Content-Type"),
                etag=got.header("ETag"),
                last_modified=got.header("Last-Modified"),
            )
            row = _row(
                url,
                n,
                started,
                ms,
                "ok",
                status=status,
                size=len(got.body),
                final_url=got.final_url,
                address=got.address,
            )
            return row, page, None
        outcome = "http_5xx" if status >= 500 else "http_4xx"
        retry_after = parse_retry_after(got.header("Retry-After")) if status in (429, 503) else None
        failure = _Failure(
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

    def fetch_group(self, urls: Sequence[str], archive: Mapping[str, Page]) -> list[FetchResult]:
        """One host's URLs, in order, with one session."""
        with make_session(self.settings, self.policy) as session:
            return [self.fetch_url(session, u, archive.get(u)) for u in urls]


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


def _to_utc(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def is_fresh(page: Page, now: datetime, settings: Settings) -> bool:
    """True when the archived page need not be re-checked yet (revisit policy, module doc)."""
    now = _to_utc(now)
    since_fetch = max(timedelta(0), now - _to_utc(page.fetched_at))
    age: timedelta | None = None
    if page.last_modified:
        try:
            modified = _to_utc(email.utils.parsedate_to_datetime(page.last_modified))
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


def fetch_all(
    urls: Sequence[str],
    settings: Settings,
    archive: Mapping[str, Page] | None = None,
    now: datetime | None = None,
) -> list[FetchResult]:
    """Fetch every distinct canonical URL once, hosts in parallel, each host politely.

    Args:
        urls: URLs as cited; canonicalised and deduplicated here.
        settings: the run's settings (timeouts, caps, pacing, retries, address policy).
        archive: canonical URL -> last archived Page, for the revisit policy and 304s.
        now: the run's clock for the revisit policy (default: now, UTC).

    Returns:
        One FetchResult per distinct canonical URL, in order of first citation.
    """
    run = _Run(settings, _to_utc(now) if now is not None else datetime.now(UTC))
    order = list(dict.fromkeys(canonicalize_url(u) for u in urls))
    if not order:
        return []
    known = {canonicalize_url(k): v for k, v in (archive or {}).items()}
    groups: dict[str, list[str]] = {}
    for u in order:
        groups.setdefault(to_host_key(u), []).append(u)
    workers = max(1, min(settings.max_workers, len(groups)))
    results: dict[str, FetchResult] = {}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
        for batch in pool.map(lambda g: run.fetch_group(g, known), groups.values()):
            results.update((r.url, r) for r in batch)
    return [results[u] for u in order]


def fetch_one(url: str, settings: Settings, archive_page: Page | None = None) -> FetchResult:
    """Fetch one URL under the same rules as fetch_all (robots, revisit policy, guard)."""
    archive = {canonicalize_url(url): archive_page} if archive_page is not None else None
    return fetch_all([url], settings, archive)[0]
