"""Reading one listed seed file safely: the part of flows.seeds a worker process runs."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from parsers.errors import ParseError
from parsers.records import Article
from parsers.seed_text import MAX_SEED_BYTES, parse_seed_bytes

# A spawned worker imports this module alone: it keeps clear of warehouse/ (duckdb, pyarrow
# and numpy cost each worker 0.4 CPU-s to import, for nothing it uses).

Reject = tuple[str, str, str]  # (stage, input, reason)


def read_listed(root: str, rel: str) -> Article | Reject:
    """The article of the seed file at rel (a relative path from os.walk) below root (the
    resolved seeds directory), or its reject."""
    path = os.path.join(root, rel)
    try:
        # os.walk follows no directory link, so below the directory only the file itself
        # can be one: any other path is the resolved directory joined with it.
        resolved = Path(path).resolve() if os.path.islink(path) else None
        if resolved is not None and not resolved.is_relative_to(root):
            raise ParseError(f"symlink points outside the seeds directory: {resolved}")
        return parse_seed_bytes(read_seed_bytes(str(resolved or path)), rel)
    except ParseError as exc:
        return ("read_seed", rel, str(exc))
    except OSError as exc:
        return ("read_seed", rel, f"unreadable: {exc.strerror or exc}")


def read_seed_bytes(path: str) -> bytes:
    """A seed file's bytes (path inside the seeds directory); refuses a final symlink,
    non-files and huge files."""
    # Open without following a final symlink swap: the checked target is what we read.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
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
