"""URL canonicalisation: one spelling per page, so a URL cited twice is fetched once."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

# Query parameters that only track the click, never select the page.
TRACKING_PREFIXES = ("utm_",)
TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid", "_ga", "ref_src"}
)
DEFAULT_PORTS = {"http": 80, "https": 443}

# RFC 3986 unreserved characters: their percent-escapes are decoded, other escapes upper-cased.
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
# Characters left as they are when quoting a path or query (reserved ones keep their meaning).
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"


def _normalize_escapes(text: str) -> str:
    """Upper-case percent-escapes and decode those of unreserved characters."""

    def fix(m: re.Match[str]) -> str:
        ch = chr(int(m.group(1), 16))
        return ch if ch in _UNRESERVED else f"%{m.group(1).upper()}"

    return _ESCAPE.sub(fix, text)


def _quote_normalized(text: str, safe: str) -> str:
    """quote(text, safe) with its percent-escapes normalised (_normalize_escapes)."""
    quoted = quote(text, safe=safe)
    # quote's own escapes are upper case and never of an unreserved character (those are
    # always safe): only escapes already in the text need the callback per escape, which
    # cost most of canonicalising an image URL with Vietnamese letters.
    return _normalize_escapes(quoted) if "%" in text else quoted


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4: resolve '.' and '..' segments."""
    if "." not in path:
        return path
    out: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == ".":
            if last:
                out.append("")
        elif seg == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(seg)
    result = "/".join(out)
    return result if result.startswith("/") else "/" + result


def _to_host(host: str) -> str:
    """Lower-case host without trailing dot; internationalised names in their xn-- form."""
    host = host.lower().rstrip(".")
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _is_tracking(pair: str) -> bool:
    """True for a query pair that only tracks the click."""
    key = unquote(pair.split("=", 1)[0].replace("+", " ")).lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def canonicalize_url(url: str) -> str:
    """Lower-case scheme and host, drop default port, fragment and tracking parameters.

    Also: IDN hosts to xn--, path '' to '/', dot segments resolved, percent-escapes normalised
    (unreserved decoded, others upper case, spaces and non-ASCII escaped), query pairs kept in
    their order and spelling. Credentials stay visible so the fetcher can refuse them. Input
    that cannot be parsed (bad port, broken IPv6 literal) comes back stripped but unchanged,
    for the fetcher to report as bad_url. Idempotent.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    if not parts.netloc:
        return text
    host = _to_host(parts.hostname or "")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    if parts.username is not None or parts.password is not None:
        cred = parts.username or ""
        if parts.password is not None:
            cred = f"{cred}:{parts.password}"
        netloc = f"{cred}@{netloc}"
    path = _quote_normalized(parts.path, _PATH_SAFE) or "/"
    if scheme in DEFAULT_PORTS:
        path = _remove_dot_segments(path)
    pairs = [p for p in parts.query.split("&") if p and not _is_tracking(p)]
    query = _quote_normalized("&".join(pairs), _QUERY_SAFE)
    return urlunsplit((scheme, netloc, path, query, ""))


def to_site(url: str) -> str | None:
    """The host of a URL without a leading 'www.', or None when it has none."""
    host = (urlsplit(url).hostname or "").lower()
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host
