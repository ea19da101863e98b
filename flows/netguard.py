"""Address guard (SSRF): which URLs and IP addresses the fetcher may connect to.

Checks happen where the socket is opened: a guarded urllib3 connection (the fetcher's requests
Sessions mount them through flows/transport.py's adapter) resolves the host once, refuses the
whole host when ANY address is not public, then connects to a checked address
(no second lookup, so no DNS-rebinding window). TLS still uses the host name for SNI and
certificate verification, and the Host header is untouched. Every new connection, whichever
redirect hop opens it, is checked again. A run may share one Resolutions cache among its
connections: a name is looked up once per run (up to RESOLUTION_MAX_AGE_S), and its cached
addresses are vetted again each time one is used, so the cache can never widen the policy.

Policy, in order, per address (and per IPv4 address embedded in an IPv6 one):
  1. inside `allowed_networks` (explicit CIDRs) -> allowed;
  2. unspecified, broadcast, multicast or a cloud metadata address -> always refused;
  3. any other non-public range (loopback, private, link-local, CGNAT, reserved, documentation,
     ULA, ...) -> refused unless `allow_private` is set.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.connection import create_connection

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SCHEMES = frozenset({"http", "https"})
# A run reuses a lookup this long; past it, the name is resolved (and vetted) afresh.
RESOLUTION_MAX_AGE_S = 300.0


def _nets(*cidrs: str) -> tuple[IPNetwork, ...]:
    """Parse CIDR constants."""
    return tuple(ipaddress.ip_network(c) for c in cidrs)


# Refused even with allow_private: nobody fetches news from these.
ALWAYS_BLOCKED = _nets(
    "0.0.0.0/8",  # "this network"; 0.0.0.0 reaches localhost on Linux
    "255.255.255.255/32",
    "224.0.0.0/4",  # multicast
    "169.254.169.254/32",  # cloud metadata (AWS, GCP, Azure, OpenStack)
    "::/128",
    "ff00::/8",  # multicast
    "fd00:ec2::254/128",  # AWS metadata over IPv6
)

# Not public. Listed explicitly because ipaddress.is_global is not enough on 3.11 (PITFALLS 29).
NON_PUBLIC = _nets(
    "10.0.0.0/8",
    "100.64.0.0/10",  # CGNAT
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",  # 6to4 relay anycast
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "240.0.0.0/4",
    "::/96",  # IPv4-compatible (deprecated) and ::1
    "::1/128",
    "::ffff:0:0/96",  # IPv4-mapped: judged by the embedded address, never by itself
    "64:ff9b:1::/48",  # NAT64 local use
    "100::/64",  # discard
    "2001::/23",  # IETF protocol assignments, Teredo included
    "2001:db8::/32",
    "fc00::/7",  # unique local
    "fe80::/10",
    "fec0::/10",  # site local (deprecated)
)

NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
IPV4_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")  # SIIT

_NUMBER = re.compile(r"^(0[xX][0-9a-fA-F]*|[0-9]+)$")


class GuardError(Exception):
    """A URL or address the fetcher refuses before sending anything."""


class BadUrl(GuardError):
    """The URL is not one we fetch: not http(s), has credentials, no host, or a bad port."""


class BlockedAddress(GuardError):
    """The host is, or resolves to, an address the policy refuses."""


class ResolutionFailed(GuardError):
    """The host name did not resolve; `transient` is False for 'no such name'."""

    def __init__(self, host: str, error: socket.gaierror) -> None:
        super().__init__(f"cannot resolve {host}: {error.strerror or error}")
        self.transient = error.errno not in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5))


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which non-public addresses are allowed: all of them (allow_private) or listed CIDRs."""

    allow_private: bool = False
    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_settings(cls, allow_private: bool, allowed_networks: str) -> AddressPolicy:
        """Build from Settings fields; allowed_networks is a comma-separated CIDR list."""
        nets = tuple(
            ipaddress.ip_network(part.strip(), strict=False)
            for part in allowed_networks.split(",")
            if part.strip()
        )
        return cls(allow_private=allow_private, allowed_networks=nets)


@dataclass(frozen=True, slots=True)
class Target:
    """Where a URL points: scheme, host as written (lower case), port, and a literal IP if any."""

    scheme: str
    host: str
    port: int
    ip: IPAddress | None


def parse_ipv4_literal(host: str) -> ipaddress.IPv4Address | None:
    """Parse an IPv4 host the way inet_aton and browsers do (decimal, octal, hex, short forms).

    Returns None for a host name. Raises BadUrl for a host that ends in a number but is not a
    valid address (e.g. 256.1.1.1, 1.2.3.4.5), as the WHATWG URL standard does.
    """
    parts = host.split(".")
    if parts and parts[-1] == "" and len(parts) > 1:
        parts = parts[:-1]  # one trailing dot is allowed
    if not parts or not _NUMBER.match(parts[-1]):
        return None
    if len(parts) > 4 or not all(_NUMBER.match(p) for p in parts):
        raise BadUrl(f"malformed IPv4 address {host!r}")
    values = []
    for p in parts:
        if p[:2].lower() == "0x":
            values.append(int(p[2:] or "0", 16))
        elif len(p) > 1 and p.startswith("0"):
            if not all(c in "01234567" for c in p):
                raise BadUrl(f"malformed IPv4 address {host!r}")
            values.append(int(p, 8))
        else:
            values.append(int(p))
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (5 - len(values)):
        raise BadUrl(f"malformed IPv4 address {host!r}")
    number = last
    for i, v in enumerate(head):
        number += v << (8 * (3 - i))
    return ipaddress.IPv4Address(number)


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a literal-IP host stands for (any IPv4 notation, IPv6 with or without [])."""
    h = host.strip().lower()
    if h.startswith("[") and h.endswith("]"):
        h = h[1:-1]
    if ":" in h:
        try:
            return ipaddress.IPv6Address(h)
        except ValueError as e:
            raise BadUrl(f"malformed IPv6 address {host!r}") from e
    return parse_ipv4_literal(h)


def to_embedded_ipv4(addr: IPAddress) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries (mapped, compatible, SIIT, 6to4, NAT64, Teredo)."""
    if isinstance(addr, ipaddress.IPv4Address):
        return []
    found: list[ipaddress.IPv4Address] = []
    low32 = ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    if addr.ipv4_mapped is not None:
        found.append(addr.ipv4_mapped)
    elif addr in IPV4_COMPATIBLE or addr in IPV4_TRANSLATED or addr in NAT64:
        found.append(low32)
    if addr.sixtofour is not None:
        found.append(addr.sixtofour)
    if addr.teredo is not None:
        found.extend(addr.teredo)
    return found


def _verdict(addr: IPAddress, policy: AddressPolicy) -> str | None:
    """Why one address (taken alone) is refused, or None."""
    if any(addr.version == n.version and addr in n for n in policy.allowed_networks):
        return None
    if any(addr.version == n.version and addr in n for n in ALWAYS_BLOCKED) or (
        addr.is_multicast or addr.is_unspecified
    ):
        return f"{addr} is never fetched (unspecified, multicast or metadata)"
    if policy.allow_private:
        return None
    if (
        any(addr.version == n.version and addr in n for n in NON_PUBLIC)
        or not addr.is_global
        or addr.is_private
        or addr.is_loopback
        or addr.is_link_local
        or addr.is_reserved
    ):
        return f"{addr} is not a public address"
    return None


def refusal_reason(addr: IPAddress, policy: AddressPolicy) -> str | None:
    """Why the policy refuses this address, or None when it may be connected to."""
    if isinstance(addr, ipaddress.IPv6Address) and addr.scope_id:
        addr = ipaddress.IPv6Address(str(addr).split("%", 1)[0])
    embedded = to_embedded_ipv4(addr)
    if isinstance(addr, ipaddress.IPv6Address) and (
        addr.ipv4_mapped is not None
        or addr in IPV4_COMPATIBLE
        or addr in IPV4_TRANSLATED
        or addr in NAT64
    ):
        # Notations for an IPv4 address (NAT64 translates to it): judge the address they
        # stand for, so DNS64 networks still reach public sites.
        if addr == ipaddress.IPv6Address("::") or addr == ipaddress.IPv6Address("::1"):
            return _verdict(addr, policy)
        candidates: list[IPAddress] = list(embedded)
    else:
        candidates = [addr, *embedded]
    for a in candidates:
        reason = _verdict(a, policy)
        if reason is not None:
            return reason if a == addr else f"{addr} embeds {reason}"
    return None


def parse_target(url: str) -> Target:
    """Split and vet a URL before any network use; raises BadUrl."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as e:
        raise BadUrl(f"unparsable URL: {e}") from e
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise BadUrl(f"scheme {scheme or '(none)'!r} is not http or https")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise BadUrl("credentials in URL")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise BadUrl("no host in URL")
    if any(c in host for c in " \t\r\n%/\\") and ":" not in host:
        raise BadUrl(f"invalid host {host!r}")
    ip = parse_ip_literal(host)
    return Target(scheme, host, port or (443 if scheme == "https" else 80), ip)


def check_url(url: str, policy: AddressPolicy) -> Target:
    """Vet a URL without DNS: BadUrl for its form, BlockedAddress for a refused literal IP."""
    target = parse_target(url)
    if target.ip is not None:
        reason = refusal_reason(target.ip, policy)
        if reason is not None:
            raise BlockedAddress(reason)
    return target


def resolve_checked(host: str, port: int, policy: AddressPolicy) -> list[tuple[str, int]]:
    """Resolve once and vet every address; refuse the host when ANY address is refused.

    Returns (ip, port) pairs to connect to, in resolver order.
    """
    literal = parse_ip_literal(host)
    if literal is not None:
        infos: Sequence[tuple[Any, ...]] = [(None, None, None, None, (str(literal), port))]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as e:
            raise ResolutionFailed(host, e) from e
        except UnicodeError as e:
            raise BadUrl(f"invalid host {host!r}") from e
    pairs: list[tuple[str, int]] = []
    for info in infos:
        ip_text = str(info[4][0])
        addr = ipaddress.ip_address(ip_text.split("%", 1)[0])
        reason = refusal_reason(addr, policy)
        if reason is not None:
            raise BlockedAddress(f"{host} -> {reason}")
        if (ip_text, port) not in pairs:
            pairs.append((ip_text, port))
    if not pairs:
        raise ResolutionFailed(host, socket.gaierror(socket.EAI_NONAME, "no address"))
    return pairs


class Resolutions:
    """Vetted lookups shared by one run's connections: one lookup per (host, port) per run."""

    def __init__(self, policy: AddressPolicy, max_age_s: float = RESOLUTION_MAX_AGE_S) -> None:
        self.policy = policy
        self._max_age_s = max_age_s
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, int], tuple[float, list[tuple[str, int]]]] = {}

    def resolve(self, host: str, port: int) -> list[tuple[str, int]]:
        """resolve_checked, cached; a cached answer is re-vetted before it is handed out."""
        key = (host.lower(), port)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and now - hit[0] < self._max_age_s:
            for ip, _ in hit[1]:
                reason = refusal_reason(ipaddress.ip_address(ip.split("%", 1)[0]), self.policy)
                if reason is not None:
                    raise BlockedAddress(f"{host} -> {reason}")
            return hit[1]
        # Failures are not cached: dns errors may be transient and are retried with backoff.
        pairs = resolve_checked(host, port, self.policy)
        with self._lock:
            self._cache[key] = (now, pairs)
        return pairs


# -- Socket watch: lets the fetcher bound a whole request with a wall-clock watchdog. ----------

_watch = threading.local()


@contextmanager
def watch_sockets(callback: Callable[[socket.socket], None]) -> Iterator[None]:
    """Call `callback` with every socket a guarded connection uses in this thread meanwhile."""
    previous = getattr(_watch, "callback", None)
    _watch.callback = callback
    try:
        yield
    finally:
        _watch.callback = previous


def _notify(sock: socket.socket | None) -> None:
    """Hand a socket to the current thread's watcher, if any."""
    callback = getattr(_watch, "callback", None)
    if callback is not None and sock is not None:
        callback(sock)


# -- Guarded urllib3 connections: resolve, vet, then connect to the vetted address. ------------


def _connect_checked(
    conn: HTTPConnection, policy: AddressPolicy, resolutions: Resolutions | None
) -> socket.socket:
    """Resolve conn.host under the policy and connect to the first vetted address that answers."""
    port = conn.port or 80
    if resolutions is not None:
        pairs = resolutions.resolve(conn.host, port)
    else:
        pairs = resolve_checked(conn.host, port, policy)
    last: OSError | None = None
    for ip, port in pairs:
        try:
            sock = create_connection(
                (ip, port),
                conn.timeout,
                source_address=conn.source_address,
                socket_options=conn.socket_options,
            )
        except TimeoutError as e:
            raise ConnectTimeoutError(
                conn, f"Connection to {conn.host} ({ip}) timed out. (timeout={conn.timeout})"
            ) from e
        except OSError as e:
            last = e
            continue
        conn.pinned_address = ip  # type: ignore[attr-defined]
        _notify(sock)
        return sock
    raise NewConnectionError(conn, f"Failed to establish a new connection: {last}")


class _Guarded:
    """Mixin for urllib3 connections: sockets only to vetted addresses, watched while read."""

    policy: ClassVar[AddressPolicy] = AddressPolicy()
    resolutions: ClassVar[Resolutions | None] = None
    pinned_address: str | None = None
    sock: Any

    def _new_conn(self) -> socket.socket:
        """Resolve, vet, connect to the vetted address (TLS then wraps it for self.host)."""
        return _connect_checked(self, self.policy, self.resolutions)  # type: ignore[arg-type]

    def getresponse(self) -> Any:
        """Let the watcher see a reused socket before waiting for the response."""
        _notify(self.sock)
        return super().getresponse()  # type: ignore[misc]


class GuardedHTTPConnection(_Guarded, HTTPConnection):
    """HTTP connection that only opens sockets to addresses its policy allows."""


class GuardedHTTPSConnection(_Guarded, HTTPSConnection):
    """HTTPS connection to a vetted address; SNI and certificate checks use the host name."""


def to_pool_classes(
    policy: AddressPolicy, resolutions: Resolutions | None = None
) -> dict[str, type[HTTPConnectionPool]]:
    """urllib3 pool classes (for PoolManager.pool_classes_by_scheme) bound to one policy.

    With `resolutions` (built for the same policy), connections share its lookups.
    """
    if resolutions is not None and resolutions.policy != policy:
        raise ValueError("resolutions were vetted under another policy")
    bound = {"policy": policy, "resolutions": resolutions}
    http_conn = type("PolicyHTTPConnection", (GuardedHTTPConnection,), bound)
    https_conn = type("PolicyHTTPSConnection", (GuardedHTTPSConnection,), bound)
    http_pool = type(
        "GuardedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}
    )
    https_pool = type(
        "GuardedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}
    )
    return {"http": http_pool, "https": https_pool}
