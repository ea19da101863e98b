"""Progress: counted from any thread, logged at a bounded rate, drawn as bars on a terminal."""

from __future__ import annotations

import io
import logging
import sys
import threading

import pytest

from flows import progress
from flows.parallel import MIN_ITEMS, map_cpu


class _Terminal(io.StringIO):
    """A captured stream that says it is a terminal, so rich draws live bars into it."""

    def isatty(self) -> bool:
        return True


def test_advances_from_many_threads_are_all_counted() -> None:
    with progress.stage("fetch", 8000) as tracker:
        threads = [
            threading.Thread(target=lambda: [progress.advance() for _ in range(1000)])
            for _ in range(8)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert tracker.done == 8000


def test_advance_outside_a_stage_is_a_no_op_and_stages_nest() -> None:
    progress.advance()  # nothing active: must not raise
    with progress.stage("outer", 2) as outer:
        with progress.stage("inner", 1) as inner:
            progress.advance()
        progress.advance(2)
    assert (outer.done, inner.done) == (2, 1)


def test_log_lines_say_count_share_and_rate_and_are_throttled(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = logging.getLogger("quelle.test.progress")
    with caplog.at_level(logging.INFO, logger=log.name):
        eager = progress.Stage("parse", 4, log, None, every_s=0.0)
        for _ in range(4):
            eager.advance()
        slow = progress.Stage("match", 4, log, None, every_s=3600.0)
        for _ in range(4):
            slow.advance()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 4, lines  # every advance of the eager stage, none of the slow one
    assert lines[-1].startswith("parse: 4/4 (100%), ")
    assert lines[0].startswith("parse: 1/4 (25%), ") and "left" in lines[0]
    assert progress.Stage("load", None, None, None).line().startswith("load: 0 done, ")
    early = progress.Stage("fetch", 1000, None, None)
    early.advance()
    assert "left" not in early.line()  # under 1% the rate is start-up cost, not a forecast


def test_map_cpu_counts_each_result_in_one_process_and_in_workers() -> None:
    items = [str(i) for i in range(MIN_ITEMS + 10)]
    with progress.stage("one", len(items)) as one:
        map_cpu(len, items, workers=1)
    with progress.stage("two", len(items)) as two:
        map_cpu(len, items, workers=2)
    assert one.done == two.done == len(items)


def test_bars_are_drawn_on_a_terminal_and_not_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = _Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    with progress.terminal_bars(), progress.stage("parse", 3):
        for _ in range(3):
            progress.advance()
    drawn = screen.getvalue()
    assert "parse" in drawn and "3/3" in drawn

    plain = io.StringIO()
    monkeypatch.setattr(sys, "stderr", plain)
    with progress.terminal_bars(), progress.stage("parse", 3):
        progress.advance(3)
    assert plain.getvalue() == ""
