"""The nightly flow end to end under Prefect's test harness, fetching from a real local server."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.conftest import ROOT, SEEDS, ask
from tests.servers import LocalServer, clear_proxy_env

PAGE = (ROOT / "tests/fixtures/pages/vn_laos_digital.html").read_bytes()
FAST = {
    "allowed_networks": "127.0.0.1/32",
    "min_host_delay_s": 0.0,
    "backoff_base_s": 0.01,
    "backoff_max_s": 0.05,
    "deadline_s": 5.0,
    "lock_wait_s": 5.0,
}


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalServer]:
    """A local site: the page seed 003 cites, and a 404 where seed 004's source was."""
    clear_proxy_env(monkeypatch)
    with LocalServer() as srv:
        srv.route("/thoi-su/viet-nam-lao-hop-tac-so.htm", PAGE, etag='"v1"')
        yield srv


@pytest.fixture
def seeds(tmp_path: Path, server: LocalServer) -> Path:
    """The five seeds, their Quelle lines pointed at the local server, plus two bad files."""
    out = tmp_path / "seeds"
    out.mkdir()
    for path in SEEDS.glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        text = text.replace(
            "https://baotintuc.vn/thoi-su/viet-nam-lao-mo-rong-hop-tac-cong-nghe-du-lieu-va-"
            "chuyen-doi-so-20251125140706756.htm",
            server.url("/thoi-su/viet-nam-lao-hop-tac-so.htm?utm_source=seed"),
        )
        text = text.replace(
            "https://sokhcn.haiphong.gov.vn/tin-hoat-dong-chung/", server.url("/gone/")
        )
        (out / path.name).write_text(text, encoding="utf-8")
    (out / "empty.txt").write_bytes(b"")
    (out / "binary.txt").write_bytes(bytes(range(256)) * 4)
    return out


def _run(seeds: Path, db: Path, **overrides: object) -> object:
    """One nightly run; returns the RunSummary (the flow's final state data)."""
    from flows.nightly import nightly

    state = nightly(
        seeds_dir=str(seeds), db_path=str(db), overrides={**FAST, **overrides},
        return_state=True,
    )
    return state.result(raise_on_failure=False)



def _story_of(db: Path, where: str) -> str:
    """The story id of the one article matching the condition."""
    rows = ask(db, f"select story_id from article_stories where {where}")
    assert len(rows) == 1, rows
    return str(rows[0][0])


@pytest.mark.usefixtures("prefect_harness")
def test_a_run_loads_seeds_fetches_sources_and_matches_stories(
    seeds: Path, tmp_path: Path, server: LocalServer
) -> None:
    db = tmp_path / "wh.duckdb"
    summary = _run(seeds, db)
    assert summary.status == "completed", summary.error
    assert summary.counts["seeds_parsed"] == 5
    assert summary.counts["articles_new"] == 6  # five seeds and the fetched source

    web = ask(db, "select lang, title, published_at, author from articles where origin = 'web'")
    assert len(web) == 1
    lang, title, published_at, _author = web[0]
    assert lang == "vi" and title.startswith("Việt Nam - Lào mở rộng hợp tác")
    assert published_at is not None

    # The citation is ground truth; 000 (de) and 001 (vi) match on content alone.
    assert _story_of(db, "seed_path like '003_%'") == _story_of(db, "origin = 'web'")
    assert _story_of(db, "seed_path like '000_%'") == _story_of(db, "seed_path like '001_%'")
    others = {_story_of(db, f"seed_path like '{p}_%'") for p in ("000", "002", "003", "004")}
    assert len(others) == 4

    fetches = dict(ask(db, "select status, count(*) from fetches group by status"))
    assert fetches == {"ok": 1, "http_4xx": 1}
    rejects = {(s, i.split("/")[-1][:4], r.split(":")[0]) for s, i, r in ask(
        db, "select stage, input, reason from rejects")}
    assert ("fetch", "trao", "http_4xx") in rejects
    assert {("read_seed", "empt", "empty file"), ("read_seed", "bina", "binary file")} <= rejects
    assert summary.recall_without_citations is not None
    # Every stage reports its wall time, CPU time and memory; the report's table shows them.
    stages = ["read_seeds", "open_warehouse", "fetch", "parse", "fingerprint", "match", "load"]
    assert list(summary.timings) == stages
    assert set(summary.cpu_s) == set(stages) == set(summary.peak_rss_mb)
    assert all(v >= 0 for v in summary.cpu_s.values()) and summary.cpu_s["fingerprint"] > 0
    from flows.report import to_markdown

    assert "| fingerprint |" in to_markdown(summary)
    runs = ask(db, "select status, counts->>'seeds_parsed' from runs")
    assert runs == [("completed", "5")]


@pytest.mark.usefixtures("prefect_harness")
def test_a_night_spools_its_articles_and_leaves_no_spool_behind(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import parsers.record_spool

    # Two articles a file: the night's six go to disk and are read back for the load.
    monkeypatch.setattr(parsers.record_spool, "CHUNK", 2)
    db = tmp_path / "wh.duckdb"
    left = tmp_path / "wh.duckdb.night"
    (left / "articles").mkdir(parents=True)
    (left / "articles" / "000000.pickle").write_bytes(b"left by a night that was killed")
    (left / "bodies").write_bytes(b"left too")
    seen_modes: list[int] = []
    real_extend = parsers.record_spool.ArticleSpool.extend

    def extend(self: parsers.record_spool.ArticleSpool, articles: Any) -> None:
        seen_modes.append(self.directory.parent.stat().st_mode & 0o777)
        real_extend(self, articles)

    monkeypatch.setattr(parsers.record_spool.ArticleSpool, "extend", extend)
    summary = _run(seeds, db)
    assert summary.status == "completed", summary.error
    assert summary.counts["articles_new"] == 6
    assert not left.exists()
    # The night's directory is its user's alone (the spool is pickle).
    assert seen_modes and set(seen_modes) == {0o700}
    # Each record came back whole: six distinct bodies, each the join of its paragraphs.
    bodies = ask(db, "select count(distinct body), count(*) from articles "
                     "where body = array_to_string(paragraphs, chr(10) || chr(10))")
    assert bodies == [(6, 6)]
    assert ask(db, "select count(*) from citations") == ask(
        db, "select count(*) from (select distinct article_id, url from citations)"
    )
    assert len(ask(db, "select 1 from fingerprints")) == 6


@pytest.mark.usefixtures("prefect_harness")
def test_a_second_run_adds_no_rows_keeps_story_ids_and_downloads_nothing(
    seeds: Path, tmp_path: Path, server: LocalServer
) -> None:
    db = tmp_path / "wh.duckdb"
    _run(seeds, db)
    tables = ["articles", "citations", "pages", "stories", "story_members", "fingerprints",
              "article_versions"]
    before = {t: ask(db, f"select count(*) from {t}")[0][0] for t in tables}
    stories_before = ask(db, "select article_id, story_id, role from story_members order by 1")
    page_gets = len(server.seen("/thoi-su/viet-nam-lao-hop-tac-so.htm"))
    summary = _run(seeds, db)
    assert summary.status == "completed", summary.error
    assert summary.counts["articles_new"] == 0 and summary.counts["articles_changed"] == 0
    assert summary.counts["pages_unchanged"] == 1  # the archived page is not parsed again
    assert ask(db, "select count(distinct last_seen_run) from articles") == [(1,)]
    assert {t: ask(db, f"select count(*) from {t}")[0][0] for t in tables} == before
    assert ask(db, "select article_id, story_id, role from story_members order by 1") == (
        stories_before
    )
    # The archive is fresh: the page is not asked for again.
    assert len(server.seen("/thoi-su/viet-nam-lao-hop-tac-so.htm")) == page_gets
    assert ask(db, "select count(*) from runs where status = 'completed'") == [(2,)]


@pytest.mark.usefixtures("prefect_harness")
def test_unchanged_seed_files_are_not_read_again_and_their_articles_stand(
    seeds: Path, tmp_path: Path, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.seeds

    monkeypatch.setattr(flows.seeds, "SETTLE_NS", 0)  # the files were written just now
    db = tmp_path / "wh.duckdb"
    first = _run(seeds, db)
    members = ask(db, "select article_id, story_id, role from story_members order by 1")
    again = _run(seeds, db)
    assert again.status == "completed", again.error
    c = again.counts
    assert (c["seed_files"], c["seeds_parsed"], c["seeds_unchanged"]) == (7, 0, 5)
    # Their stored citations are fetched as if read: same URLs, the page still revisited.
    assert c["urls_cited"] == first.counts["urls_cited"] == 2
    assert c["pages_unchanged"] == 1
    assert (c["articles_new"], c["articles_changed"], c["articles_unchanged"]) == (0, 0, 6)
    assert ask(db, "select count(distinct last_seen_run) from articles") == [(1,)]
    assert ask(db, "select article_id, story_id, role from story_members order by 1") == members
    # Bad files are not recorded: they are read and reported again every night.
    assert {i for s, i, _ in again.rejects if s == "read_seed"} == {"empty.txt", "binary.txt"}

    edited = next(seeds.glob("000_*.txt"))
    edited.write_text(edited.read_text(encoding="utf-8") + "\nEin neuer Absatz.\n")
    third = _run(seeds, db)
    assert (third.counts["seeds_parsed"], third.counts["seeds_unchanged"]) == (1, 4)
    assert third.counts["articles_changed"] == 1
    forced = _run(seeds, db, reread_seeds=True)
    assert (forced.counts["seeds_parsed"], forced.counts["seeds_unchanged"]) == (5, 0)
    assert forced.counts["articles_changed"] == 0


@pytest.mark.usefixtures("prefect_harness")
def test_quelle_run_reread_seeds_reads_the_unchanged_files_too(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import flows.seeds
    from flows.cli import main

    monkeypatch.setattr(flows.seeds, "SETTLE_NS", 0)
    db = tmp_path / "wh.duckdb"
    run = ["run", "--seeds", str(seeds), "--db", str(db), "--offline", "--json", "--no-progress"]
    counts = []
    for extra in ([], [], ["--reread-seeds"]):
        main([*run, *extra])
        out = capsys.readouterr().out
        summary = json.loads(out[out.index("{"):])
        counts.append((summary["counts"]["seeds_parsed"], summary["counts"]["seeds_unchanged"]))
    assert counts == [(5, 0), (0, 5), (5, 0)]


@pytest.mark.usefixtures("prefect_harness")
def test_a_translation_arriving_a_night_later_joins_the_stored_story(
    seeds: Path, tmp_path: Path, server: LocalServer
) -> None:
    db = tmp_path / "wh.duckdb"
    later = next(seeds.glob("001_*.txt"))
    held = tmp_path / later.name
    later.rename(held)
    _run(seeds, db)
    held.rename(later)
    summary = _run(seeds, db)
    assert summary.status == "completed", summary.error
    assert summary.counts["articles_new"] == 1
    # Matched against the German original's stored fingerprint, not only tonight's articles.
    assert _story_of(db, "seed_path like '001_%'") == _story_of(db, "seed_path like '000_%'")


@pytest.mark.usefixtures("prefect_harness")
def test_offline_run_loads_the_seeds_and_fetches_nothing(
    seeds: Path, tmp_path: Path, server: LocalServer
) -> None:
    from flows.nightly import nightly

    db = tmp_path / "wh.duckdb"
    state = nightly(seeds_dir=str(seeds), db_path=str(db), offline=True, overrides=FAST,
                    return_state=True)
    summary = state.result(raise_on_failure=False)
    assert summary.status == "completed"
    assert ask(db, "select count(*) from articles") == [(5,)]
    assert ask(db, "select count(*) from fetches") == [(0,)]
    assert server.seen() == []


@pytest.mark.usefixtures("prefect_harness")
def test_a_missing_seeds_directory_fails_the_run_with_its_reason(tmp_path: Path) -> None:
    from flows.nightly import nightly

    db = tmp_path / "wh.duckdb"
    state = nightly(seeds_dir=str(tmp_path / "none"), db_path=str(db), overrides=FAST,
                    return_state=True)
    assert state.is_failed()
    assert "seeds directory not found" in str(state.message)


@pytest.mark.usefixtures("prefect_harness")
def test_replay_reparses_the_archive_without_network(
    seeds: Path, tmp_path: Path, server: LocalServer
) -> None:
    from flows.nightly import replay

    db = tmp_path / "wh.duckdb"
    _run(seeds, db)
    con = duckdb.connect(str(db))
    con.execute("update articles set title = 'stale title from an old parser' where origin = 'web'")
    con.execute("update articles set content_sha256 = 'old' where origin = 'web'")
    con.close()
    server.stop()  # no network: replay must not need it
    state = replay(db_path=str(db), overrides=FAST, return_state=True)
    summary = state.result(raise_on_failure=False)
    assert summary.status == "completed", summary.error
    assert summary.counts["pages_replayed"] == 1
    title = ask(db, "select title from articles where origin = 'web'")[0][0]
    assert title.startswith("Việt Nam - Lào")
    shutil.rmtree(seeds)
