"""Streamed response bodies: capped on the wire and after decoding, bounded by the deadline.

Read from the urllib3 response under the requests Response (`resp.raw`), never through
`resp.content` or `iter_content`: read1 returns what the socket holds, and `tell()` counts
the bytes on the wire, so both caps apply chunk by chunk.
"""

from __future__ import annotations

import hashlib
import http.client
from contextlib import suppress
from typing import NamedTuple

import urllib3.exceptions
from urllib3.response import BaseHTTPResponse

from flows.deadline import Budget
from flows.outcomes import FetchFailure

# One read1 returns what the socket holds, up to this: a 100 KB page takes two or three reads.
# Larger sizes cross glibc's mmap threshold (128 KiB) on every read.
CHUNK_BYTES = 64 * 1024
# Unwanted bodies up to this size are read, so keep-alive connections survive error pages.
DRAIN_BYTES = 64 * 1024


class Body(NamedTuple):
    """A body as read, and the SHA-256 of exactly these bytes."""

    data: bytes
    sha256: str


def read_body(resp: BaseHTTPResponse, cap: int, budget: Budget, truncate: bool) -> Body:
    """Stream the decoded body under the deadline and the byte caps (wire and decoded).

    Hashed chunk by chunk while the bytes are still in cache, rather than again afterwards.
    Over the cap: truncate (robots.txt, RFC 9309 allows it) or fail with too_large.
    """
    declared = resp.headers.get("Content-Length", "")
    if not truncate and declared.isdigit() and int(declared) > cap:
        raise FetchFailure("too_large", f"Content-Length {declared} > {cap}")
    parts: list[bytes] = []
    digest = hashlib.sha256()
    got = 0
    while True:
        if budget.out():
            raise budget.timeout(f" after {got} bytes", received=got)
        chunk = resp.read1(min(CHUNK_BYTES, cap - got + 1), decode_content=True)
        if not chunk:
            if budget.out():  # the watchdog shut the socket: a short body is a timeout
                continue
            break
        got += len(chunk)
        if got > cap or resp.tell() > cap:
            if truncate:
                data = b"".join(parts) + chunk[: max(0, cap - (got - len(chunk)))]
                return Body(data, hashlib.sha256(data).hexdigest())
            raise FetchFailure(
                "too_large",
                f"body over {cap} bytes (wire {resp.tell()}, decoded {got}+)",
                received=got,
            )
        digest.update(chunk)
        parts.append(chunk)
    return Body(b"".join(parts), digest.hexdigest())


def drain(resp: BaseHTTPResponse, status: int, budget: Budget) -> None:
    """Read a small unwanted body (error page, redirect) so the connection can be reused."""
    declared = resp.headers.get("Content-Length", "")
    if status in (204, 304) or declared == "0":
        with suppress(OSError, urllib3.exceptions.HTTPError, http.client.HTTPException):
            resp.drain_conn()  # no body: hand the connection back as it is
        return
    if not declared.isdigit() or int(declared) > DRAIN_BYTES:
        return  # unknown or large: closing the connection is cheaper
    with suppress(FetchFailure, OSError, urllib3.exceptions.HTTPError, http.client.HTTPException):
        read_body(resp, DRAIN_BYTES, budget, truncate=True)
