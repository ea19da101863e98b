"""Reading seed files safely: nothing outside the seeds directory, every failure named."""

from __future__ import annotations

import functools
import os
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from flows.parallel import default_workers, map_cpu
from parsers.errors import ParseError
from parsers.records import Article
from parsers.seed_text import MAX_SEED_BYTES, parse_seed_bytes
from warehouse.seed_files import SeedFile, Stat

Reject = tuple[str, str, str]  # (stage, input, reason)
# A file changed this recently may change again within the clock's granularity without its
# stat changing (git's "racily clean" entries): it is read, but not recorded as skippable.
SETTLE_NS = 2_000_000_000


@dataclass(frozen=True, slots=True)
class SeedBatch:
    """The articles read from a seeds directory and the files that could not be used."""

    articles: tuple[Article, ...]
    rejects: tuple[Reject, ...]
    files: int
    # Files not read because their stat matches the last run's: their stored articles stand.
    unchanged: tuple[SeedFile, ...] = ()
    # Every file that gave an article and has settled, for the next run to compare with.
    record: tuple[SeedFile, ...] = ()


def list_seed_files(seeds_dir: Path) -> list[Path]:
    """Every non-hidden file below the directory, in a stable order."""
    found: list[Path] = []
    for root, dirs, files in os.walk(seeds_dir, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root) / f for f in sorted(files) if not f.startswith("."))
    return found


def _read_resolved(resolved: Path, root: Path) -> bytes:
    """A seed file's bytes (path and seeds directory resolved); refuses links out of the
    directory, non-files and huge files."""
    if not resolved.is_relative_to(root):
        raise ParseError(f"symlink points outside the seeds directory: {resolved}")
    # Open without following a final symlink swap: the checked target is what we read.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(resolved, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ParseError("not a regular file")
        if info.st_size > MAX_SEED_BYTES:
            raise ParseError(f"file too large: {info.st_size} bytes (limit {MAX_SEED_BYTES})")
        # os.read until the limit or the end: a buffered file object costs more than the read.
        chunks: list[bytes] = []
        left = MAX_SEED_BYTES + 1
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_seeds(
    seeds_dir: Path, workers: int | None = None, known: Mapping[str, SeedFile] | None = None
) -> SeedBatch:
    """Parse every seed file not known unchanged; a bad one becomes a reject, the others go on.

    Args:
        seeds_dir: the seeds directory.
        workers: processes to parse in (default: one per core); small batches stay in this one.
        known: the last run's files by relative path (warehouse.seed_files); a file whose
            size, mtime, ctime and inode all match is not read, and its stored article stands.
    Returns:
        The articles and rejects in file order, whatever the number of workers.
    """
    if not seeds_dir.is_dir():
        raise FileNotFoundError(f"seeds directory not found: {seeds_dir}")
    known = known or {}
    settled_before = time.time_ns() - SETTLE_NS
    files = list_seed_files(seeds_dir)
    listed: list[tuple[Path, str]] = []
    stats: list[Stat | None] = []
    unchanged: list[SeedFile] = []
    for path in files:
        rel = path.relative_to(seeds_dir).as_posix()
        seen, now = known.get(rel), _stat(path)
        if seen is not None and now is not None and seen.stat == now:
            unchanged.append(seen)
        else:
            listed.append((path, rel))
            stats.append(now)
    read = functools.partial(_read_listed, seeds_dir.resolve())
    results = map_cpu(read, listed, default_workers() if workers is None else workers)
    articles = tuple(r for r in results if isinstance(r, Article))
    rejects = tuple(r for r in results if not isinstance(r, Article))
    fresh = [
        SeedFile(rel, now, r.article_id, r.content_sha256)
        for (_, rel), now, r in zip(listed, stats, results, strict=True)
        if isinstance(r, Article) and now is not None and max(now[1], now[2]) < settled_before
    ]
    return SeedBatch(articles, rejects, len(files), tuple(unchanged), (*unchanged, *fresh))


def seeds_key(seeds_dir: Path) -> str:
    """The seeds directory as the warehouse records it: resolved, so a run from another
    working directory finds its files."""
    return str(seeds_dir.resolve())


def _stat(path: Path) -> Stat | None:
    """What identifies a file's content without reading it (None if it cannot be stat'ed:
    the read then names the error)."""
    try:
        info = path.stat()  # follows a link: the target's content is what is read
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _read_listed(root: Path, listed: tuple[Path, str]) -> Article | Reject:
    """The article of one listed seed file (path, relative path), or its reject."""
    path, rel = listed
    try:
        # os.walk follows no directory link, so below the directory only the file itself
        # can be one: any other path resolves to the resolved directory joined with it.
        resolved = path.resolve() if os.path.islink(path) else root / rel
        return parse_seed_bytes(_read_resolved(resolved, root), rel)
    except ParseError as exc:
        return ("read_seed", rel, str(exc))
    except OSError as exc:
        return ("read_seed", rel, f"unreadable: {exc.strerror or exc}")
