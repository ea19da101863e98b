"""The flow `nightly-sharded`: shards fetch and parse on the pool's workers; one loader writes.

    read seeds → open warehouse → plan per shard (spool) → one `nightly-shard` run per shard
    (run_deployment: the pool's workers pick them up) → wait → read the spools
    → match → load in one transaction → checks → report   (the nightly path, in this process)
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from prefect import flow, get_client, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from prefect.exceptions import ObjectNotFound
from prefect.states import Cancelled, Cancelling, State

from flows.nightly import (
    Opening,
    _by_ref,
    _execute,
    _load_and_check,
    _stage,
    count_seeds,
    night_dir,
    open_task,
    read_seeds_task,
    run_name,
)
from flows.report import RunSummary
from flows.settings import Settings, load_settings
from flows.shards import ShardError, split_by_shard
from flows.spool import Plan, ShardOutput, group_dir, read_output, write_plan
from flows.stages import cited_urls
from parsers.record_spool import ArticleSpool
from parsers.records import Article, Page
from warehouse.state import WarehouseState

SHARD_DEPLOYMENT = "nightly-shard/nightly-shard"
# How often the coordinator asks the API about its shard runs: a few cheap reads a minute.
POLL_S = 2.0
Reject = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class Merged:
    """Every shard's results in the night's URL order, as the one-process night has them."""

    verdicts: list[tuple[str, str]] = field(default_factory=list)  # (url, outcome)
    fetched: int = 0
    articles: list[Article] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    page_articles: dict[str, str] = field(default_factory=dict)
    fetches: list[dict[str, Any]] = field(default_factory=list)
    seen_ids: list[str] = field(default_factory=list)
    compressed: dict[str, bytes] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)


def sharded_run_name() -> str:
    """Sharded nights are named by their date like nightly runs."""
    return run_name().replace("nightly", "nightly-sharded", 1)


def to_plans(
    run_id: str,
    urls: Sequence[str],
    shards: int,
    state: WarehouseState,
    archive: dict[str, Page],
) -> list[Plan]:
    """One plan per shard: its URLs by host, their archived pages and stored articles."""
    positions = {u: i for i, u in enumerate(urls)}
    plans = []
    for k, part in enumerate(split_by_shard(urls, shards)):
        ids = {u: state.page_articles[u] for u in part if u in state.page_articles}
        known = {a: state.known_sha[a] for a in ids.values() if a in state.known_sha}
        plans.append(
            Plan(
                run_id=run_id, shard=k, shards=shards, urls=part,
                positions=[positions[u] for u in part],
                archive={u: archive[u] for u in part if u in archive},
                state=WarehouseState(
                    known_sha=known, members={}, roles={}, citations=[],
                    page_articles=ids,
                ),
            )
        )
    return plans


def merge_outputs(outputs: Sequence[ShardOutput]) -> Merged:
    """The shards' results as one batch, ordered as a one-process night orders them."""
    verdicts = sorted((v for o in outputs for v in o.verdicts), key=lambda v: v.position)
    unchanged: dict[str, str] = {
        v.url: v.unchanged_article_id for v in verdicts if v.unchanged_article_id
    }
    parsed = sorted((a for o in outputs for a in o.articles), key=lambda a: a[0])
    # The nightly order: every fetch reject (by URL), then every parse reject (by page).
    rejects = sorted(
        (r for o in outputs for r in o.rejects), key=lambda r: (r[1][0] != "fetch", r[0])
    )
    compressed: dict[str, bytes] = {}
    timings: dict[str, float] = {}
    rss: dict[str, float] = {}
    for o in outputs:
        compressed.update(o.compressed)
        timings.update({f"{name} (shard {o.shard})": s for name, s in o.timings.items()})
        rss.update({f"{name} (shard {o.shard})": mb for name, mb in o.peak_rss_mb.items()})
    return Merged(
        verdicts=[(v.url, v.outcome) for v in verdicts],
        fetched=sum(v.fetched for v in verdicts),
        articles=[a for _, _, a in parsed],
        rejects=[r for _, r in rejects],
        pages=[p for _, p in sorted((p for o in outputs for p in o.pages), key=lambda p: p[0])],
        page_articles={**unchanged, **{url: a.article_id for _, url, a in parsed}},
        fetches=[
            row for _, row in sorted((f for o in outputs for f in o.fetches), key=lambda f: f[0])
        ],
        seen_ids=list(unchanged.values()),
        compressed=compressed,
        timings=timings,
        peak_rss_mb=rss,
    )


@task(name="plan shards", cache_policy=NO_CACHE)
def plan_task(
    spool: Path, run_id: str, urls: list[str], shards: int, opening: Opening
) -> list[int]:
    """Write each shard's plan to the spool; returns the shards that have URLs tonight."""
    busy = []
    for plan in to_plans(run_id, urls, shards, opening.state, opening.archive):
        if plan.urls:
            write_plan(spool, plan)
            busy.append(plan.shard)
        get_run_logger().info("shard %d of %d: %d URLs", plan.shard, shards, len(plan.urls))
    return busy


@task(name="read spools", cache_policy=NO_CACHE)
def read_spools_task(spool: Path, run_id: str, urls: list[str], shards: int) -> Merged:
    """Read every shard's results and check each covers exactly its planned URLs."""
    outputs = []
    for k, part in enumerate(split_by_shard(urls, shards)):
        if not part:
            continue
        out = read_output(spool, run_id, k, shards)
        got = {v.url for v in out.verdicts}
        if got != set(part):
            missing = sorted(set(part) - got)[:3]
            raise ShardError(
                f"shard {k} of {shards} spooled {len(got)} verdicts for {len(part)} URLs "
                f"(missing e.g. {missing})"
            )
        outputs.append(out)
    merged = merge_outputs(outputs)
    get_run_logger().info(
        "read %d shard spools: %d URLs, %d articles", len(outputs), len(merged.verdicts),
        len(merged.articles),
    )
    return merged


@flow(name="nightly-sharded", flow_run_name=sharded_run_name, log_prints=True)
def nightly_sharded(
    shards: int = 2,
    seeds_dir: str = "seeds",
    db_path: str = "data/warehouse.duckdb",
    spool_dir: str = "data/spool",
    deployment: str = SHARD_DEPLOYMENT,
    timeout_s: float = 3 * 3600.0,
    overrides: dict[str, Any] | None = None,
) -> State:
    """A nightly run whose fetching and parsing is spread over the pool's workers by host.

    The warehouse, the stories and the report come out as a `nightly` run's would; only this
    flow's process writes the warehouse.

    Args:
        shards: how many `nightly-shard` runs share tonight's hosts.
        seeds_dir: folder of seed article text files.
        db_path: the DuckDB warehouse file (on this flow's machine).
        spool_dir: where plans and results pass between the flows; every worker must see it
            at the same path.
        deployment: the `nightly-shard` deployment that starts the shard runs.
        timeout_s: how long to wait for the shard runs before failing the night.
        overrides: settings by field name (see flows/settings.py), also passed to the shards.
    """
    settings = load_settings(**(overrides or {})).replace(
        seeds_dir=Path(seeds_dir), db_path=Path(db_path)
    )
    # Absolute: the shard runs start in their worker's directory, not this one.
    spool = Path(spool_dir).resolve()
    return _execute(
        settings,
        lambda summary: _run_sharded(
            settings, summary, shards, spool, deployment, timeout_s, overrides or {}
        ),
    )


def _run_sharded(
    settings: Settings,
    summary: RunSummary,
    shards: int,
    spool: Path,
    deployment: str,
    timeout_s: float,
    overrides: dict[str, Any],
) -> None:
    """The coordinator's stages in order, filling the summary."""
    if shards < 1:
        raise ValueError(f"shards must be at least 1, not {shards}")
    with night_dir(settings.db_path) as night, ArticleSpool(night / "articles") as articles:
        _coordinate(settings, summary, shards, spool, deployment, timeout_s, overrides, articles)


def _coordinate(
    settings: Settings,
    summary: RunSummary,
    shards: int,
    spool: Path,
    deployment: str,
    timeout_s: float,
    overrides: dict[str, Any],
    articles: ArticleSpool,
) -> None:
    """Read the seeds into the night's article spool, run the shards, load what they made."""
    c = summary.counts
    seeds = _stage(summary, "read_seeds", lambda: read_seeds_task(settings, _by_ref(articles)))
    count_seeds(c, seeds)
    urls = cited_urls(seeds.articles, seeds.unchanged)
    opening = _stage(
        summary,
        "open_warehouse",
        lambda: open_task(
            settings, summary.run_id, _by_ref(urls), None, f"{shards} shards", bodies=True
        ),
    )
    c["urls_cited"] = len(urls)
    c["shards"] = shards
    merged = Merged()
    if settings.offline:
        summary.fetch_outcomes = {"skipped_offline": len(urls)} if urls else {}
    elif urls:
        run_id = summary.run_id
        busy = _stage(
            summary, "plan",
            lambda: plan_task(spool, run_id, _by_ref(urls), shards, _by_ref(opening)),
        )
        _stage(
            summary, "shards",
            lambda: _run_shards(deployment, busy, shards, spool, run_id, overrides, timeout_s),
        )
        merged = _stage(
            summary, "read_spools", lambda: read_spools_task(spool, run_id, _by_ref(urls), shards)
        )
        summary.add_fetch_outcomes(merged.verdicts)
        summary.timings.update(merged.timings)
        summary.peak_rss_mb.update(merged.peak_rss_mb)
    c["urls_fetched"] = merged.fetched
    c["urls_failed"] = len(merged.verdicts) - merged.fetched
    c["pages_unchanged"] = len(merged.seen_ids)
    articles.extend(merged.articles)
    _load_and_check(
        settings, summary, articles, opening.state,
        list(seeds.rejects) + merged.rejects, merged.pages, merged.page_articles,
        merged.fetches, merged.seen_ids, lambda: merged.compressed, seeds=seeds,
    )
    # Loaded (committed): the spool has served. A failed night keeps it for the post-mortem.
    shutil.rmtree(group_dir(spool, summary.run_id), ignore_errors=True)


def _run_shards(
    deployment: str,
    busy: list[int],
    shards: int,
    spool: Path,
    run_id: str,
    overrides: dict[str, Any],
    timeout_s: float,
) -> None:
    """Start one shard run per busy shard through the deployment; wait; fail if any did not."""
    logger = get_run_logger()
    runs: dict[int, UUID] = {}
    try:
        for k in busy:
            started = run_deployment(
                deployment,
                parameters={
                    "shard": k, "shards": shards, "run_id": run_id, "spool_dir": str(spool),
                    "overrides": overrides,
                },
                timeout=0,  # start them all, then wait for all
                flow_run_name=f"nightly-shard {k} of {shards} · {run_id}",
                tags=["quelle", "shard"],
                # The client retries a POST on a network error: never start a shard twice.
                idempotency_key=f"{run_id}/shard-{k}",
            )
            assert isinstance(started, FlowRun)  # sync caller: not a coroutine
            runs[k] = started.id
            logger.info("started shard %d of %d: flow run %s", k, shards, started.id)
    except ObjectNotFound as exc:
        _cancel(list(runs.values()), "the night failed to start all its shards")
        raise ShardError(
            f"no deployment {deployment!r}: register it with `prefect deploy -n nightly-shard` "
            "(prefect.yaml) before running nightly-sharded"
        ) from exc
    finals = _wait_for(runs, timeout_s)
    problems = []
    for k in busy:
        final = finals.get(k)
        if final is None:
            problems.append(
                f"shard {k} not finished after {timeout_s:g} s (is a worker polling the "
                f"work pool of {deployment}?)"
            )
        elif not final.is_completed():
            problems.append(f"shard {k} {final.name}: {final.message or 'no message'}")
    if problems:
        _cancel([runs[k] for k in busy if k not in finals], "the night gave up waiting")
        raise ShardError(
            f"{len(problems)} of {len(busy)} shard run(s) did not complete, so nothing was "
            "loaded: " + "; ".join(problems)
        )


def _wait_for(runs: dict[int, UUID], timeout_s: float) -> dict[int, State]:
    """Final states of the flow runs, polling until all are final or timeout_s has passed."""
    deadline = time.monotonic() + timeout_s
    finals: dict[int, State] = {}
    with get_client(sync_client=True) as client:
        while True:
            for k, run_id in runs.items():
                if k not in finals:
                    state = client.read_flow_run(run_id).state
                    if state is not None and state.is_final():
                        finals[k] = state
            if len(finals) == len(runs) or time.monotonic() >= deadline:
                return finals
            time.sleep(POLL_S)


def _cancel(flow_run_ids: list[UUID], why: str) -> None:
    """Cancel runs no worker took; ask the workers to stop the others (best effort)."""
    if not flow_run_ids:
        return
    logger = get_run_logger()
    with get_client(sync_client=True) as client:
        for flow_run_id in flow_run_ids:
            try:
                state = client.read_flow_run(flow_run_id).state
                # A run still waiting for a worker would stay "Cancelling" for good.
                waiting = state is None or state.is_scheduled()
                new: State = Cancelled(message=why) if waiting else Cancelling(message=why)
                client.set_flow_run_state(flow_run_id, new, force=True)
            except Exception as exc:  # the run may have just finished; the night fails anyway
                logger.warning("could not cancel flow run %s: %s", flow_run_id, exc)
