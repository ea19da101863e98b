"""The spool of a sharded night: plans for the shards, their results for the one loader.

    <spool>/<run_id>/plan-<k>/    urls.arrow archive.arrow manifest.json   (the coordinator)
    <spool>/<run_id>/shard-<k>/   verdicts, articles, pages, fetches, rejects .arrow + manifest

Arrow IPC files (zstd), not pickle: typed, readable by any Arrow reader (DuckDB, pyarrow) for a
post-mortem, and no code runs on load. Each set is written in a hidden directory and renamed
into place, so a reader sees a whole set or none; manifest.json names the run and shard.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from flows.shards import ShardError
from parsers.records import Article, Citation, Image, Page
from warehouse.rows import FETCH_SCHEMA, TS, decompress_body, pack_body, to_fetch_rows
from warehouse.state import WarehouseState

FORMAT = 1
Reject = tuple[str, str, str]
_IPC = pa.ipc.IpcWriteOptions(compression="zstd")
_STR_LIST = pa.list_(pa.string())

PAGE_FIELDS = [
    ("url", pa.string()),
    ("final_url", pa.string()),
    ("status", pa.int32()),
    ("fetched_at", TS),
    ("body_z", pa.binary()),  # zlib, as the warehouse stores it
    ("headers", pa.string()),  # JSON list of [name, value]: order and repeats kept
    ("content_type", pa.string()),
    ("etag", pa.string()),
    ("last_modified", pa.string()),
    ("body_sha256", pa.string()),
    ("body_bytes", pa.int64()),
]
# Article fields by how they travel. A field added to Article and not listed here fails
# to_article_table loudly rather than vanish on the way to the loader.
_ARTICLE_LISTS = ("body", "tags")
_ARTICLE_TIMES = ("published_at", "modified_at")  # ISO text: the zone offset is kept
_ARTICLE_JSON = ("images", "citations", "provenance")
_ARTICLE_STRINGS = (
    "article_id", "origin", "lang", "extractor", "seed_path", "url", "site", "title", "lead",
    "author", "section", "canonical_url", "content_sha256",
)
ARTICLE_FIELDS = [f.name for f in fields(Article)]


@dataclass(frozen=True, slots=True)
class Plan:
    """One shard's work for one night: its URLs and what the warehouse knows of them."""

    run_id: str
    shard: int
    shards: int
    urls: list[str]  # canonical, in the night's order
    positions: list[int]  # each URL's place in the night's order (the loader sorts by it)
    archive: dict[str, Page]
    # Only what split_unchanged reads: page URL → stored article, and those articles' hashes.
    state: WarehouseState


@dataclass(frozen=True, slots=True)
class Verdict:
    """The fetch outcome of one URL of a shard, and the stored article if the page is unchanged."""

    position: int
    url: str
    outcome: str
    fetched: bool  # a page came back (new, revalidated or from the archive)
    unchanged_article_id: str | None


@dataclass(frozen=True, slots=True)
class ShardOutput:
    """What one shard fetched and parsed; every item carries its URL's position."""

    run_id: str
    shard: int
    shards: int
    verdicts: list[Verdict]
    articles: list[tuple[int, str, Article]]  # (position, page url, article)
    pages: list[tuple[int, Page]]  # pages the archive must (re)write
    compressed: dict[str, bytes]  # page url → zlib body
    fetches: list[tuple[int, dict[str, Any]]]  # attempt rows as to_attempt_rows makes them
    rejects: list[tuple[int, Reject]]  # fetch rejects first, then parse rejects
    timings: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)  # the shard process's, by stage


def group_dir(spool: Path, run_id: str) -> Path:
    """The spool directory of one sharded night."""
    return spool / run_id


def plan_dir(spool: Path, run_id: str, shard: int) -> Path:
    """Where the coordinator puts a shard's plan."""
    return group_dir(spool, run_id) / f"plan-{shard}"


def output_dir(spool: Path, run_id: str, shard: int) -> Path:
    """Where a shard puts its results."""
    return group_dir(spool, run_id) / f"shard-{shard}"


# -- Plans ------------------------------------------------------------------------------------


def write_plan(spool: Path, plan: Plan) -> Path:
    """Write a shard's plan atomically; returns its directory."""
    known = plan.state.page_articles
    urls = pa.table(
        {
            "position": pa.array(plan.positions, pa.int64()),
            "url": pa.array(plan.urls, pa.string()),
            "known_article_id": pa.array([known.get(u) for u in plan.urls], pa.string()),
            "known_sha": pa.array(
                [plan.state.known_sha.get(known.get(u, "")) for u in plan.urls], pa.string()
            ),
        }
    )
    archive = to_page_table(list(plan.archive.values()))
    target = plan_dir(spool, plan.run_id, plan.shard)
    _write_set(target, {"urls": urls, "archive": archive}, _manifest("plan", plan))
    return target


def read_plan(spool: Path, run_id: str, shard: int, shards: int) -> Plan:
    """A shard's plan, checked against the run and shard asked for."""
    target = plan_dir(spool, run_id, shard)
    tables = _read_set(target, "plan", run_id, shard, shards, ("urls", "archive"))
    rows = tables["urls"].to_pylist()
    page_articles = {r["url"]: r["known_article_id"] for r in rows if r["known_article_id"]}
    known_sha = {
        r["known_article_id"]: r["known_sha"]
        for r in rows
        if r["known_article_id"] and r["known_sha"] is not None
    }
    archive = {p.url: p for p in from_page_table(tables["archive"])}
    state = WarehouseState(
        known_sha=known_sha, members={}, roles={}, citations=[],
        page_articles=page_articles,
    )
    return Plan(
        run_id=run_id, shard=shard, shards=shards, urls=[r["url"] for r in rows],
        positions=[int(r["position"]) for r in rows], archive=archive, state=state,
    )


# -- Shard results ----------------------------------------------------------------------------


def write_output(spool: Path, out: ShardOutput) -> Path:
    """Write a shard's results atomically (a retried shard replaces its earlier set)."""
    verdicts = pa.table(
        {
            "position": pa.array([v.position for v in out.verdicts], pa.int64()),
            "url": pa.array([v.url for v in out.verdicts], pa.string()),
            "outcome": pa.array([v.outcome for v in out.verdicts], pa.string()),
            "fetched": pa.array([v.fetched for v in out.verdicts], pa.bool_()),
            "unchanged_article_id": pa.array(
                [v.unchanged_article_id for v in out.verdicts], pa.string()
            ),
        }
    )
    articles = _with_columns(
        to_article_table([a for _, _, a in out.articles]),
        position=pa.array([p for p, _, _ in out.articles], pa.int64()),
        page_url=pa.array([u for _, u, _ in out.articles], pa.string()),
    )
    pages = _with_columns(
        to_page_table([p for _, p in out.pages], out.compressed),
        position=pa.array([p for p, _ in out.pages], pa.int64()),
    )
    fetches = _with_columns(
        to_fetch_rows("", [row for _, row in out.fetches]),
        position=pa.array([p for p, _ in out.fetches], pa.int64()),
    )
    rejects = pa.table(
        {
            "position": pa.array([p for p, _ in out.rejects], pa.int64()),
            "stage": pa.array([r[0] for _, r in out.rejects], pa.string()),
            "input": pa.array([r[1] for _, r in out.rejects], pa.string()),
            "reason": pa.array([r[2] for _, r in out.rejects], pa.string()),
        }
    )
    tables = {
        "verdicts": verdicts, "articles": articles, "pages": pages, "fetches": fetches,
        "rejects": rejects,
    }
    target = output_dir(spool, out.run_id, out.shard)
    manifest = {**_manifest("shard", out), "timings": out.timings, "peak_rss_mb": out.peak_rss_mb}
    _write_set(target, tables, manifest)
    return target


def read_output(spool: Path, run_id: str, shard: int, shards: int) -> ShardOutput:
    """A shard's results, checked against the run and shard asked for."""
    names = ("verdicts", "articles", "pages", "fetches", "rejects")
    target = output_dir(spool, run_id, shard)
    tables = _read_set(target, "shard", run_id, shard, shards, names)
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    verdicts = [
        Verdict(
            int(r["position"]), r["url"], r["outcome"], bool(r["fetched"]),
            r["unchanged_article_id"],
        )
        for r in tables["verdicts"].to_pylist()
    ]
    art = tables["articles"]
    articles = list(
        zip(
            art.column("position").to_pylist(),
            art.column("page_url").to_pylist(),
            from_article_table(art),
            strict=True,
        )
    )
    pg = tables["pages"]
    pages = list(zip(pg.column("position").to_pylist(), from_page_table(pg), strict=True))
    compressed = dict(
        zip(pg.column("url").to_pylist(), pg.column("body_z").to_pylist(), strict=True)
    )
    fetch_names = [n for n in FETCH_SCHEMA.names if n != "run_id"]
    fetches = [
        (int(r["position"]), {n: r[n] for n in fetch_names})
        for r in tables["fetches"].to_pylist()
    ]
    rejects = [
        (int(r["position"]), (r["stage"], r["input"], r["reason"]))
        for r in tables["rejects"].to_pylist()
    ]
    return ShardOutput(
        run_id=run_id, shard=shard, shards=shards, verdicts=verdicts, articles=articles,
        pages=pages, compressed=compressed, fetches=fetches, rejects=rejects,
        timings=dict(manifest.get("timings") or {}),
        peak_rss_mb=dict(manifest.get("peak_rss_mb") or {}),
    )


# -- Records as Arrow columns -----------------------------------------------------------------


def to_article_table(articles: Sequence[Article]) -> pa.Table:
    """Articles as columns that give back equal records (from_article_table)."""
    unknown = set(ARTICLE_FIELDS) - {
        *_ARTICLE_STRINGS, *_ARTICLE_LISTS, *_ARTICLE_TIMES, *_ARTICLE_JSON
    }
    if unknown:
        raise TypeError(f"the spool does not know how to write Article fields {sorted(unknown)}")
    cols: dict[str, pa.Array] = {}
    for name in _ARTICLE_STRINGS:
        cols[name] = pa.array([getattr(a, name) for a in articles], pa.string())
    for name in _ARTICLE_LISTS:
        cols[name] = pa.array([list(getattr(a, name)) for a in articles], _STR_LIST)
    for name in _ARTICLE_TIMES:
        cols[name] = pa.array([_iso(getattr(a, name)) for a in articles], pa.string())
    cols["images"] = _json_column([[_image(i) for i in a.images] for a in articles])
    cols["citations"] = _json_column([[_citation(c) for c in a.citations] for a in articles])
    cols["provenance"] = _json_column([[list(p) for p in a.provenance] for a in articles])
    return pa.table(cols)


def from_article_table(table: pa.Table) -> list[Article]:
    """Articles back from to_article_table's columns."""
    out = []
    for r in table.select(ARTICLE_FIELDS).to_pylist():
        values: dict[str, Any] = {n: r[n] for n in _ARTICLE_STRINGS}
        values.update({n: tuple(r[n] or ()) for n in _ARTICLE_LISTS})
        values.update({n: _from_iso(r[n]) for n in _ARTICLE_TIMES})
        values["images"] = tuple(Image(**i) for i in json.loads(r["images"]))
        values["citations"] = tuple(Citation(**c) for c in json.loads(r["citations"]))
        values["provenance"] = tuple((k, v) for k, v in json.loads(r["provenance"]))
        out.append(Article(**values))
    return out


def to_page_table(pages: Sequence[Page], compressed: Mapping[str, bytes] | None = None) -> pa.Table:
    """Pages as columns, bodies zlib-compressed (taken from `compressed` when there)."""
    compressed = compressed or {}
    cols: dict[str, list[Any]] = {name: [] for name, _ in PAGE_FIELDS}
    for p in pages:
        cols["url"].append(p.url)
        cols["final_url"].append(p.final_url)
        cols["status"].append(p.status)
        cols["fetched_at"].append(p.fetched_at)
        cols["body_z"].append(pack_body(p, compressed))
        cols["headers"].append(json.dumps([list(h) for h in p.headers], ensure_ascii=False))
        cols["content_type"].append(p.content_type)
        cols["etag"].append(p.etag)
        cols["last_modified"].append(p.last_modified)
        cols["body_sha256"].append(p.body_sha256)
        cols["body_bytes"].append(p.body_bytes)
    return pa.table(cols, schema=pa.schema(PAGE_FIELDS))


def from_page_table(table: pa.Table) -> list[Page]:
    """Pages back from to_page_table's columns (bodies decompressed)."""
    return [
        Page(
            url=r["url"],
            final_url=r["final_url"],
            status=int(r["status"]),
            fetched_at=r["fetched_at"],
            body=decompress_body(r["body_z"]),
            headers=tuple((k, v) for k, v in json.loads(r["headers"])),
            content_type=r["content_type"],
            etag=r["etag"],
            last_modified=r["last_modified"],
            body_sha256=r["body_sha256"],
            body_bytes=r["body_bytes"],
        )
        for r in table.select([n for n, _ in PAGE_FIELDS]).to_pylist()
    ]


def _image(i: Image) -> dict[str, Any]:
    """An image as a JSON object."""
    return {"url": i.url, "file_name": i.file_name, "caption": i.caption, "credit": i.credit}


def _citation(c: Citation) -> dict[str, Any]:
    """A citation as a JSON object."""
    return {"url": c.url, "kind": c.kind, "text": c.text}


def _json_column(values: list[Any]) -> pa.Array:
    """One JSON text per row."""
    return pa.array([json.dumps(v, ensure_ascii=False) for v in values], pa.string())


def _iso(value: datetime | None) -> str | None:
    """ISO 8601 with the value's own offset (or none, if it had none)."""
    return value.isoformat() if value is not None else None


def _from_iso(value: str | None) -> datetime | None:
    """The datetime _iso wrote."""
    return datetime.fromisoformat(value) if value is not None else None


def _with_columns(table: pa.Table, **columns: pa.Array) -> pa.Table:
    """The table with more columns appended."""
    for name, column in columns.items():
        table = table.append_column(name, column)
    return table


# -- Files ------------------------------------------------------------------------------------


def _manifest(kind: str, item: Plan | ShardOutput) -> dict[str, Any]:
    """What a file set is: its kind, run and shard."""
    return {
        "format": FORMAT, "kind": kind, "run_id": item.run_id, "shard": item.shard,
        "shards": item.shards,
    }


def _write_set(target: Path, tables: Mapping[str, pa.Table], manifest: dict[str, Any]) -> None:
    """Write the tables and manifest in a hidden directory, then rename it to target."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.mkdir()
    try:
        rows = {}
        for name, table in tables.items():
            _write_table(tmp / f"{name}.arrow", table)
            rows[name] = table.num_rows
        data = json.dumps({**manifest, "rows": rows}, indent=1).encode("utf-8")
        _write_bytes(tmp / "manifest.json", data)
        _fsync(tmp)
        if target.exists():
            old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
            os.rename(target, old)
            os.rename(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, target)
        _fsync(target.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _read_set(
    target: Path, kind: str, run_id: str, shard: int, shards: int, names: Sequence[str]
) -> dict[str, pa.Table]:
    """The tables of a file set, after checking its manifest names this run and shard."""
    manifest_path = target / "manifest.json"
    if not manifest_path.exists():
        raise ShardError(f"no {kind} files for shard {shard} of {shards} at {target}")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    want = {"format": FORMAT, "kind": kind, "run_id": run_id, "shard": shard, "shards": shards}
    got = {k: manifest.get(k) for k in want}
    if got != want:
        raise ShardError(f"{target} holds {got}, expected {want}")
    tables = {name: _read_table(target / f"{name}.arrow") for name in names}
    for name, table in tables.items():
        expected = manifest.get("rows", {}).get(name)
        if expected != table.num_rows:
            raise ShardError(f"{target}/{name}.arrow has {table.num_rows} rows, not {expected}")
    return tables


def _write_table(path: Path, table: pa.Table) -> None:
    """One Arrow IPC file, flushed to disk."""
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema, options=_IPC) as w:
        w.write_table(table)
    _fsync(path)


def _read_table(path: Path) -> pa.Table:
    """One Arrow IPC file."""
    with pa.OSFile(str(path), "rb") as source:
        return pa.ipc.open_file(source).read_all()


def _write_bytes(path: Path, data: bytes) -> None:
    """A small file, flushed to disk."""
    with path.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _fsync(path: Path) -> None:
    """Flush a written file, or a directory's entries (a rename), to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
