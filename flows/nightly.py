"""The nightly flow: a thin composition of batch tasks, one per stage."""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Completed, Failed, State
from prefect.utilities.annotations import quote

from flows import progress
from flows.body_spool import BodySpool
from flows.fetch import FetchResult, fetch_all
from flows.notify import notify_failure
from flows.packing import Packer
from flows.parallel import Background, default_workers
from flows.report import RunSummary, to_markdown
from flows.seeds import SeedBatch, read_seeds, seeds_key
from flows.settings import Settings, load_settings
from flows.stages import (
    MatchResult,
    ParsedPages,
    changed_articles,
    cited_urls,
    fetch_rejects,
    match_stories,
    parse_pages,
    split_unchanged,
    to_archive,
    to_attempt_rows,
    to_fingerprints,
)
from parsers.fingerprint import Fingerprint, to_fingerprint
from parsers.heap import release_freed
from parsers.record_spool import ArticleSpool, PrintSpool, ids_of
from parsers.records import Article, Page
from warehouse.db import connect, open_warehouse, run_lock
from warehouse.errors import to_clear_error
from warehouse.load import LoadBatch, LoadCounts, load_batch
from warehouse.quality import run_checks
from warehouse.seed_files import SeedFile, read_seed_files
from warehouse.state import (
    WarehouseState,
    finish_run,
    quelle_version,
    read_cited_urls,
    read_fingerprints,
    read_pages,
    read_state,
    start_run,
)

T = TypeVar("T")


def new_run_id(now: datetime | None = None) -> str:
    """A sortable run id: UTC time plus a short random suffix."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def run_name() -> str:
    """Flow runs are named by their date (and time, since a day can hold several)."""
    settings = load_settings()
    local = datetime.now(ZoneInfo(settings.timezone))
    return f"nightly {local:%Y-%m-%d %H:%M}"


@contextmanager
def timed(summary: RunSummary, stage: str) -> Iterator[None]:
    """Record a stage's wall time, CPU time and the process's peak RSS by its end."""
    start, cpu = time.perf_counter(), _cpu_s()
    try:
        yield
    finally:
        summary.timings[stage] = round(time.perf_counter() - start, 3)
        summary.cpu_s[stage] = round(_cpu_s() - cpu, 2)
        # The peak only grows: the stage whose figure jumps is the one that needed the memory.
        summary.peak_rss_mb[stage] = peak_rss_mb()
        # What the stage freed stays resident in the C heap unless returned.
        release_freed()


def _cpu_s() -> float:
    """CPU seconds of this process and its ended children (a stage's worker pools end in it)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB: Linux's VmHWM (ru_maxrss without
    /proc).

    Not ru_maxrss where VmHWM is there: Linux carries the high-water mark of the image a
    process replaced over exec, so a run forked by a big process starts at that one's peak
    (the benchmark's 100k runs began at 1.9 GB, with 0.4 GB of their own).
    """
    with contextlib.suppress(OSError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@dataclass(frozen=True, slots=True)
class Opening:
    """What the run reads before its work: stored state and archived pages."""

    state: WarehouseState
    archive: dict[str, Page]
    since_urls: list[str]


@task(name="read seeds", cache_policy=NO_CACHE)
def read_seeds_task(settings: Settings, into: ArticleSpool) -> SeedBatch:
    """Read and parse every seed file the last run did not see unchanged into the night's
    spool; bad files become rejects."""
    known = {} if settings.reread_seeds else known_seed_files(settings)
    with progress.stage("seeds", None, get_run_logger()):
        batch = read_seeds(settings.seeds_dir, known=known, into=into)
    get_run_logger().info(
        "%d seed files: %d read into articles, %d unchanged since the last run (not read), "
        "%d rejects",
        batch.files, len(batch.articles), len(batch.unchanged), len(batch.rejects),
    )
    return batch


def known_seed_files(settings: Settings) -> dict[str, SeedFile]:
    """The seed files the warehouse recorded for this seeds directory (none when it is new)."""
    if not settings.seeds_dir.is_dir():
        return {}  # read_seeds names the missing directory
    con = open_warehouse(settings.db_path)
    try:
        return read_seed_files(con, seeds_key(settings.seeds_dir), quelle_version())
    finally:
        con.close()


@task(name="open warehouse", cache_policy=NO_CACHE)
def open_task(
    settings: Settings,
    run_id: str,
    urls: list[str] | None,
    since: date | None,
    shard: str | None = None,
    bodies: bool = False,
) -> Opening:
    """Migrate the warehouse, record the run as started, read state and archived pages.

    urls=None reads the whole archive with bodies (replay); otherwise bodies stay on disk
    unless asked for (a shard's plan carries them), and `with_bodies` fetches the few a night
    re-parses. shard describes a sharded night in `runs`.
    """
    con = open_warehouse(settings.db_path)
    try:
        start_run(
            con, run_id, _flow_run_id(), datetime.now(UTC), str(settings.seeds_dir), shard
        )
        since_urls = (
            read_cited_urls(con, datetime.combine(since, dtime(), UTC)) if since else []
        )
        state = read_state(con)
        wanted = None if urls is None else list(dict.fromkeys(urls + since_urls))
        archive = read_pages(con, wanted, bodies=bodies or urls is None)
    finally:
        con.close()
    get_run_logger().info(
        "warehouse %s: %d articles, %d archived pages for tonight's URLs",
        settings.db_path, len(state.known_sha), len(archive),
    )
    return Opening(state, archive, since_urls)


@task(name="fetch sources", cache_policy=NO_CACHE)
def fetch_task(
    urls: list[str],
    settings: Settings,
    archive: dict[str, Page],
    packer: Packer,
    held: BodySpool,
) -> list[FetchResult]:
    """Fetch the cited URLs politely, each once; put new bodies in `held` (a spool on disk)
    and queue them for the packer as they come."""

    def arrived(result: FetchResult) -> FetchResult:
        """Count the result, put its body aside, and queue it for packing."""
        progress.advance()
        result = held.hold(result)
        packer.add(result)
        return result

    with progress.stage("fetch", len(urls), get_run_logger()):
        results = fetch_all(urls, settings, archive, on_result=arrived)
    outcomes = Counter(r.outcome for r in results)
    # One line per outcome class, not per URL: thousands of log lines cost the API seconds.
    classes = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
    get_run_logger().info("fetched %d URLs: %s", len(results), classes)
    for r in [r for r in results if r.page is None][:20]:
        get_run_logger().info("%s %s", r.outcome, r.url)
    return results


@task(name="parse pages", cache_policy=NO_CACHE)
def parse_task(pages: Sequence[Page], workers: int) -> ParsedPages:
    """Parse fetched pages into articles."""
    with progress.stage("parse", len(pages), get_run_logger()):
        parsed = parse_pages(pages, workers)
    get_run_logger().info(
        "parsed %d pages: %d articles, %d rejects",
        len(pages), len(parsed.articles), len(parsed.rejects),
    )
    return parsed


@task(name="fingerprint articles", cache_policy=NO_CACHE)
def fingerprint_task(
    articles: Sequence[Article],
    known_sha: dict[str, str],
    workers: int,
    early: Background[Any, Any] | None,
) -> list[Fingerprint]:
    """Fingerprint the new and changed articles (unchanged ones keep their stored prints)."""
    changed = changed_articles(articles, known_sha)
    with progress.stage("fingerprint", len(changed), get_run_logger()):
        ready = early.collect() if early is not None else []
        progress.advance(len(ready))
        fps = to_fingerprints(changed, workers, ready)
    get_run_logger().info(
        "fingerprinted %d new/changed of %d articles (%d while fetching)",
        len(fps), len(articles), len(ready),
    )
    return fps


@task(name="match stories", cache_policy=NO_CACHE)
def match_task(
    articles: Sequence[Article],
    fps: list[Fingerprint],
    state: WarehouseState,
    seen_ids: set[str],
    db_path: Path,
    workers: int,
) -> MatchResult:
    """Match new and changed articles against the whole warehouse and assign stories."""
    with progress.stage("match", None, get_run_logger()):
        stored = stored_fingerprints(db_path) if fps else {}
        result = match_stories(
            articles, fps, state.known_sha, stored, state.members, state.citations, seen_ids,
            workers,
        )
    get_run_logger().info(
        "matched %d new/changed articles: %d edges, %d stories touched",
        len(result.fingerprints), len(result.edges),
        len({m.story_id for m in result.assignment.members}),
    )
    return result


@task(name="load warehouse", cache_policy=NO_CACHE)
def load_task(
    settings: Settings, batch: LoadBatch, packed: Callable[[], Mapping[str, bytes]] | None = None
) -> tuple[LoadCounts, list[tuple[str, int]], int]:
    """Write the run's batch in one transaction, then run the quality checks; `packed` gives
    the pages' packed bodies (the loader asks beside its first writes)."""
    con = open_warehouse(settings.db_path)
    try:
        pause = settings.fault_pause_s if settings.fault_pause_at == "load" else 0.0
        with progress.stage("load", None, get_run_logger()):
            counts = load_batch(con, batch, pause, packed)
            checks = [(c.name, c.failures) for c in run_checks(con, batch.run_id)]
        row = con.execute("select count(*) from stories").fetchone()
        total = int(row[0]) if row else 0
    finally:
        con.close()
    get_run_logger().info("loaded: %s", counts)
    return counts, checks, total


def stored_fingerprints(db_path: Path) -> dict[str, str]:
    """The warehouse's fingerprints (JSON text by article id), read when there is something
    to match them against."""
    con = connect(db_path, read_only=True)
    try:
        return read_fingerprints(con)
    finally:
        con.close()


def with_bodies(settings: Settings, pages: list[Page], held: BodySpool) -> Sequence[Page]:
    """Pages to parse with their bytes: those of tonight's fetch read back from `held` as
    the parse takes them, archived ones (read without bodies) from the warehouse now."""
    missing = [p.url for p in pages if p.body_bytes and not p.body and p.url not in held]
    if missing:
        con = connect(settings.db_path, read_only=True)
        try:
            stored = read_pages(con, missing)
        finally:
            con.close()
        pages = [stored.get(p.url, p) for p in pages]
    return held.pages(pages)


def count_seeds(counts: dict[str, Any], seeds: SeedBatch) -> None:
    """The seed counts of the run report."""
    counts["seed_files"], counts["seeds_parsed"] = seeds.files, len(seeds.articles)
    counts["seeds_unchanged"] = len(seeds.unchanged)


def _flow_run_id() -> str | None:
    """The Prefect flow run id, when running inside one."""
    value = flow_run.get_id()
    return str(value) if value else None


def _cpu(settings: Settings) -> int:
    """Worker processes for CPU-bound stages."""
    return settings.cpu_workers or default_workers()


def _by_ref(value: T) -> T:
    """Hand a big batch to a task untouched: Prefect would walk it (measured: 26% of a run)."""
    return cast(T, quote(value))


def _stage(summary: RunSummary, name: str, fn: Callable[[], T]) -> T:
    """Run one stage, timing it."""
    with timed(summary, name):
        return fn()


def _fault_point(settings: Settings, stage: str) -> None:
    """Crash tests: mark and pause at the start of the chosen stage."""
    if settings.fault_pause_at == stage and settings.fault_pause_s > 0:
        Path(f"{settings.db_path}.fault-pause").write_text(f"{stage} {os.getpid()}")
        time.sleep(settings.fault_pause_s)


@flow(name="nightly", flow_run_name=run_name, log_prints=True)
def nightly(
    seeds_dir: str = "seeds",
    db_path: str = "data/warehouse.duckdb",
    offline: bool = False,
    since: date | None = None,
    overrides: dict[str, Any] | None = None,
) -> State:
    """Read the seeds, fetch what they cite, parse, match stories, and load the warehouse.

    Args:
        seeds_dir: folder of seed article text files.
        db_path: the DuckDB warehouse file.
        offline: skip fetching; cited URLs are recorded as not fetched.
        since: also re-fetch and re-parse every URL cited by articles seen since this date.
        overrides: other settings by field name (see flows/settings.py), e.g. max_workers.
    """
    settings = load_settings(**(overrides or {})).replace(
        seeds_dir=Path(seeds_dir), db_path=Path(db_path), offline=offline
    )
    if since:
        # Re-processing means asking again: no page counts as fresh for this run.
        settings = settings.replace(revisit_young_hours=0.0, revisit_old_days=0.0)
    return _execute(settings, lambda summary: _run(settings, since, summary))


def replay_name() -> str:
    """Replays are named by their date like nightly runs."""
    return run_name().replace("nightly", "replay", 1)


@flow(name="replay", flow_run_name=replay_name, log_prints=True)
def replay(
    db_path: str = "data/warehouse.duckdb", overrides: dict[str, Any] | None = None
) -> State:
    """Re-parse every archived page with the current parsers, without network, and reload.

    Args:
        db_path: the DuckDB warehouse file.
        overrides: other settings by field name (see flows/settings.py).
    """
    settings = load_settings(**(overrides or {})).replace(db_path=Path(db_path), offline=True)
    return _execute(settings, lambda summary: _replay(settings, summary))


def _execute(settings: Settings, work: Callable[[RunSummary], None]) -> State:
    """Hold the run lock, do the work, close the run row, publish the report."""
    summary = RunSummary(new_run_id(), str(settings.db_path), str(settings.seeds_dir))
    with run_lock(settings.db_path, settings.lock_wait_s):
        try:
            work(summary)
        except Exception as exc:
            clear = to_clear_error(exc, settings.db_path)
            summary.status = "failed"
            summary.error = f"{type(clear).__name__}: {clear}"
            _close_run(settings, summary)
            notify_failure(settings, summary)
            if clear is not exc:
                raise clear from exc
            raise
        _close_run(settings, summary)
    report = to_markdown(summary)
    create_markdown_artifact(report, key="run-report", description=f"quelle run {summary.run_id}")
    _table_artifacts(summary)
    if summary.status == "failed":
        notify_failure(settings, summary)
        return Failed(message=summary.error or "run failed", data=summary)
    return Completed(message=f"run {summary.run_id} completed", data=summary)


def _run(settings: Settings, since: date | None, summary: RunSummary) -> None:
    """The stages in order, filling the summary."""
    with (
        night_dir(settings.db_path) as night,
        ArticleSpool(night / "articles") as spool,
        BodySpool(night / "bodies") as held,
    ):
        _read_and_fetch(settings, since, summary, spool, held)


@contextmanager
def night_dir(db_path: Path) -> Iterator[Path]:
    """Where a night spools its articles and bodies, removed when it ends: beside the
    warehouse, emptied first (under the run lock, what is there was left by a run that did
    not end).

    Its own user's only (0700): the article spool is pickle, read back by this process.
    """
    path = db_path.with_name(f"{db_path.name}.night")
    shutil.rmtree(path, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.mkdir(mode=0o700)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _read_and_fetch(
    settings: Settings,
    since: date | None,
    summary: RunSummary,
    spool: ArticleSpool,
    held: BodySpool,
) -> None:
    """Read the seeds into the spool, open the warehouse, then fetch and load."""
    c = summary.counts
    _fault_point(settings, "read_seeds")
    seeds = _stage(summary, "read_seeds", lambda: read_seeds_task(settings, _by_ref(spool)))
    count_seeds(c, seeds)
    urls = cited_urls(seeds.articles, seeds.unchanged)
    opening = _stage(
        summary, "open_warehouse", lambda: open_task(settings, summary.run_id, _by_ref(urls), since)
    )
    urls = list(dict.fromkeys(urls + opening.since_urls))
    c["urls_cited"] = len(urls)
    # The seeds' fingerprints need only the seeds and the stored hashes: a niced worker makes
    # them while the fetch waits on the network (its threads share one core under the GIL).
    changed_seeds = changed_articles(seeds.articles, opening.state.known_sha)
    bodies = 0 if settings.offline else len(urls)
    with (
        Background(to_fingerprint, changed_seeds) as early,
        Packer(_cpu(settings), bodies, held, held.path.with_name("packed")) as packer,
    ):
        _fetch_and_load(
            settings, since, summary, seeds, spool, held, opening, urls, early, packer
        )


def _fetch_and_load(
    settings: Settings,
    since: date | None,
    summary: RunSummary,
    seeds: SeedBatch,
    articles: ArticleSpool,
    held: BodySpool,
    opening: Opening,
    urls: list[str],
    early: Background[Any, Any],
    packer: Packer,
) -> None:
    """Fetch and parse the cited pages, then match and load everything."""
    c = summary.counts
    results: list[FetchResult] = []
    if settings.offline:
        summary.fetch_outcomes = {"skipped_offline": len(urls)} if urls else {}
    else:
        _fault_point(settings, "fetch")
        results = _stage(
            summary,
            "fetch",
            lambda: fetch_task(
                _by_ref(urls), settings, _by_ref(opening.archive), _by_ref(packer), _by_ref(held)
            ),
        )
        summary.add_fetch_outcomes([(r.url, r.outcome) for r in results])
    c["urls_fetched"] = sum(1 for r in results if r.page is not None)
    c["urls_failed"] = len(results) - c["urls_fetched"]
    fresh, unchanged = split_unchanged(results, opening.state, opening.archive, since is not None)
    pages = with_bodies(settings, fresh, held)
    c["pages_unchanged"] = len(unchanged)
    _fault_point(settings, "parse")
    parsed = _stage(summary, "parse", lambda: parse_task(_by_ref(pages), _cpu(settings)))
    # The night's articles: the seeds' in the spool, then the pages'.
    articles.extend(parsed.articles)
    parsed = replace(parsed, articles=())
    rejects = list(seeds.rejects) + fetch_rejects(results) + list(parsed.rejects)
    _load_and_check(
        settings, summary, articles, opening.state, rejects, to_archive(results),
        {**unchanged, **parsed.page_articles}, to_attempt_rows(results), list(unchanged.values()),
        packer.collect, early, seeds,
    )


def _replay(settings: Settings, summary: RunSummary) -> None:
    """Replay's stages: every archived page through today's parsers, then load."""
    opening = _stage(
        summary, "open_warehouse", lambda: open_task(settings, summary.run_id, None, None)
    )
    pages = list(opening.archive.values())
    summary.counts["pages_replayed"] = len(pages)
    parsed = _stage(summary, "parse", lambda: parse_task(_by_ref(pages), _cpu(settings)))
    _load_and_check(
        settings, summary, list(parsed.articles), opening.state, list(parsed.rejects), [],
        parsed.page_articles, [],
    )


def _load_and_check(
    settings: Settings,
    summary: RunSummary,
    articles: Sequence[Article],
    state: WarehouseState,
    rejects: list[tuple[str, str, str]],
    pages: list[Page],
    page_articles: dict[str, str],
    fetches: list[dict[str, Any]],
    seen_ids: list[str] | None = None,
    packed: Callable[[], Mapping[str, bytes]] | None = None,
    early: Background[Any, Any] | None = None,
    seeds: SeedBatch | None = None,
) -> None:
    """Match, load in one transaction, run the checks, and fill the summary.

    packed: gives the archive's packed bodies (page url → zlib), asked for when the load
    starts, so packing goes on in idle time until then (and beside the articles' insert).
    seeds: the night's seed batch, whose unchanged files' articles count as seen and whose
    files are recorded for the next night (None for a replay: the record stays).
    """
    unchanged_seeds = seeds.unchanged if seeds else ()
    seen_ids = [*(seen_ids or []), *(f.article_id for f in unchanged_seeds)]
    c = summary.counts
    match = _fingerprint_and_match(settings, summary, articles, state, set(seen_ids), early)
    changed = {f.article_id for f in match.fingerprints}
    batch = LoadBatch(
        run_id=summary.run_id,
        articles=articles,
        pages=pages,
        page_articles=page_articles,
        fetches=fetches,
        rejects=rejects,
        fingerprints=match.fingerprints,
        members=[
            _member_row(m)
            for m in match.assignment.members
            if m.article_id in changed
            or state.members.get(m.article_id) != m.story_id
            or state.roles.get(m.article_id) != m.role
        ],
        merges=match.assignment.merges,
        seen_ids=seen_ids,
        seed_files=seeds.record if seeds else (),
        seeds_dir=seeds_key(settings.seeds_dir) if seeds else None,
    )
    counts, checks, total = _stage(
        summary, "load", lambda: load_task(settings, _by_ref(batch), _by_ref(packed))
    )
    c["articles_loaded"] = len(set(ids_of(articles)) | set(seen_ids))
    c["articles_new"] = counts.articles_new
    c["articles_changed"] = counts.articles_changed
    c["articles_unchanged"] = counts.articles_unchanged
    c["rejects"] = len(rejects)
    c["stories_total"] = total
    summary.rejects = rejects
    summary.checks = checks
    summary.merges = list(match.assignment.merges)
    _story_changes(summary, match, state)
    summary.recall_without_citations = match.recall_without_citations
    summary.citation_pairs = len(match.citation_pairs)
    failed = [name for name, failures in checks if failures]
    summary.status = "failed" if failed else "completed"
    if failed:
        summary.error = f"quality checks failed: {', '.join(failed)}"


def _fingerprint_and_match(
    settings: Settings,
    summary: RunSummary,
    articles: Sequence[Article],
    state: WarehouseState,
    seen_ids: set[str],
    early: Background[Any, Any] | None,
) -> MatchResult:
    """The fingerprint and match stages; the prints leave memory with this frame where the
    match spools them (_spool_prints)."""
    fps = _stage(
        summary,
        "fingerprint",
        lambda: fingerprint_task(
            _by_ref(articles), _by_ref(state.known_sha), _cpu(settings), _by_ref(early)
        ),
    )
    _fault_point(settings, "match")
    return _stage(
        summary,
        "match",
        lambda: _spool_prints(
            match_task(
                _by_ref(articles), _by_ref(fps), _by_ref(state), seen_ids, settings.db_path,
                _cpu(settings),
            ),
            articles,
        ),
    )


def _spool_prints(match: MatchResult, articles: Sequence[Article]) -> MatchResult:
    """The match with its fingerprints spooled beside a spooled night's articles: the load
    reads them back a slice at a time, and they are not held through it (~0.27 GB at 100k)."""
    if not isinstance(articles, ArticleSpool):
        return match
    prints = PrintSpool(articles.directory.with_name("prints"))
    prints.extend(match.fingerprints)
    return replace(match, fingerprints=prints)


def _member_row(m: Any) -> dict[str, Any]:
    """A story member as the loader's row."""
    return {
        "story_id": m.story_id,
        "article_id": m.article_id,
        "role": m.role,
        "score": m.score,
        "evidence": m.evidence,
    }


def _story_changes(summary: RunSummary, match: MatchResult, state: WarehouseState) -> None:
    """Which stories are new tonight and which gained members."""
    before: dict[str, int] = {}
    for story_id in state.members.values():
        before[story_id] = before.get(story_id, 0) + 1
    after: dict[str, int] = {}
    for m in match.assignment.members:
        after[m.story_id] = after.get(m.story_id, 0) + 1
    summary.stories_new = sorted(s for s in after if s not in before)
    summary.stories_grown = sorted(s for s, n in after.items() if s in before and n > before[s])


def _close_run(settings: Settings, summary: RunSummary) -> None:
    """Write the run's final row (its own short transaction)."""
    try:
        con = open_warehouse(settings.db_path)
    except Exception:  # the warehouse itself may be what failed; the Prefect state still says it
        return
    try:
        finish_run(
            con, summary.run_id, summary.status, summary.counts, summary.timings,
            summary.error, to_markdown(summary), datetime.now(UTC),
        )
    finally:
        con.close()


def _table_artifacts(summary: RunSummary) -> None:
    """Fetch outcomes by host and the rejects as table artifacts."""
    if summary.fetch_by_host:
        create_table_artifact(
            [{"host": h, **o} for h, o in summary.fetch_by_host.items()],
            key="fetch-outcomes-by-host",
            description="Fetch outcomes by host",
        )
    if summary.rejects:
        create_table_artifact(
            [{"stage": s, "input": i, "reason": r} for s, i, r in summary.rejects],
            key="rejects",
            description="Inputs that could not be used",
        )
