"""One run's load: every table in one transaction, upserts by key, lineage and history."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from parsers.record_spool import citations_of, ids_of, latest, shas_of
from parsers.records import Article, Page
from warehouse.errors import to_clear_error
from warehouse.rows import (
    PAGE_META_SCHEMA,
    TS,
    to_article_rows,
    to_fetch_rows,
    to_json_array,
    to_page_meta,
    to_page_rows,
    to_print_json_array,
)
from warehouse.seed_files import SeedFile, to_seed_file_rows
from warehouse.state import quelle_version

T = TypeVar("T")
R = TypeVar("R")
# Rows turned into Arrow and inserted at a time. The night's whole batch as Arrow columns was
# ~2 GB at 100k articles on top of the records; a slice of 10k holds ~1/10 of that, and
# DuckDB appends the slices to the same transaction's row groups.
CHUNK_ROWS = 10_000
# Wide rows go in smaller slices. An article is read back from the night's spool for its row:
# its record (~10 KB) and Arrow row (~16 KB: body and paragraphs) were ~260 MB for 10k. A
# fingerprint's row is a dict with its anchors as a list of strings, then JSON: ~250 MB for
# 10k. In slices of 2,000 the load no longer raised a night's peak memory (measured at 100k).
WIDE_CHUNK_ROWS = 2_000
# Pages carry their packed bodies (~25 KB each on news sites): a smaller slice keeps the
# Arrow copy of the bodies at ~25 MB instead of the night's whole archive.
PAGE_CHUNK_ROWS = 1_000
# Compression methods a load's commit does not try (see load_batch).
NOT_COMPRESSED = "fsst"
# Columns a page with its archived body updates in place: not its key, nor what the body fixes.
_PAGE_META = tuple(
    n for n in PAGE_META_SCHEMA.names if n not in ("url", "body_sha256", "body_bytes")
)


class StoredPrint(Protocol):
    """A fingerprint as the load writes it (parsers.fingerprint.Fingerprint is one)."""

    @property
    def article_id(self) -> str: ...

    @property
    def content_sha256(self) -> str: ...

    def to_row(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class LoadBatch:
    """Everything a run writes, as values; the loader is the only writer."""

    run_id: str
    articles: Sequence[Article] = ()
    pages: Sequence[Page] = ()
    page_articles: Mapping[str, str] = field(default_factory=dict)  # page url → article_id
    fetches: Sequence[Mapping[str, Any]] = ()
    rejects: Sequence[tuple[str, str, str]] = ()  # (stage, input, reason)
    # Rows are made a slice at a time: as dicts, a 100k night's held 345 MB through the load.
    fingerprints: Sequence[StoredPrint] = ()
    members: Sequence[Mapping[str, Any]] = ()  # story_id, article_id, role, score, evidence
    merges: Sequence[tuple[str, str]] = ()  # (merged_id, into_id)
    # Articles seen again unchanged without being re-parsed (their page did not change).
    seen_ids: Sequence[str] = ()
    compressed: Mapping[str, bytes] = field(default_factory=dict)  # page url → zlib body
    # The seed files tonight's articles came from, recorded for seeds_dir (None: kept as is).
    seed_files: Sequence[SeedFile] = ()
    seeds_dir: str | None = None


@dataclass(frozen=True, slots=True)
class LoadCounts:
    """What the load changed, for the run report."""

    articles_new: int
    articles_changed: int
    articles_unchanged: int
    pages: int
    fetches: int
    rejects: int
    stories: int
    members: int


def load_batch(
    con: duckdb.DuckDBPyConnection,
    batch: LoadBatch,
    fault_pause_s: float = 0.0,
    packed: Callable[[], Mapping[str, bytes]] | None = None,
) -> LoadCounts:
    """Write the batch in one transaction; on any error nothing of it stays.

    packed, when given, supplies the pages' packed bodies (batch.compressed's role). It runs
    in a thread beside the writes, so packing what is still unpacked overlaps the articles'
    insert, which leaves a core idle; the pages are written last, once it is done.

    fault_pause_s > 0 (tests only) pauses inside the transaction, after the articles are
    written, and marks the pause with a file `<db>.fault-pause`, so a test can kill the
    process mid-load.
    """
    now = datetime.now(UTC)
    # FSST is what the commit's compression spends most on (the paragraphs column): without it
    # a 10k night's load took ~11% less time for a file ~10% larger (639 -> 703 MB).
    con.execute(f"set disabled_compression_methods = '{NOT_COMPRESSED}'")
    prints = latest(batch.fingerprints)  # a spool's prints are read back a slice at a time
    with (
        _scratch_path(con, ".parquet") as print_rows,
        ThreadPoolExecutor(2, thread_name_prefix="load-side") as side,
    ):
        packing = side.submit(packed) if packed is not None else None
        # The fingerprints' rows (JSON made in Python, ~80 us a print) are written to a file
        # while DuckDB inserts the articles and leaves the GIL free: at 100k their slices had
        # taken 13 s after the articles' 20.
        writing = side.submit(_write_print_rows, prints, print_rows) if prints else None
        con.execute("begin transaction")
        try:
            new, changed, same = _load_articles(con, batch, now)
            _load_citations(con, batch.articles)
            if fault_pause_s > 0:
                _pause_for_fault(con, fault_pause_s)
            _insert(con, "fetches", to_fetch_rows(batch.run_id, batch.fetches))
            _load_rejects(con, batch, now)
            _load_fingerprints(con, prints, writing)
            n_stories = _load_stories(con, batch, now)
            _load_seed_files(con, batch)
            if packing is not None:
                batch = replace(batch, compressed=packing.result())
            _load_pages(con, batch)
            _commit_checkpointed(con)
        except BaseException as exc:
            _rollback(con)
            clear = to_clear_error(exc, "file")  # the flow names the path
            if clear is not exc:
                raise clear from exc
            raise
        finally:
            with contextlib.suppress(duckdb.Error):
                con.execute("reset disabled_compression_methods")
    return LoadCounts(
        articles_new=new,
        articles_changed=changed,
        articles_unchanged=same,
        pages=len(batch.pages),
        fetches=len(batch.fetches),
        rejects=len(batch.rejects),
        stories=n_stories,
        members=len(batch.members),
    )


def _commit_checkpointed(con: duckdb.DuckDBPyConnection) -> None:
    """Commit as a checkpoint, so the batch is written to the file once.

    DuckDB sizes a commit by its rows, not by its strings: a load of ~100k rows carrying
    hundreds of MB of text and bodies went to the WAL whole and was written again by the
    checkpoint of whichever commit came next (measured: +1 s CPU on a 10k re-load). With the
    threshold at zero the commit checkpoints and skips the WAL; the file header is swapped
    last, so a crash in the middle leaves the warehouse as it was before the load.
    """
    con.execute("set checkpoint_threshold = '0b'")
    try:
        con.execute("commit")
    finally:
        with contextlib.suppress(duckdb.Error):
            con.execute("reset checkpoint_threshold")  # the default for every later commit


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back, tolerating a transaction DuckDB already aborted (e.g. a failed commit)."""
    with contextlib.suppress(duckdb.Error):
        con.execute("rollback")


def _register_ids(con: duckdb.DuckDBPyConnection, name: str, ids: Sequence[str]) -> None:
    """Make a list of ids a one-column view (a bound Python list costs ~1 ms per 1000 ids)."""
    con.register(name, pa.table({"id": pa.array(list(ids), pa.string())}))


def _pause_for_fault(con: duckdb.DuckDBPyConnection, seconds: float) -> None:
    """Hold the open transaction still so a test can SIGKILL the loader in the middle."""
    db = _db_file(con)
    if db:
        Path(f"{db}.fault-pause").write_text(str(os.getpid()))
    time.sleep(seconds)


def _db_file(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The file of the connection's current database (None in memory)."""
    row = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    return Path(row[0]) if row and row[0] else None


@contextlib.contextmanager
def _scratch_path(con: duckdb.DuckDBPyConnection, suffix: str) -> Iterator[Path]:
    """A new file's path beside the warehouse (the temp dir for one in memory), removed after."""
    db = _db_file(con)
    fd, name = tempfile.mkstemp(suffix=suffix, prefix=".quelle-", dir=db.parent if db else None)
    os.close(fd)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    """Bulk insert an Arrow table by column name (table names are ours, never input)."""
    _insert_from(con, f"insert into {table} by name select * from _rows", rows)


def _insert_from(
    con: duckdb.DuckDBPyConnection, sql: str, rows: pa.Table, params: list[Any] | None = None
) -> None:
    """Run an insert that reads the Arrow table as `_rows`, unless it has no rows.

    DuckDB finds `_rows` among this frame's locals (its replacement scan). A table given to
    `register` stays alive until the transaction ends, unregistered or not: every 10k-row
    slice of a night's articles was held until the commit (~2 GB of Arrow at 100k).
    """
    if rows.num_rows:
        _rows = rows  # noqa: F841 - read by name in the SQL
        con.execute(sql, params or [])


def _load_articles(
    con: duckdb.DuckDBPyConnection, batch: LoadBatch, now: datetime
) -> tuple[int, int, int]:
    """Upsert articles by id; keep every distinct content version in article_versions.

    The batch is split in Python against the stored (id, hash) pairs, so that each part is a
    plain Arrow insert: new and changed articles are written whole (a changed one replaces its
    row and keeps its first_seen_run), unchanged ones only move last_seen_run. The MERGE this
    replaces carried every text column through a join: 1.5x the insert of the same new rows,
    and ~1 s per 10k unchanged articles that needed one column set.
    """
    unique = latest(batch.articles)  # a spool's records are read back a slice at a time
    ids, shas = ids_of(unique), shas_of(unique)
    stored: dict[str, tuple[str, str]] = {}  # article_id → (content_sha256, first_seen_run)
    versions: set[tuple[str, str]] = set()
    if ids:
        _register_ids(con, "_ids", ids)
        stored = {
            r[0]: (r[1], r[2])
            for r in con.execute(
                "select article_id, content_sha256, first_seen_run from articles "
                "where article_id in (select id from _ids)"
            ).fetchall()
        }
        versions = set(
            con.execute(
                "select article_id, content_sha256 from article_versions "
                "where article_id in (select id from _ids)"
            ).fetchall()
        )
        con.unregister("_ids")
    old = [stored.get(i) for i in ids]
    write = [o is None or o[0] != sha for sha, o in zip(shas, old, strict=True)]
    versioned = [pair not in versions for pair in zip(ids, shas, strict=True)]
    # (index in unique, stored row, whether the row is written, whether a version is)
    needed = [(i, o, w, v) for i, (o, w, v) in enumerate(zip(old, write, versioned, strict=True))
              if w or v]
    changed = [ids[i] for i, o, w, _ in needed if w and o is not None]
    if changed:
        _register_ids(con, "_changed", changed)
        con.execute("delete from articles where article_id in (select id from _changed)")
        con.unregister("_changed")

    def rows_of(part: Sequence[tuple[int, Any, bool, bool]]) -> pa.Table:
        """The Arrow rows of a slice of the needed articles (read back from a spool)."""
        return to_article_rows([unique[i] for i, _, _, _ in part])

    for part, rows in _ahead(rows_of, _chunks(needed, WIDE_CHUNK_ROWS)):
        _insert_from(
            con,
            "insert into article_versions select article_id, content_sha256, ?, ?, title, "
            "lead, body, published_at, author, extractor from _rows",
            _where(rows, [v for _, _, _, v in part]),
            [batch.run_id, now],
        )
        first_seen = pa.array([o[1] if o else batch.run_id for _, o, _, _ in part], pa.string())
        _insert_from(
            con,
            "insert into articles by name select *, ?::varchar as last_seen_run, "
            "?::timestamptz as updated_at from _rows",
            _where(rows.append_column("first_seen_run", first_seen), [w for _, _, w, _ in part]),
            [batch.run_id, now],
        )
    same = [i for i, w in zip(ids, write, strict=True) if not w]
    moved = list(dict.fromkeys([*same, *batch.seen_ids]))
    if moved:
        _register_ids(con, "_seen", moved)
        con.execute(
            "update articles set last_seen_run = ? where article_id in (select id from _seen)",
            [batch.run_id],
        )
        con.unregister("_seen")
    n_changed = sum(1 for o, w in zip(old, write, strict=True) if w and o is not None)
    return len(ids) - len(same) - n_changed, n_changed, len(same) + len(set(batch.seen_ids))


def _load_seed_files(con: duckdb.DuckDBPyConnection, batch: LoadBatch) -> None:
    """Replace the seeds directory's record with tonight's files (a file gone or rejected
    tonight is read again next time); a batch without a directory (replay) keeps it."""
    if batch.seeds_dir is None:
        return
    con.execute("delete from seed_files where seeds_dir = ?", [batch.seeds_dir])
    _insert_from(
        con,
        "insert into seed_files by name select *, ?::varchar as seeds_dir, "
        "?::varchar as quelle_version, ?::varchar as run_id from _rows",
        to_seed_file_rows(batch.seed_files),
        [batch.seeds_dir, quelle_version(), batch.run_id],
    )


def _chunks(items: Sequence[T], size: int = CHUNK_ROWS) -> Iterator[Sequence[T]]:
    """The items in slices of `size`, so one slice's Arrow columns are held at a time."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ahead(make: Callable[[T], R], items: Iterable[T]) -> Iterator[tuple[T, R]]:
    """(item, make(item)) for each item in order, the next one made in a thread while the
    caller uses this one: DuckDB's inserts release the GIL, so reading the next articles back
    from the night's spool (unpickling, ~1 s per 20k) overlaps them."""
    with ThreadPoolExecutor(1, thread_name_prefix="rows") as pool:
        pending: tuple[T, Future[R]] | None = None
        for item in items:
            made = (item, pool.submit(make, item))
            if pending is not None:
                yield pending[0], pending[1].result()
            pending = made
        if pending is not None:
            yield pending[0], pending[1].result()


def _where(rows: pa.Table, mask: Sequence[bool]) -> pa.Table:
    """The rows where mask is true (the table itself when all are: a filter copies)."""
    return rows if all(mask) else rows.filter(pa.array(mask, pa.bool_()))


def _load_citations(con: duckdb.DuckDBPyConnection, articles: Sequence[Article]) -> None:
    """Replace the citations of every article in the batch."""
    every = ids_of(articles)
    ids = sorted(set(every))
    if not ids:
        return
    cites = [(aid, c) for aid, cs in zip(every, citations_of(articles), strict=True) for c in cs]
    rows = pa.table(
        {
            "article_id": [aid for aid, _ in cites],
            "url": [c.url for _, c in cites],
            "kind": [c.kind for _, c in cites],
            "text": [c.text for _, c in cites],
        },
        schema=pa.schema(
            [(n, pa.string()) for n in ("article_id", "url", "kind", "text")]
        ),
    )
    _register_ids(con, "_ids", ids)
    con.execute("delete from citations where article_id in (select id from _ids)")
    con.unregister("_ids")
    _insert(con, "citations", rows.group_by(rows.column_names).aggregate([]))


def _load_pages(con: duckdb.DuckDBPyConnection, batch: LoadBatch) -> None:
    """Upsert the archive: one row per URL, the latest response.

    A page whose body is the archived one (a 304, or the same bytes again) updates its row
    but the body: rewriting ~25 KB of compressed bytes per page was most of a re-run's load.
    """
    pages = list({p.url: p for p in batch.pages}.values())
    if pages:
        keys = pa.table({"url": [p.url for p in pages]}, schema=pa.schema([("url", pa.string())]))
        con.register("_keys", keys)
        stored = dict(
            con.execute(
                "select url, body_sha256 from pages where url in (select url from _keys)"
            ).fetchall()
        )
        con.unregister("_keys")
        kept = [p for p in pages if stored.get(p.url) == p.body_sha256]
        fresh = [p for p in pages if stored.get(p.url) != p.body_sha256]
        if kept:
            _insert_from(
                con,
                f"update pages set {', '.join(f'{c} = _rows.{c}' for c in _PAGE_META)} "
                "from _rows where pages.url = _rows.url",
                to_page_meta(kept, batch.page_articles),
            )
        if fresh:
            replaced = [p.url for p in fresh if p.url in stored]
            if replaced:
                _register_ids(con, "_replaced", replaced)
                con.execute("delete from pages where url in (select id from _replaced)")
                con.unregister("_replaced")
            for part in _chunks(fresh, PAGE_CHUNK_ROWS):
                _insert(con, "pages", to_page_rows(part, batch.page_articles, batch.compressed))
    # A page revalidated (304) or re-parsed keeps its body but may gain its article.
    if batch.page_articles:
        links = pa.table(
            {
                "url": list(batch.page_articles),
                "article_id": list(batch.page_articles.values()),
            }
        )
        con.register("_links", links)
        con.execute(
            "update pages set article_id = l.article_id from _links as l "
            "where pages.url = l.url and pages.article_id is distinct from l.article_id"
        )
        con.unregister("_links")


def _load_rejects(con: duckdb.DuckDBPyConnection, batch: LoadBatch, now: datetime) -> None:
    """Append this run's rejects."""
    rows = pa.table(
        {
            "run_id": [batch.run_id] * len(batch.rejects),
            "stage": [r[0] for r in batch.rejects],
            "input": [r[1] for r in batch.rejects],
            "reason": [r[2] for r in batch.rejects],
            "rejected_at": pa.array([now] * len(batch.rejects), TS),
        }
    )
    _insert(con, "rejects", rows)


def _load_fingerprints(
    con: duckdb.DuckDBPyConnection, prints: Sequence[StoredPrint], written: Future[Path] | None
) -> None:
    """Replace the fingerprints of the batch's articles (an id's last print: `prints` has one
    per id) with the rows `written` to the scratch file by _write_print_rows."""
    if written is None:
        return
    _register_ids(con, "_ids", ids_of(prints))
    con.execute("delete from fingerprints where article_id in (select id from _ids)")
    con.unregister("_ids")
    path = written.result()
    con.execute("insert into fingerprints by name select * from read_parquet(?)", [str(path)])


def _write_print_rows(prints: Sequence[StoredPrint], path: Path) -> Path:
    """The prints' table rows into a Parquet file at path, a slice at a time."""
    writer: pq.ParquetWriter | None = None
    try:
        for part in _chunks(prints, WIDE_CHUNK_ROWS):
            rows = pa.table(
                {
                    "article_id": pa.array([f.article_id for f in part], pa.string()),
                    "content_sha256": pa.array([f.content_sha256 for f in part], pa.string()),
                    "data": to_print_json_array(part),
                }
            )
            if writer is None:
                # Plain: written once and read once, by the next statement of this load.
                writer = pq.ParquetWriter(
                    path, rows.schema, compression="none", use_dictionary=False
                )
            writer.write_table(rows)
    finally:
        if writer is not None:
            writer.close()
    return path


def _load_stories(con: duckdb.DuckDBPyConnection, batch: LoadBatch, now: datetime) -> int:
    """Replace the batch's memberships, record merges, rebuild the touched stories."""
    members = list({m["article_id"]: m for m in batch.members}.values())
    if not members and not batch.merges:
        return 0
    rows = pa.table(
        {
            "story_id": [m["story_id"] for m in members],
            "article_id": [m["article_id"] for m in members],
            "role": [m["role"] for m in members],
            "score": pa.array([float(m["score"]) for m in members], pa.float64()),
            "evidence": to_json_array(m["evidence"] for m in members),
        }
    )
    _rows = rows  # noqa: F841 - read by name in the SQL (see _insert_from); may be empty
    con.execute("create or replace temp table _members as select * from _rows")
    # A member placed only by its earlier story keeps the evidence it was matched on.
    con.execute(
        """
        update _members set score = old.score, evidence = old.evidence
        from story_members as old
        where _members.article_id = old.article_id
          and json_keys(_members.evidence::json) = ['previous']
        """
    )
    touched = con.execute(
        """
        select story_id from _members
        union select story_id from story_members
            where article_id in (select article_id from _members)
        """
    ).fetchall()
    touched_ids = [t[0] for t in touched] + [m for m, _ in batch.merges]
    con.execute("delete from story_members where article_id in (select article_id from _members)")
    con.execute("insert into story_members by name select * from _members")
    con.execute("drop table _members")
    for merged_id, into_id in batch.merges:
        con.execute(
            "insert into story_merges values (?, ?, ?, ?)", [merged_id, into_id, batch.run_id, now]
        )
    _register_ids(con, "_touched", touched_ids)
    con.execute("delete from stories where story_id in (select id from _touched)")
    con.execute(
        """
        insert into stories by name
        select
            m.story_id,
            arg_min(m.article_id, case m.role when 'original' then 0 else 1 end)
                as canonical_article_id,
            arg_min(
                coalesce(a.title, left(a.body, 120)),
                case m.role when 'original' then 0 else 1 end
            ) as title,
            count(*)::integer as n_articles,
            list_sort(list_distinct(list(a.lang))) as langs,
            min(a.published_at) as first_published_at,
            min(a.first_seen_run) as first_seen_run,
            ?::timestamptz as updated_at
        from story_members as m
        join articles as a using (article_id)
        where m.story_id in (select id from _touched)
        group by m.story_id
        """,
        [now],
    )
    con.unregister("_touched")
    return len({m["story_id"] for m in members})
