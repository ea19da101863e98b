"""Reading seed files safely: nothing outside the seeds directory, every failure named."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

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


def read_seed(path: Path, seeds_dir: Path) -> bytes:
    """A seed file's bytes; refuses links out of the directory, non-files and huge files."""
    resolved = path.resolve()
    if not resolved.is_relative_to(seeds_dir.resolve()):
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
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(MAX_SEED_BYTES + 1)
    finally:
        os.close(fd)


def read_seeds(seeds_dir: Path) -> SeedBatch:
    """Parse every seed file; a bad one becomes a reject and the others go on."""
    if not seeds_dir.is_dir():
        raise FileNotFoundError(f"seeds directory not found: {seeds_dir}")
    articles: list[Article] = []
    rejects: list[Reject] = []
    files = list_seed_files(seeds_dir)
    for path in files:
        rel = path.relative_to(seeds_dir).as_posix()
        try:
            data = read_seed(path, seeds_dir)
            articles.append(parse_seed_bytes(data, rel))
        except ParseError as exc:
            rejects.append(("read_seed", rel, str(exc)))
        except OSError as exc:
            rejects.append(("read_seed", rel, f"unreadable: {exc.strerror or exc}"))
    return SeedBatch(tuple(articles), tuple(rejects), len(files))
