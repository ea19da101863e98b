"""Wall-clock deadline of one attempt, enforced by one watchdog thread per run.

A socket read timeout bounds each read, not the whole request: a server that drips a byte a
second, or dribbles header lines, never trips it (PITFALLS 21). So every hop of an attempt is
registered with the run's Watchdog, which shuts the hop's sockets once the attempt's budget is
spent; the blocked read then returns and the attempt ends as a timeout.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime

from flows import netguard
from flows.outcomes import FetchFailure

# Wake-up period of an idle watchdog. Hops armed while it sleeps with a deadline later than
# its wake-up need no notify, which keeps arming to a lock and a dict insert.
IDLE_WAKE_S = 1.0


class Watchdog:
    """One thread for a whole run that shuts the sockets of hops past their deadline.

    Replaces a threading.Timer per hop: starting and cancelling a thread per request cost a
    third of the fetch threads' CPU in a py-spy profile of the benchmark. Live hops number at
    most one per worker, so a dict scanned on each wake-up is enough (no heap).
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._hops: dict[int, Budget] = {}
        self._wake_at = 0.0
        self._thread: threading.Thread | None = None
        self._closed = False

    def arm(self, budget: Budget) -> None:
        """Watch a hop until disarm; its deadline is budget.deadline_at (monotonic)."""
        with self._cond:
            if self._closed:
                raise RuntimeError("watchdog used after its run ended")
            self._hops[id(budget)] = budget
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="fetch-watchdog", daemon=True
                )
                self._thread.start()
            elif budget.deadline_at < self._wake_at:
                self._cond.notify()

    def disarm(self, budget: Budget) -> None:
        """Stop watching a hop; after this returns the watchdog never touches its sockets."""
        with self._cond:
            self._hops.pop(id(budget), None)

    def close(self) -> None:
        """Stop the thread (the end of a run)."""
        with self._cond:
            self._closed = True
            thread, self._thread = self._thread, None
            self._cond.notify()
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        """Expire due hops, then sleep until the next deadline (or IDLE_WAKE_S)."""
        with self._cond:
            while not self._closed:
                now = time.monotonic()
                wake = now + IDLE_WAKE_S
                for key, budget in list(self._hops.items()):
                    if budget.deadline_at <= now:
                        del self._hops[key]
                        # Under the lock, so a hop that disarmed meanwhile (its connection
                        # maybe back in the pool for the next request) is never shut.
                        budget.expire()
                    else:
                        wake = min(wake, budget.deadline_at)
                self._wake_at = wake
                self._cond.wait(wake - now)


class Budget:
    """Wall-clock budget of one attempt: network time of its hops, pacing sleeps excluded."""

    def __init__(self, seconds: float, watchdog: Watchdog) -> None:
        self.seconds = seconds
        self._watchdog = watchdog
        self._left = seconds
        self._hop_start: float | None = None
        self._sockets: list[socket.socket] = []
        self.deadline_at = 0.0  # monotonic end of the running hop
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

    def expire(self) -> None:
        """Mark the budget spent and shut the running hop's sockets (watchdog thread)."""
        self.expired = True
        for s in list(self._sockets):
            with suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def timeout(self, where: str = "", received: int = 0) -> FetchFailure:
        """The failure of an attempt that ran out of time."""
        return FetchFailure(
            "timeout",
            f"deadline {self.seconds:g}s exceeded{where}",
            transient=True,
            received=received,
        )

    @contextmanager
    def hop(self) -> Iterator[None]:
        """Run one request with the watchdog armed over every socket it uses."""
        if self._left <= 0:
            self.expired = True
            raise self.timeout()
        self.started_at = self.started_at or datetime.now(UTC)
        self._sockets = []
        start = self._hop_start = time.monotonic()
        self.deadline_at = start + self._left
        self._watchdog.arm(self)
        try:
            with netguard.watch_sockets(self._sockets.append):
                yield
        finally:
            self._watchdog.disarm(self)
            self._left -= time.monotonic() - start
            self._hop_start = None
