"""The flow `nightly-shard`: fetch and parse one shard of a sharded night, spool the results."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.body_spool import BodySpool
from flows.fetch import FetchResult
from flows.nightly import _by_ref, _cpu, fetch_task, parse_task, peak_rss_mb
from flows.packing import Packer
from flows.settings import load_settings
from flows.shards import ShardError, shard_of_url
from flows.spool import Plan, ShardOutput, Verdict, read_plan, write_output
from flows.stages import (
    ParsedPages,
    fetch_rejects,
    split_unchanged,
    to_archive,
    to_attempt_rows,
)
from parsers.heap import release_freed

T = TypeVar("T")


@task(name="read plan", cache_policy=NO_CACHE)
def read_plan_task(spool_dir: str, run_id: str, shard: int, shards: int) -> Plan:
    """The shard's URLs and their archived pages, as the coordinator wrote them."""
    plan = read_plan(Path(spool_dir), run_id, shard, shards)
    strays = [u for u in plan.urls if shard_of_url(u, shards) != shard]
    if strays:
        raise ShardError(
            f"the plan of shard {shard} of {shards} holds other shards' URLs: {strays[:3]}"
        )
    get_run_logger().info(
        "shard %d of %d: %d URLs, %d archived pages", shard, shards, len(plan.urls),
        len(plan.archive),
    )
    return plan


@task(name="write spool", cache_policy=NO_CACHE)
def write_spool_task(spool_dir: str, out: ShardOutput) -> str:
    """Write the shard's results for the loader."""
    path = write_output(Path(spool_dir), out)
    get_run_logger().info(
        "spooled %d verdicts, %d articles, %d pages to %s", len(out.verdicts), len(out.articles),
        len(out.pages), path,
    )
    return str(path)


@flow(name="nightly-shard", log_prints=True)
def nightly_shard(
    shard: int,
    shards: int,
    run_id: str,
    spool_dir: str = "data/spool",
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Fetch and parse one shard of a sharded night's hosts; spool the results for the loader.

    Started by `nightly-sharded`, one flow run per shard. It reads its plan from the spool and
    never opens the warehouse.

    Args:
        shard: this run's shard, 0 … shards-1.
        shards: how many shards the night has.
        run_id: the coordinator's run id (names the spool directory of the night).
        spool_dir: the spool root, the same directory for every worker.
        overrides: settings by field name (see flows/settings.py), over the worker's QUELLE_*.
    """
    settings = load_settings(**(overrides or {}))
    clock = _Clock()
    plan = clock.stage("read_plan", lambda: read_plan_task(spool_dir, run_id, shard, shards))
    # The fetched and packed bodies wait on local disk until the output is written.
    with (
        tempfile.TemporaryDirectory(prefix="quelle-shard-") as night,
        BodySpool(Path(night) / "bodies") as held,
        Packer(_cpu(settings), len(plan.urls), held, Path(night) / "packed") as packer,
    ):
        results = clock.stage(
            "fetch",
            lambda: fetch_task(
                _by_ref(plan.urls), settings, _by_ref(plan.archive), _by_ref(packer),
                _by_ref(held),
            ),
        )
        fresh, unchanged = split_unchanged(results, plan.state, plan.archive, False)
        pages = held.pages(fresh)
        parsed = clock.stage("parse", lambda: parse_task(_by_ref(pages), _cpu(settings)))
        compressed = clock.stage("pack", packer.collect)
        out = to_output(plan, results, compressed, unchanged, parsed, clock)
    path = write_spool_task(spool_dir, _by_ref(out))
    return {
        "shard": shard, "shards": shards, "urls": len(plan.urls),
        "pages": sum(v.fetched for v in out.verdicts), "articles": len(out.articles),
        "spool": path,
    }


def to_output(
    plan: Plan,
    results: Sequence[FetchResult],
    compressed: Mapping[str, bytes],
    unchanged: Mapping[str, str],
    parsed: ParsedPages,
    clock: _Clock,
) -> ShardOutput:
    """The shard's results, each item tagged with its URL's place in the night's order."""
    positions = dict(zip(plan.urls, plan.positions, strict=True))
    # fetch_all canonicalises again; should it ever spell a URL otherwise, the URL sorts last
    # here and the loader's coverage check names it.
    last = max(plan.positions, default=0) + 1

    def at(url: str) -> int:
        """The URL's place in the night's order."""
        return positions.get(url, last)

    # parse_pages fills page_articles and articles in the same loop, one page URL each.
    articles = [
        (at(url), url, article)
        for url, article in zip(parsed.page_articles, parsed.articles, strict=True)
    ]
    return ShardOutput(
        run_id=plan.run_id,
        shard=plan.shard,
        shards=plan.shards,
        verdicts=[
            Verdict(at(r.url), r.url, r.outcome, r.page is not None, unchanged.get(r.url))
            for r in results
        ],
        articles=articles,
        pages=[(at(p.url), p) for p in to_archive(results)],
        compressed=dict(compressed),
        fetches=[(at(r.url), row) for r in results for row in to_attempt_rows([r])],
        rejects=[(at(rej[1]), rej) for rej in [*fetch_rejects(results), *parsed.rejects]],
        timings=dict(clock.timings),
        peak_rss_mb=dict(clock.peak_rss_mb),
    )


@dataclass
class _Clock:
    """Each stage's wall time, and this process's peak RSS by the stage's end (MB)."""

    timings: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)

    def stage(self, name: str, fn: Callable[[], T]) -> T:
        """Run one stage, timing it."""
        start = time.perf_counter()
        try:
            return fn()
        finally:
            self.timings[name] = round(time.perf_counter() - start, 3)
            self.peak_rss_mb[name] = peak_rss_mb()
            release_freed()
