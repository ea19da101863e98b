"""Reading seed files safely: nothing outside the seeds directory, every failure named."""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from flows.parallel import default_workers, imap_cpu
from flows.seed_reads import Reject, read_listed
from parsers.record_spool import ArticleSpool
from parsers.records import Article
from warehouse.seed_files import SeedFile, Stat

# A file changed this recently may change again within the clock's granularity without its
# stat changing (git's "racily clean" entries): it is read, but not recorded as skippable.
SETTLE_NS = 2_000_000_000


@dataclass(frozen=True, slots=True)
class SeedBatch:
    """The articles read from a seeds directory and the files that could not be used."""

    articles: Sequence[Article]  # a tuple, or the night's ArticleSpool
    rejects: tuple[Reject, ...]
    files: int
    # Files not read because their stat matches the last run's: their stored articles stand.
    unchanged: tuple[SeedFile, ...] = ()
    # Every file that gave an article and has settled, for the next run to compare with.
    record: tuple[SeedFile, ...] = ()


def list_seed_files(seeds_dir: Path) -> list[str]:
    """Every non-hidden file below the directory as a relative POSIX path, in a stable order."""
    # Strings, not Paths: a Path per file cost more to build, join and relate than its stat.
    top = str(seeds_dir)
    cut = len(os.path.join(top, ""))
    found: list[str] = []
    for root, dirs, files in os.walk(top, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        prefix = os.path.join(root, "")[cut:]
        found.extend(prefix + f for f in sorted(files) if not f.startswith("."))
    return found


def read_seeds(
    seeds_dir: Path,
    workers: int | None = None,
    known: Mapping[str, SeedFile] | None = None,
    into: ArticleSpool | None = None,
) -> SeedBatch:
    """Parse every seed file not known unchanged; a bad one becomes a reject, the others go on.

    Args:
        seeds_dir: the seeds directory.
        workers: processes to parse in (default: one per core); small batches stay in this one.
        known: the last run's files by relative path (warehouse.seed_files); a file whose
            size, mtime, ctime and inode all match is not read, and its stored article stands.
        into: a spool to append the articles to as they are read (default: a tuple in memory).
    Returns:
        The articles and rejects in file order, whatever the number of workers.
    """
    if not seeds_dir.is_dir():
        raise FileNotFoundError(f"seeds directory not found: {seeds_dir}")
    known = known or {}
    settled_before = time.time_ns() - SETTLE_NS
    files = list_seed_files(seeds_dir)
    listed: list[str] = []
    stats: list[Stat | None] = []
    unchanged: list[SeedFile] = []
    for rel in files:
        seen, now = known.get(rel), _stat(os.path.join(seeds_dir, rel))
        if seen is not None and now is not None and seen.stat == now:
            unchanged.append(seen)
        else:
            listed.append(rel)
            stats.append(now)
    # Relative paths cross to the workers, the directory once per chunk (in the partial).
    read = functools.partial(read_listed, str(seeds_dir.resolve()))
    results = imap_cpu(read, listed, default_workers() if workers is None else workers)
    articles: list[Article] | ArticleSpool = [] if into is None else into
    rejects: list[Reject] = []
    fresh: list[SeedFile] = []
    for rel, now, r in zip(listed, stats, results, strict=True):
        if not isinstance(r, Article):
            rejects.append(r)
            continue
        articles.extend((r,))
        if now is not None and max(now[1], now[2]) < settled_before:
            fresh.append(SeedFile(rel, now, r.article_id, r.content_sha256))
    return SeedBatch(
        articles if into is not None else tuple(articles), tuple(rejects), len(files),
        tuple(unchanged), (*unchanged, *fresh),
    )


def seeds_key(seeds_dir: Path) -> str:
    """The seeds directory as the warehouse records it: resolved, so a run from another
    working directory finds its files."""
    return str(seeds_dir.resolve())


def _stat(path: str) -> Stat | None:
    """What identifies a file's content without reading it (None if it cannot be stat'ed:
    the read then names the error)."""
    try:
        info = os.stat(path)  # follows a link: the target's content is what is read
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
