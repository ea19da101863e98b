"""Bodies packed for the archive in idle time: exactly those the archive writes, none lost."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from flows import packing
from flows.body_spool import BodySpool
from flows.fetch import Attempt, FetchResult, fetch_all
from flows.packing import Packer
from flows.stages import to_archive
from parsers.records import Page
from tests.conftest import ROOT
from tests.servers import LocalServer, fast_settings

HTML = b"<html><body><p>%d</p></body></html>"
NOW = datetime(2026, 11, 23, tzinfo=UTC)


def fetched(n: int) -> FetchResult:
    """A freshly downloaded page, as fetch_all hands it over."""
    url = f"https://tuoitre.vn/a-{n}.htm"
    body = HTML % n * (n % 50 + 1)
    page = Page(url, url, 200, NOW, body, (), "text/html", None, None)
    attempt = Attempt(url, 1, NOW, 5, "ok", 200, None, len(body), "miss", url, "203.0.113.7")
    return FetchResult(url, "ok", page, (attempt,))


@pytest.fixture
def held(tmp_path: Path) -> Iterator[BodySpool]:
    """The night's body spool the packer reads from."""
    with BodySpool(tmp_path / "bodies") as spool:
        yield spool


def _packer(held: BodySpool, expected: int, **kwargs: Any) -> Packer:
    """A packer over the spool, its store beside it."""
    return Packer(2, expected, held, held.path.with_name("packed"), **kwargs)


def arrive(held: BodySpool, packer: Packer) -> Callable[[FetchResult], FetchResult]:
    """What the night does with each fetched result: hold its body, queue it for packing."""

    def arrived(result: FetchResult) -> FetchResult:
        result = held.hold(result)
        packer.add(result)
        return result

    return arrived


def test_the_packed_bodies_are_the_archived_pages_bodies(
    srv: LocalServer, held: BodySpool
) -> None:
    for n in range(5):
        srv.route(f"/{n}", HTML % n)
    fresh = Page(srv.url("/0"), srv.url("/0"), 200, datetime.now(UTC) - timedelta(minutes=1),
                 HTML % 0, (), "text/html", None, None)
    urls = [srv.url(f"/{n}") for n in range(5)] + [srv.url("/missing")]
    with _packer(held, len(urls)) as packer:
        results = fetch_all(
            urls, fast_settings(), {fresh.url: fresh}, on_result=arrive(held, packer)
        )
        packed = packer.collect()
        # A fresh archive hit (/0) and a 404 are not written again, so not packed.
        assert sorted(packed) == sorted(p.url for p in to_archive(results)) == urls[1:5]
        assert {u: zlib.decompress(z) for u, z in packed.items()} == {
            srv.url(f"/{n}"): HTML % n for n in range(1, 5)
        }
    assert not packed.path.exists()


@pytest.mark.parametrize("wait", [False, True])
def test_every_body_is_packed_by_the_worker_or_at_collect(
    monkeypatch: pytest.MonkeyPatch, held: BodySpool, wait: bool
) -> None:
    # Batches of 3 over 100 pages, the worker starting 3 s late: an immediate collect finds
    # most batches not started and packs them itself; after a wait the worker has packed all
    # but the last page, which never filled a batch.
    monkeypatch.setattr(packing, "BATCH", 3)
    results = [fetched(n) for n in range(100)]
    with _packer(held, packing.MIN_ITEMS, start=functools.partial(time.sleep, 3)) as packer:
        for r in results:
            arrive(held, packer)(r)
        sent = [f for _, f in packer._sent]
        if wait:
            assert all(f.exception(timeout=60) is None for f in sent)  # the worker did them
        packed = packer.collect()
        assert sum(f.cancelled() for f in sent) >= (0 if wait else 30)
        assert {u: zlib.decompress(z) for u, z in packed.items()} == {
            r.url: r.page.body for r in results if r.page is not None
        }


def test_the_packer_holds_no_body_in_memory(
    monkeypatch: pytest.MonkeyPatch, held: BodySpool
) -> None:
    # Its queue holds places in the spool, the worker answers with places in the store: a
    # starved worker's queue and answers held ~0.65 GB of bodies at 10k benchmark pages.
    monkeypatch.setattr(packing, "BATCH", 4)
    results = [fetched(n) for n in range(20)]
    with _packer(held, packing.MIN_ITEMS, start=None) as packer:
        for r in results:
            arrive(held, packer)(r)
        assert all(isinstance(span, tuple) for batch, _ in packer._sent for _, span in batch)
        answers = [f.result(timeout=60) for _, f in packer._sent]
        assert all(isinstance(o, int) and isinstance(n, int) for a in answers for o, n in a)
        packed = packer.collect()
        assert packed.path.stat().st_size == sum(len(packed[u]) for u in packed)
        assert {u: zlib.decompress(z) for u, z in packed.items()} == {
            r.url: r.page.body for r in results if r.page is not None
        }


def test_a_killed_worker_loses_no_body(monkeypatch: pytest.MonkeyPatch, held: BodySpool) -> None:
    monkeypatch.setattr(packing, "BATCH", 2)
    results = [fetched(n) for n in range(40)]
    big = fetched(40)
    assert big.page is not None
    big = replace(big, page=replace(big.page, body=os.urandom(1 << 20) * 40))  # ~1 s of zlib
    with _packer(held, packing.MIN_ITEMS, start=None) as packer:
        add = arrive(held, packer)
        add(results[0])
        add(results[1])  # a full batch: the worker process starts
        pool = packer._pool
        assert pool is not None
        packer._sent[0][1].result(timeout=60)
        add(big)
        add(results[2])  # the worker is packing these when it is killed
        for pid in list(pool._processes or {}):
            os.kill(pid, signal.SIGKILL)  # e.g. the OOM killer
        with pytest.raises(BrokenProcessPool):
            packer._sent[1][1].result(timeout=60)
        for r in results[3:]:
            add(r)  # the pool is broken: nothing more is sent
        packed = packer.collect()
        assert {u: zlib.decompress(z) for u, z in packed.items()} == {
            r.url: r.page.body for r in [*results, big] if r.page is not None
        }


def test_a_background_process_is_a_niced_session_of_its_own() -> None:
    code = (
        "import os; from flows.priority import to_background; to_background(); "
        "print(os.getsid(0) == os.getpid(), os.nice(0))"
    )
    if os.path.exists("/proc/self/autogroup"):
        code += "; print(open('/proc/self/autogroup').read())"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out[:2] == ["True", "19"]
    if len(out) > 2:
        # Its own session is its own autogroup, whose nice value is what the scheduler weighs
        # against the flow's session: "/autogroup-123 nice 19".
        assert out[-2:] == ["nice", "19"]
