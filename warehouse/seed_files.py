"""The seed files a run read, so the next run over the same directory skips unchanged ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa

Stat = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


@dataclass(frozen=True, slots=True)
class SeedFile:
    """A seed file's identity on disk and the article the last read of it gave."""

    seed_path: str
    stat: Stat
    article_id: str
    content_sha256: str
    urls: tuple[str, ...] = ()  # the article's cited URLs, for a run that does not read it


def read_seed_files(
    con: duckdb.DuckDBPyConnection, seeds_dir: str, version: str
) -> dict[str, SeedFile]:
    """The recorded files of a seeds directory (by seed_path) whose article is still stored
    as that file gave it, recorded by this quelle version."""
    # Flat rows grouped here: DuckDB's list() aggregate cost three times the join at 100k.
    rows = con.execute(
        """
        select s.seed_path, s.size, s.mtime_ns, s.ctime_ns, s.inode, s.article_id,
               s.content_sha256, c.url
        from seed_files as s
        join articles as a
          on a.article_id = s.article_id and a.content_sha256 = s.content_sha256
        left join citations as c on c.article_id = s.article_id
        where s.seeds_dir = ? and s.quelle_version = ?
        """,
        [seeds_dir, version],
    ).fetchall()
    urls: dict[str, list[str]] = {}
    for r in rows:
        cited = urls.setdefault(r[0], [])
        if r[7] is not None:
            cited.append(r[7])
    # A seed's citations are stored canonical (parsers/seed_text.py): they are fetched as read.
    return {
        r[0]: SeedFile(r[0], (r[1], r[2], r[3], r[4]), r[5], r[6], tuple(sorted(urls[r[0]])))
        for r in rows
    }


def to_seed_file_rows(files: Sequence[SeedFile]) -> pa.Table:
    """The seed_files columns of each file; the load adds the directory, version and run."""
    return pa.table(
        {
            "seed_path": pa.array([f.seed_path for f in files], pa.string()),
            "size": pa.array([f.stat[0] for f in files], pa.int64()),
            "mtime_ns": pa.array([f.stat[1] for f in files], pa.int64()),
            "ctime_ns": pa.array([f.stat[2] for f in files], pa.int64()),
            "inode": pa.array([f.stat[3] for f in files], pa.uint64()),
            "article_id": pa.array([f.article_id for f in files], pa.string()),
            "content_sha256": pa.array([f.content_sha256 for f in files], pa.string()),
        }
    )
