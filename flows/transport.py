"""Where the fetcher's requests go: `requests` Sessions over one guarded connection pool per
run, and what their errors mean.

The only module that calls `requests`. Each fetch worker thread has its own Session (Sessions
are not documented thread-safe); all of a run's Sessions mount one GuardedAdapter, so they share
one urllib3 pool manager whose connection classes are netguard's (resolve once per run, vet
every address, connect to the vetted one) and one SSL context. Per Session, set once: the
headers, `trust_env = False` and no proxies (an environment HTTP(S)_PROXY would route requests
around the address checks, PITFALLS 31; the adapter never looks proxies up, and refuses one if
asked), a cookie jar that keeps nothing, and no redirect resolution (flows/redirects.py follows
redirects by hand, each hop vetted and bounded).
"""

from __future__ import annotations

import functools
import http.client
import http.cookiejar
import re
import ssl
import threading
import urllib.request
from collections.abc import Generator, Iterator, Mapping
from typing import Any

import certifi
import requests
import requests.exceptions
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.util.ssl_ import create_urllib3_context

from flows import netguard
from flows.deadline import Budget
from flows.outcomes import FetchFailure
from flows.settings import Settings

# A catch-all at low weight: picky servers answer 406 to a strict Accept; the type is
# checked on the response anyway.
ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
ROBOTS_ACCEPT = "text/plain,*/*;q=0.5"
# Only decoders urllib3 bounds per read (bomb-safe since 2.6); no br/zstd surprises.
ACCEPT_ENCODING = "gzip, deflate"
# Hosts whose idle connections stay pooled: a worker moves on from a host for good once its
# URLs are done, so only recent hosts (and redirect targets) are worth a kept connection.
POOLED_HOSTS_PER_WORKER = 4
# URLs that PreparedRequest.prepare_url returns unchanged: lower-case http(s), an ASCII host,
# an optional port, a path and an optional query of characters nothing percent-encodes or
# decodes (dot segments ruled out by is_as_prepared). Such a URL is sent as it is, because
# prepare_url's parse_url walks the URL byte by byte in Python. Measured (cachegrind,
# benchmark pages): 132k of the 5.3M instructions a fetch of a 107 KB page takes.
# tests/flows/test_fetch_prepared_urls.py holds this to prepare_url's own answers.
_AS_PREPARED = re.compile(
    r"https?://[a-z0-9][a-z0-9.-]*(?::(?P<port>[1-9][0-9]{0,4}))?"
    r"/[A-Za-z0-9._~!$&'()*+,;=:@/-]*(?:\?[A-Za-z0-9._~!$&'()*+,;=:@/?-]+)?"
)


def is_as_prepared(url: str) -> bool:
    """True when requests' prepare_url would send this URL exactly as it is."""
    m = _AS_PREPARED.fullmatch(url)
    if m is None or "/." in url:  # "/./" and "/../" are normalised away
        return False
    port = m.group("port")
    return port is None or int(port) <= 65535


def to_policy(settings: Settings) -> netguard.AddressPolicy:
    """The address policy the settings ask for."""
    return netguard.AddressPolicy.from_settings(
        settings.allow_private_addresses, settings.allowed_networks
    )


@functools.cache
def to_ssl_context(ca_bundle: str) -> ssl.SSLContext:
    """Certificate-verifying context trusting only `ca_bundle` ("" = certifi's, as requests).

    Built once per bundle: loading the CAs per connection (what requests' `verify=` does)
    costs milliseconds.
    """
    context = create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED)
    context.load_verify_locations(ca_bundle or certifi.where())
    return context


class GuardedAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections go only to vetted, pinned addresses; no proxies.

    One per run, mounted by every Session of the run: its urllib3 PoolManager is thread-safe.
    """

    def __init__(self, settings: Settings, policy: netguard.AddressPolicy) -> None:
        # Read by init_poolmanager, which the base __init__ calls.
        self._pool_classes = netguard.to_pool_classes(policy, netguard.Resolutions(policy))
        self._ssl_context = to_ssl_context(settings.ca_bundle)
        workers = max(1, settings.max_workers)
        # One request per host at a time (HostPacer); a few spare slots for redirect targets.
        super().__init__(
            pool_connections=POOLED_HOSTS_PER_WORKER * workers,
            pool_maxsize=workers,
            max_retries=0,
            pool_block=False,
        )

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        """A pool manager with the guarded connection classes and the run's SSL context."""
        super().init_poolmanager(
            connections, maxsize, block=block, ssl_context=self._ssl_context, **pool_kwargs
        )
        self.poolmanager.pool_classes_by_scheme = self._pool_classes

    def get_connection_with_tls_context(
        self,
        request: requests.PreparedRequest,
        verify: Any,
        proxies: Mapping[str, str] | None = None,
        cert: Any = None,
    ) -> Any:
        """The guarded pool for the request's origin; proxies are never even looked up."""
        try:
            host_params, pool_kwargs = self.build_connection_pool_key_attributes(
                request, verify, cert
            )
        except ValueError as e:
            raise requests.exceptions.InvalidURL(e, request=request) from e
        return self.poolmanager.connection_from_host(**host_params, pool_kwargs=pool_kwargs)

    def request_url(self, request: requests.PreparedRequest, proxies: Any) -> str:
        """The request target: path and query (origin form), never a proxy's absolute form."""
        return request.path_url

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        """Always verify, with the pool's SSL context as built (no CA file loaded per use)."""
        conn.cert_reqs = "CERT_REQUIRED"
        conn.ca_certs = None
        conn.ca_cert_dir = None

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        """A proxy would connect on our behalf, around the address checks: refuse."""
        raise netguard.BlockedAddress(f"proxy {proxy} refused")


class NoCookies(http.cookiejar.CookiePolicy):
    """Accept no cookie and send none: news pages are public, and a crawler keeps no state.

    Session.send stores what each response sets into the Session's jar; with this policy the
    jar stays empty whatever the sites set, so nothing is ever sent back, and with neither
    cookie standard enabled it does not even parse the Set-Cookie headers.
    """

    netscape = False
    rfc2965 = False
    hide_cookie2 = False

    def set_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        """Store nothing."""
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        """Send nothing."""
        return False

    def domain_return_ok(self, domain: str, request: urllib.request.Request) -> bool:
        """No domain has cookies for us."""
        return False

    def path_return_ok(self, path: str, request: urllib.request.Request) -> bool:
        """No path has cookies for us."""
        return False


class FetchSession(requests.Session):
    """A Session that sends one prepared GET over and over, and never follows redirects.

    Session.request merges the session's headers, params, cookies, auth, proxies, stream,
    verify and cert into every request, and Request.prepare re-validates the same headers,
    re-encodes empty params and rebuilds an empty cookie jar each time. Measured (valgrind
    instruction counts, Python 3.11, requests 2.34): 850k instructions per request for
    Session.request's preparing and merging, 420k for Request.prepare, 140k for a copy of
    the first prepared GET with only its URL prepared, as Session.resolve_redirects does
    for a hop; a whole fetch of a 100 KB page through urllib3 alone is about 4.9M. The
    settings are fixed per run, so that copy is what is sent, with every send setting
    passed explicitly: none is looked up or merged.
    """

    def __init__(self) -> None:
        super().__init__()
        self._template: requests.PreparedRequest | None = None

    def resolve_redirects(self, *args: Any, **kwargs: Any) -> Generator[Any, None, None]:
        """Nothing to resolve: flows/redirects.py follows redirects by hand.

        `open` does not go through Session.send; any other use of the session would, and
        even with allow_redirects=False Session.send calls this to prepare Response.next,
        where the base version reads the whole redirect body (resp.content): uncapped, and
        before our drain could decide to close the connection instead.
        """
        yield from ()

    def open(
        self, url: str, headers: Mapping[str, str] | None, timeout: tuple[float, float]
    ) -> requests.Response:
        """Send one GET and return once the headers are in; the body is left to stream.

        `headers` are added to (or replace) the session's for this request only.
        """
        if self._template is None:
            # params="" rather than {}: nothing to encode, and it skips two isinstance
            # checks against runtime Protocols (~140k instructions on Python 3.11).
            self._template = requests.Request(
                "GET", url, headers=self.headers, cookies=self.cookies, params=""
            ).prepare()
        prepared = self._template.copy()
        if is_as_prepared(url):
            prepared.url = url
        else:
            prepared.prepare_url(url, "")
        if headers:
            sent = CaseInsensitiveDict(self.headers)
            sent.update(headers)
            prepared.prepare_headers(sent)  # validated like any header (InvalidHeader)
        # Straight to the adapter: what Session.send adds around it is unused here (no hooks,
        # NoCookies keeps nothing, redirects by hand, no `elapsed`). Measured (callgrind,
        # benchmark pages): 70k instructions per request, ~3% of the fetch's Python work.
        return self.get_adapter(prepared.url or url).send(
            prepared,
            stream=True,
            timeout=timeout,
            verify=True,  # with the adapter's SSL context
            cert=None,
            proxies={},
        )


def make_session(settings: Settings, adapter: GuardedAdapter) -> FetchSession:
    """A Session over the run's adapter: fixed headers, no proxies, no cookies kept."""
    session = FetchSession()
    # Sends pass proxies={} explicitly; this keeps any other use of the Session off the
    # environment's proxies (and netrc, and CA bundle variables) too.
    session.trust_env = False
    session.proxies = {}
    session.cookies.set_policy(NoCookies())
    session.headers = CaseInsensitiveDict(
        {"User-Agent": settings.user_agent, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING}
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class Sessions:
    """One run's Sessions, one per thread that asks, all over one GuardedAdapter."""

    def __init__(self, settings: Settings, policy: netguard.AddressPolicy) -> None:
        self.settings = settings
        self.adapter = GuardedAdapter(settings, policy)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[FetchSession] = []

    def get(self) -> FetchSession:
        """This thread's Session (made on first use)."""
        session: FetchSession | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = make_session(self.settings, self.adapter)
            with self._lock:
                self._all.append(session)
        return session

    def close(self) -> None:
        """Close every Session and the pooled connections (the end of a run)."""
        with self._lock:
            sessions, self._all = self._all, []
        for session in sessions:
            session.close()
        self.adapter.close()


def pinned_address(resp: requests.Response) -> str | None:
    """The IP the guarded connection connected to (read before the body releases it)."""
    return getattr(resp.raw.connection, "pinned_address", None)


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


def classify(exc: BaseException, budget: Budget) -> FetchFailure:
    """Turn an exception from requests/urllib3/http.client/the guard into an outcome.

    requests wraps urllib3's errors (ConnectionError(MaxRetryError(reason=...))) and lets
    others through (reads from resp.raw, the guard's own); the chain holds both. Anything
    else is a programming error and is raised again.
    """
    if isinstance(exc, FetchFailure):
        return exc
    chain = list(_chain(exc))
    for e in chain:
        if isinstance(e, netguard.BlockedAddress):
            return FetchFailure("blocked_address", str(e))
        if isinstance(e, netguard.BadUrl):
            return FetchFailure("bad_url", str(e))
        if isinstance(e, netguard.ResolutionFailed):
            return FetchFailure("dns", str(e), transient=e.transient)
        if isinstance(e, urllib3.exceptions.NameResolutionError):
            return FetchFailure("dns", str(e), transient=True)
    if budget.expired:
        return budget.timeout()
    # The innermost builtin exception says it best ("ConnectionRefusedError: [Errno 111] …").
    root = next((e for e in reversed(chain) if type(e).__module__ == "builtins"), exc)
    short = f"{type(root).__name__}: {root}"[:300]
    if any(isinstance(e, urllib3.exceptions.NewConnectionError) for e in chain) and not any(
        isinstance(e, (TimeoutError, urllib3.exceptions.ConnectTimeoutError))
        and not isinstance(e, urllib3.exceptions.NewConnectionError)
        for e in chain
    ):
        # NewConnectionError subclasses ConnectTimeoutError in urllib3 2.x: refused is not slow.
        return FetchFailure("connect", short, transient=True)
    if any(
        isinstance(e, (ssl.SSLError, urllib3.exceptions.SSLError, requests.exceptions.SSLError))
        for e in chain
    ):
        return FetchFailure("tls", short)
    if any(
        isinstance(e, (TimeoutError, urllib3.exceptions.TimeoutError, requests.exceptions.Timeout))
        for e in chain
    ):
        return FetchFailure("timeout", short, transient=True)
    if any(
        isinstance(e, (urllib3.exceptions.DecodeError, requests.exceptions.ContentDecodingError))
        for e in chain
    ):
        return FetchFailure("bad_content_type", f"undecodable Content-Encoding: {short}")
    if isinstance(
        exc,
        (
            requests.exceptions.InvalidURL,  # InvalidProxyURL included
            requests.exceptions.InvalidSchema,
            requests.exceptions.MissingSchema,
            urllib3.exceptions.LocationValueError,  # LocationParseError included
            http.client.InvalidURL,
        ),
    ):
        return FetchFailure("bad_url", short)
    if isinstance(
        exc,
        (
            requests.exceptions.RequestException,  # ConnectionError, ChunkedEncodingError, …
            urllib3.exceptions.HTTPError,
            http.client.HTTPException,
            OSError,
        ),
    ):
        return FetchFailure("connect", short, transient=True)
    raise exc
