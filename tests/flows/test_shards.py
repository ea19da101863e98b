"""Sharded nights: hosts split stably, shards spool their work, one loader writes the warehouse.

The shard runs execute in this process here (run_deployment replaced by a direct call under
Prefect's test harness); tests/e2e/test_shard_workers.py runs them on two real workers.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from flows import sharded_flow
from flows.fetch import to_host_key
from flows.shards import shard_of, shard_of_url, split_by_shard
from flows.spool import (
    from_article_table,
    from_page_table,
    plan_dir,
    read_output,
    to_article_table,
    to_page_table,
    write_plan,
)
from parsers.records import Page
from tests.conftest import ROOT, ask
from tests.shard_sites import SHARDS, ShardSites

FAST = {
    "allowed_networks": "127.0.0.0/8",
    "min_host_delay_s": 0.0,
    "backoff_base_s": 0.01,
    "backoff_max_s": 0.05,
    "deadline_s": 5.0,
    "lock_wait_s": 5.0,
}
# Columns that differ between two runs of the same night: run ids, clocks, the Date header.
VARYING = {
    "articles": ["first_seen_run", "last_seen_run", "updated_at"],
    "article_versions": ["run_id", "recorded_at"],
    "citations": [],
    "pages": ["fetched_at", "headers"],
    "fetches": ["run_id", "started_at", "duration_ms"],
    "fingerprints": [],
    "stories": ["first_seen_run", "updated_at"],
    "story_members": [],
    "story_merges": ["run_id", "merged_at"],
    "rejects": ["run_id", "rejected_at"],
    "quality_checks": ["run_id", "checked_at"],
}


@pytest.fixture(scope="module")
def sites() -> Iterator[ShardSites]:
    """Four hosts, two in each shard, for the whole module."""
    with ShardSites() as s:
        yield s


@pytest.fixture(scope="module")
def seeds(sites: ShardSites, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seeds citing every page of the four hosts."""
    return sites.write_seeds(tmp_path_factory.mktemp("shard-seeds") / "seeds")


def _in_process(break_shard: int | None = None) -> Callable[..., Any]:
    """A run_deployment that runs the shard flow here (as a subflow) and returns its flow run.

    break_shard: delete that shard's plan first, so its run fails the way a lost spool would.
    """

    def run(name: str, parameters: dict[str, Any], **kwargs: Any) -> Any:
        from prefect import get_client

        from flows.shard_flow import nightly_shard

        assert name == sharded_flow.SHARD_DEPLOYMENT
        assert kwargs["timeout"] == 0  # started, not awaited one by one
        if parameters["shard"] == break_shard:
            spool = Path(parameters["spool_dir"])
            shutil.rmtree(plan_dir(spool, parameters["run_id"], break_shard))
        state = nightly_shard(**parameters, return_state=True)
        with get_client(sync_client=True) as client:
            return client.read_flow_run(state.state_details.flow_run_id)

    return run


def _sharded(
    monkeypatch: pytest.MonkeyPatch, seeds: Path, db: Path, spool: Path,
    runner: Callable[..., Any] | None = None, **params: Any,
) -> Any:
    """One sharded night with the shard runs in this process; returns its final state."""
    monkeypatch.setattr(sharded_flow, "run_deployment", runner or _in_process())
    overrides = {**FAST, **params.pop("overrides", {})}
    return sharded_flow.nightly_sharded(
        shards=SHARDS, seeds_dir=str(seeds), db_path=str(db), spool_dir=str(spool),
        overrides=overrides, return_state=True, **params,
    )


def _content(db: Path, table: str) -> list[tuple[object, ...]]:
    """A table's rows without the columns that vary between runs, sorted."""
    drop = VARYING[table]
    cols = f"* exclude ({', '.join(drop)})" if drop else "*"
    return ask(db, f"select {cols} from {table} order by all")


@pytest.fixture(scope="module")
def sharded_db(
    seeds: Path, sites: ShardSites, tmp_path_factory: pytest.TempPathFactory, prefect_harness: None
) -> Path:
    """The warehouse after one sharded night over the four hosts."""
    out = tmp_path_factory.mktemp("sharded")
    with pytest.MonkeyPatch.context() as mp:
        state = _sharded(mp, seeds, out / "wh.duckdb", out / "spool")
    summary = state.result(raise_on_failure=False)
    assert state.is_completed(), summary.error
    return out / "wh.duckdb"


def test_shard_of_is_the_same_in_every_process() -> None:
    # Pinned: a salted hash (Python's hash()) would give other values in another process.
    assert [shard_of("baotintuc.vn", n) for n in (1, 2, 3, 5)] == [0, 0, 2, 3]
    assert [shard_of("vnexpress.net", n) for n in (1, 2, 3, 5)] == [0, 1, 1, 0]
    assert [shard_of("127.0.0.2:8080", n) for n in (1, 2, 3, 5)] == [0, 1, 0, 0]


def test_every_url_lands_in_exactly_one_shard_with_the_rest_of_its_host() -> None:
    urls = [f"https://site{h}.example/{p}.htm" for p in range(3) for h in range(40)]
    for shards in (1, 2, 3, 5):
        parts = split_by_shard(urls, shards)
        assert sorted(u for part in parts for u in part) == sorted(urls)
        for k, part in enumerate(parts):
            assert part, f"shard {k} of {shards} got no host of 40"
            assert part == [u for u in urls if u in set(part)]  # the night's order kept
            assert {shard_of_url(u, shards) for u in part} == {k}
        hosts = {to_host_key(u): {k for k, part in enumerate(parts) if u in part} for u in urls}
        assert all(len(ks) == 1 for ks in hosts.values())


def test_articles_and_pages_come_back_from_the_spool_equal(tmp_path: Path, seeds: Path) -> None:
    from flows.seeds import read_seeds
    from parsers.html import parse_html

    html = (ROOT / "tests/fixtures/html/nld/article.html").read_bytes()
    web = parse_html(html, "http://127.0.0.2/kinh-te/gia-xang-dau.htm", "text/html")
    articles = [*read_seeds(seeds).articles, web]
    assert any(a.published_at is not None for a in articles)
    assert from_article_table(to_article_table(articles)) == articles
    page = Page(
        url="http://127.0.0.2/a.htm", final_url="http://127.0.0.2/b.htm", status=200,
        fetched_at=datetime(2026, 11, 2, 3, 4, 5, 678901, tzinfo=UTC), body=html,
        headers=(("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")), content_type="text/html",
        etag='"v1"', last_modified=None,
    )
    assert from_page_table(to_page_table([page])) == [page]


@pytest.mark.usefixtures("prefect_harness")
def test_a_shard_run_fetches_only_its_hosts_and_spools_its_results(
    seeds: Path, sites: ShardSites, tmp_path: Path
) -> None:
    from flows.seeds import read_seeds
    from flows.shard_flow import nightly_shard
    from flows.stages import cited_urls
    from warehouse.state import WarehouseState

    urls = cited_urls(read_seeds(seeds).articles)
    empty = WarehouseState({}, {}, {}, [], {})
    spool = tmp_path / "spool"
    for plan in sharded_flow.to_plans("r1", urls, SHARDS, empty, {}):
        write_plan(spool, plan)
    for s in sites.servers:
        s.clear()
    result = nightly_shard(shard=0, shards=SHARDS, run_id="r1", spool_dir=str(spool),
                           overrides=FAST)

    out = read_output(spool, "r1", 0, SHARDS)
    mine = split_by_shard(urls, SHARDS)[0]
    assert [v.url for v in out.verdicts] == mine
    assert result["urls"] == len(mine) and result["articles"] == len(out.articles) > 0
    assert {to_host_key(p.url) for _, p in out.pages} <= {to_host_key(u) for u in mine}
    asked = {to_host_key(s.url("/")) for s in sites.servers if s.seen()}
    assert asked == {to_host_key(u) for u in mine}  # the other shard's hosts heard nothing


@pytest.mark.usefixtures("prefect_harness")
def test_a_sharded_night_loads_what_a_nightly_run_loads(
    seeds: Path, sites: ShardSites, sharded_db: Path, tmp_path: Path
) -> None:
    from flows.nightly import nightly

    plain = tmp_path / "plain.duckdb"
    state = nightly(seeds_dir=str(seeds), db_path=str(plain), overrides=FAST, return_state=True)
    assert state.is_completed(), state.message
    for table in VARYING:
        assert _content(sharded_db, table) == _content(plain, table), table
    assert ask(sharded_db, "select status from runs") == [("completed",)]
    web = ask(sharded_db, "select url, count(*) from articles where origin = 'web' group by url")
    assert sorted(web) == sorted((u, 1) for u in sites.article_urls)
    hosts = {to_host_key(u) for (u,) in ask(sharded_db, "select url from fetches")}
    assert hosts == set(sites.hosts)  # fetched by both shards, loaded by one writer
    spool = sharded_db.parent / "spool"
    assert list(spool.iterdir()) == []  # loaded, so the night's spool is gone


@pytest.mark.usefixtures("prefect_harness")
def test_an_unchanged_sharded_night_revalidates_and_adds_nothing(
    seeds: Path, sites: ShardSites, sharded_db: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = Path(shutil.copy(sharded_db, tmp_path / "again.duckdb"))
    tables = ["articles", "pages", "stories", "story_members", "fingerprints", "citations"]
    before = {t: _content(db, t) for t in tables}
    counts = {t: ask(db, f"select count(*) from {t}") for t in tables}
    # Every page is due again: each gets a conditional request, answered 304 from the plan's
    # archived validators, and none is parsed again.
    state = _sharded(monkeypatch, seeds, db, tmp_path / "spool",
                     overrides={"revisit_young_hours": 0.0})
    summary = state.result(raise_on_failure=False)
    assert state.is_completed(), summary.error
    assert summary.counts["pages_unchanged"] == len(sites.article_urls)
    assert summary.counts["articles_new"] == summary.counts["articles_changed"] == 0
    assert summary.fetch_outcomes.get("not_modified") == len(sites.article_urls) + 1
    assert {t: ask(db, f"select count(*) from {t}") for t in tables} == counts
    assert {t: _content(db, t) for t in before} == before


@pytest.mark.usefixtures("prefect_harness")
def test_a_failed_shard_fails_the_night_with_its_reason_and_loads_nothing(
    seeds: Path, sites: ShardSites, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, spool = tmp_path / "wh.duckdb", tmp_path / "spool"
    state = _sharded(monkeypatch, seeds, db, spool, runner=_in_process(break_shard=1))
    assert state.is_failed()
    message = str(state.message)
    assert "1 of 2 shard run(s) did not complete" in message
    assert "shard 1 Failed" in message and "no plan files for shard 1 of 2" in message
    assert ask(db, "select status from runs") == [("failed",)]
    for table in ("articles", "pages", "fetches", "stories", "rejects"):
        assert ask(db, f"select count(*) from {table}") == [(0,)], table
    [night] = list(spool.iterdir())
    assert (night / "shard-0" / "manifest.json").exists()  # kept for the post-mortem


@pytest.mark.usefixtures("prefect_harness")
def test_a_shard_no_worker_takes_fails_the_night_at_the_timeout_and_is_cancelled(
    seeds: Path, sites: ShardSites, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect import get_client
    from prefect.states import Scheduled

    from flows.shard_flow import nightly_shard

    created = []

    def never_picked_up(name: str, parameters: dict[str, Any], **kwargs: Any) -> Any:
        later = Scheduled(scheduled_time=datetime.now(UTC) + timedelta(days=1))
        with get_client(sync_client=True) as client:
            run = client.create_flow_run(nightly_shard, parameters=parameters, state=later)
        created.append(run.id)
        return run

    monkeypatch.setattr(sharded_flow, "POLL_S", 0.1)
    for s in sites.servers:
        s.clear()
    db = tmp_path / "wh.duckdb"
    state = _sharded(monkeypatch, seeds, db, tmp_path / "spool", runner=never_picked_up,
                     timeout_s=0.5)
    assert state.is_failed()
    assert "shard 0 not finished after 0.5 s (is a worker polling" in str(state.message)
    with get_client(sync_client=True) as client:
        finals = [client.read_flow_run(i).state for i in created]
    assert len(finals) == SHARDS and all(s is not None and s.is_cancelled() for s in finals)
    assert ask(db, "select count(*) from articles") == [(0,)]
    assert all(s.seen() == [] for s in sites.servers)
