"""The run's watchdog: expires hops past their deadline, leaves finished ones alone, one thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from flows.deadline import Budget, Watchdog
from flows.fetch import fetch_all
from flows.outcomes import FetchFailure
from tests.servers import LocalServer, fast_settings

HTML = b"<html><body><p>x</p></body></html>"


class Recording(Budget):
    """A budget that records when the watchdog expires it."""

    def __init__(self, seconds: float, watchdog: Watchdog) -> None:
        super().__init__(seconds, watchdog)
        self.fired = threading.Event()

    def expire(self) -> None:
        super().expire()
        self.fired.set()


@pytest.fixture()
def watchdog() -> Iterator[Watchdog]:
    wd = Watchdog()
    yield wd
    wd.close()


def test_a_hop_past_its_deadline_is_expired(watchdog: Watchdog) -> None:
    b = Recording(0.1, watchdog)
    t0 = time.monotonic()
    with b.hop():
        assert b.fired.wait(2.0)
    assert time.monotonic() - t0 >= 0.09
    assert b.expired and b.out()


def test_a_finished_hop_is_left_alone(watchdog: Watchdog) -> None:
    b = Recording(0.1, watchdog)
    with b.hop():
        pass
    time.sleep(0.3)
    assert not b.fired.is_set() and not b.expired


def test_an_earlier_deadline_wakes_a_sleeping_watchdog(watchdog: Watchdog) -> None:
    long, short = Recording(30, watchdog), Recording(0.1, watchdog)
    with long.hop(), short.hop():
        assert short.fired.wait(1.0)
    assert not long.fired.is_set()


def test_the_budget_spans_the_hops_of_one_attempt(watchdog: Watchdog) -> None:
    b = Budget(0.2, watchdog)
    with b.hop():
        time.sleep(0.15)
    with b.hop():
        time.sleep(0.1)
    assert b.out()
    with pytest.raises(FetchFailure, match="deadline"), b.hop():
        pass


def test_one_watchdog_thread_serves_a_whole_run(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[str] = []
    real_start = threading.Thread.start

    def start(self: threading.Thread) -> None:
        started.append(self.name)
        real_start(self)

    monkeypatch.setattr(threading.Thread, "start", start)
    with LocalServer() as srv:
        for i in range(10):
            srv.route(f"/{i}", HTML)
        results = fetch_all([srv.url(f"/{i}") for i in range(10)], fast_settings())
    assert {r.outcome for r in results} == {"ok"}
    assert started.count("fetch-watchdog") == 1  # not a timer thread per request
    assert not [t for t in threading.enumerate() if t.name == "fetch-watchdog"]
