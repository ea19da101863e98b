"""CPU-bound stages in worker processes give the same results, in order, as in one process."""

from __future__ import annotations

import gc
import os
import pickle
import subprocess
import sys
import time
import weakref
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from flows.parallel import (
    AHEAD,
    CHUNK,
    IN_FLIGHT,
    MAX_CHUNK,
    MIN_ITEMS,
    WORKER_GC_THRESHOLD,
    Background,
    chunk_size,
    imap_cpu,
    map_cpu,
)
from flows.stages import fingerprint_changed, parse_pages
from parsers.fingerprint import to_fingerprint
from parsers.records import Page, to_content_sha256
from tests.conftest import ROOT
from tests.parsers.matching_texts import seed_article

PAGE = (ROOT / "tests/fixtures/pages/vn_laos_digital.html").read_bytes()


def test_map_cpu_in_processes_keeps_order_and_results() -> None:
    items = [str(i) * (i % 7) for i in range(MIN_ITEMS + 50)]
    assert map_cpu(len, items, workers=2) == [len(i) for i in items]


class _Watched(Sequence[str]):
    """Strings that note the highest index anyone has read."""

    def __init__(self, n: int) -> None:
        self.n, self.highest = n, -1

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.n))]
        if not 0 <= index < self.n:
            raise IndexError(index)
        self.highest = max(self.highest, index)
        return str(index)


def test_imap_cpu_reads_items_only_a_few_chunks_ahead_of_its_results() -> None:
    items = _Watched(MIN_ITEMS * 40)
    chunk = chunk_size(len(items), 2)
    results = imap_cpu(len, items, workers=2)
    first = next(results)
    # Executor.map would have taken every item before the first result.
    assert items.highest < (2 * IN_FLIGHT + 1) * chunk < len(items)
    assert [first, *results] == [len(str(i)) for i in range(len(items))]


def test_background_takes_items_as_its_worker_gets_through_them() -> None:
    items = _Watched(CHUNK * AHEAD * 4)
    with Background(len, items) as early:
        # The worker is still starting: only the first chunks are taken.
        assert items.highest == CHUNK * AHEAD - 1
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (
            len(early._futures) * CHUNK >= len(items) and early._futures[-1].done()
        ):
            time.sleep(0.05)
        assert early.collect() == [len(str(i)) for i in range(len(items))]


def test_parsing_in_two_processes_equals_parsing_in_one() -> None:
    now = datetime(2026, 11, 22, tzinfo=UTC)
    pages = [
        Page(url=f"https://baotintuc.vn/a-{i}.htm", final_url=f"https://baotintuc.vn/a-{i}.htm",
             status=200, fetched_at=now, body=PAGE if i % 10 else b"<html></html>",
             content_type="text/html")
        for i in range(MIN_ITEMS)
    ]
    one, two = parse_pages(pages, workers=1), parse_pages(pages, workers=2)
    assert one == two
    assert len(one.articles) == MIN_ITEMS - MIN_ITEMS // 10 and len(one.rejects) == MIN_ITEMS // 10


def test_background_results_are_a_prefix_in_order_and_the_rest_is_left() -> None:
    items = [str(i) * (i % 7) for i in range(MIN_ITEMS * 2)]
    with Background(len, items) as early:
        got = early.collect()
    assert got == [len(i) for i in items[: len(got)]]
    # Whole chunks only: a chunk the worker started is finished, a queued one is dropped.
    assert len(got) % CHUNK == 0 or len(got) == len(items)


class _Box:
    """A result that can be watched by weak reference."""

    def __init__(self, size: int) -> None:
        self.size = size


def _boxed(item: str) -> _Box:
    """The item's length in a box."""
    return _Box(len(item))


def test_collected_results_are_not_held_by_the_background() -> None:
    items = [str(i) for i in range(MIN_ITEMS * 2)]
    with Background(_boxed, items) as early:
        got = early.collect()
        assert [b.size for b in got] == [len(i) for i in items[: len(got)]] and got
        watched = [weakref.ref(b) for b in got]
        del got
        gc.collect()
        # A night drops its fingerprints once they are spooled, the worker still open.
        assert all(ref() is None for ref in watched)


def test_a_small_batch_starts_no_worker() -> None:
    with Background(len, ["a", "bb"]) as early:
        assert early.collect() == []


def test_fingerprints_made_early_are_reused_only_for_the_same_text() -> None:
    one, two = seed_article("000"), seed_article("002")
    early = {a.article_id: to_fingerprint(a) for a in (one, two)}
    edited = replace(two, body=(*two.body, "Ein neuer Absatz."), content_sha256="")
    edited = replace(edited, content_sha256=to_content_sha256(edited))
    fps = fingerprint_changed([one, edited], {}, ready=list(early.values()))
    assert fps[0] is early[one.article_id]
    assert fps[1] == to_fingerprint(edited) and fps[1] != early[two.article_id]


def _standing(_: object) -> tuple[bool, int]:
    """Whether the process this runs in leads its own session, and its nice value."""
    return os.getsid(0) == os.getpid(), os.nice(0)


def test_the_background_worker_takes_idle_time_only() -> None:
    with Background(_standing, list(range(MIN_ITEMS))) as early:
        # This process waits, so the worker has idle CPU to start its first chunk.
        first = early._futures[0].result(timeout=120)
    assert set(first) == {(True, 19)}
    assert os.getsid(0) != os.getpid() or os.nice(0) != 19  # this process is left as it was


def _gc_threshold(_: object) -> int:
    """The young-generation threshold of the process this runs in."""
    return gc.get_threshold()[0]


def test_workers_collect_garbage_less_often() -> None:
    items = list(range(MIN_ITEMS))
    assert set(map_cpu(_gc_threshold, items, workers=2)) == {WORKER_GC_THRESHOLD}
    assert gc.get_threshold()[0] != WORKER_GC_THRESHOLD  # this process is left as it was


def test_chunks_are_eight_per_worker_up_to_a_cap() -> None:
    assert chunk_size(1600, 2) == 100
    assert chunk_size(110_000, 2) == MAX_CHUNK
    assert chunk_size(3, 2) == 1


def test_a_parsing_worker_imports_the_parsers_alone() -> None:
    # A spawned worker imports what unpickling the stage's function needs: the flow's stack
    # (requests, DuckDB, Arrow) cost each parsing worker 0.8 s of CPU before it began.
    import flows.stages

    code = (
        "import pickle, sys; pickle.loads(sys.stdin.buffer.read()); "
        "heavy = ('requests', 'duckdb', 'pyarrow', 'prefect'); "
        "print(' '.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], input=pickle.dumps(flows.stages.parse_keyed),
        capture_output=True, check=True, cwd=ROOT,
    )
    assert out.stdout.decode().split() == []
