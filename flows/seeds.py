"""Reading seed files safely: nothing outside the seeds directory, every failure named."""

from __future__ import annotations

import functools
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from flows.parallel import default_workers, map_cpu
from parsers.errors import ParseError
from parsers.records import Article
from parsers.seed_text import MAX_SEED_BYTES, parse_seed_bytes

Reject = tuple[str, str, str]  # (stage, input, reason)


@dataclass(frozen=True, slots=True)
class SeedBatch:
    """The articles read from a seeds directory and the files that could not be used."""

    articles: tuple[Article, ...]
    rejects: tuple[Reject, ...]
    files: int


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


def read_seeds(seeds_dir: Path, workers: int | None = None) -> SeedBatch:
    """Parse every seed file; a bad one becomes a reject and the others go on.

    Args:
        seeds_dir: the seeds directory.
        workers: processes to parse in (default: one per core); small batches stay in this one.
    Returns:
        The articles and rejects in file order, whatever the number of workers.
    """
    if not seeds_dir.is_dir():
        raise FileNotFoundError(f"seeds directory not found: {seeds_dir}")
    files = list_seed_files(seeds_dir)
    listed = [(path, path.relative_to(seeds_dir).as_posix()) for path in files]
    read = functools.partial(_read_listed, seeds_dir.resolve())
    results = map_cpu(read, listed, default_workers() if workers is None else workers)
    articles = tuple(r for r in results if isinstance(r, Article))
    rejects = tuple(r for r in results if not isinstance(r, Article))
    return SeedBatch(articles, rejects, len(files))


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
