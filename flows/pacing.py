"""Politeness per host: minimum spacing, Crawl-delay, Retry-After, backoff, giving up."""

from __future__ import annotations

import dataclasses
import email.utils
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flows.outcomes import FetchFailure
from flows.settings import Settings


def to_host_key(url: str) -> str:
    """Pacing key: host[:port] as in the canonical URL (so http and https share default ports)."""
    try:
        parts = urlsplit(url)
        return (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return ""


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


def to_backoff(settings: Settings, n: int) -> float:
    """Wait before try n+1: exponential with "equal jitter" (half fixed, half random)."""
    base: float = min(settings.backoff_max_s, settings.backoff_base_s * (2 ** (n - 1)))
    return base / 2 + random.uniform(0, base / 2)


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
        st = self._hosts.get(host)  # dict reads are atomic: no lock once the host is known
        if st is None:
            with self._lock:
                st = self._hosts.setdefault(host, _HostState(self._min_delay))
        return st

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
                raise FetchFailure(st.given_up[0], f"skipped: {st.given_up[1]}")
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
