"""Progress of long stages: a rich bar on a terminal, throttled log lines everywhere else."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.progress import Progress

# A line at most this often: enough to see a night move, few enough for the Prefect API.
LINE_EVERY_S = 10.0

Log = logging.Logger | logging.LoggerAdapter[Any]


class Stage:
    """Counts one stage's finished items; thread-safe (fetch threads report here)."""

    def __init__(
        self,
        name: str,
        total: int | None,
        log: Log | None,
        display: Progress | None,
        every_s: float = LINE_EVERY_S,
    ) -> None:
        self.name, self.total, self.done = name, total, 0
        self._log, self._display, self._every = log, display, every_s
        self._lock = threading.Lock()
        self._start = self._last_line = time.monotonic()
        self._task = display.add_task(name, total=total) if display is not None else None

    def advance(self, n: int = 1) -> None:
        """Count n more items done; draw the bar, and log a line when one is due."""
        with self._lock:
            self.done += n
            now = time.monotonic()
            due = now - self._last_line >= self._every
            if due:
                self._last_line = now
            if self._display is not None and self._task is not None:
                self._display.update(self._task, completed=self.done)
        if due and self._log is not None:
            self._log.info("%s", self.line(now))

    def line(self, now: float | None = None) -> str:
        """'fetch: 2,300/10,000 (23%), 240/s, about 32 s left'."""
        elapsed = max(1e-9, (now or time.monotonic()) - self._start)
        rate = self.done / elapsed
        if not self.total:
            return f"{self.name}: {self.done:,} done, {rate:,.0f}/s"
        # Under 1% done the rate is mostly start-up (worker processes spawning): no guess yet.
        eta = (
            f", about {(self.total - self.done) / rate:,.0f} s left"
            if rate and self.done * 100 >= self.total
            else ""
        )
        pct = 100 * self.done / self.total
        return f"{self.name}: {self.done:,}/{self.total:,} ({pct:.0f}%), {rate:,.0f}/s{eta}"

    def close(self) -> None:
        """Leave the stage's bar full on the display, its time showing how long it took."""
        if self._display is not None and self._task is not None:
            self._display.update(self._task, total=self.done, completed=self.done)
            self._display.stop_task(self._task)


_state_lock = threading.Lock()
_display: Progress | None = None
_active: Stage | None = None


@contextmanager
def stage(name: str, total: int | None, log: Log | None = None) -> Iterator[Stage]:
    """Track a stage; code deep inside it reports through `advance`."""
    global _active
    tracker = Stage(name, total, log, _display)
    with _state_lock:
        previous, _active = _active, tracker
    try:
        yield tracker
    finally:
        with _state_lock:
            _active = previous
        tracker.close()


def advance(n: int = 1) -> None:
    """Count n items done in the active stage, if any (a no-op outside one)."""
    tracker = _active
    if tracker is not None:
        tracker.advance(n)


@contextmanager
def terminal_bars(enabled: bool | None = None) -> Iterator[None]:
    """Draw rich progress bars on stderr while the block runs (None: if it is a terminal)."""
    global _display
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    bars = Progress(
        TextColumn("[bold]{task.description:<8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr),
        # Finished stages stay on screen: the night's timeline at a glance.
        transient=False,
    )
    with bars:
        _display = bars
        try:
            yield
        finally:
            _display = None
