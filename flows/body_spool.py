"""Fetched bodies on disk from their arrival to their parse.

The fetch's results held every new body until the parse (~1.1 GB at 10k benchmark pages of
~108 KB). Each body now goes to one file as it arrives; the parse reads it back when its
chunk goes to a worker.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Self

from flows.fetch import FetchResult
from parsers.record_spool import Lazy
from parsers.records import Page

Span = tuple[int, int]  # (offset, length) in a file


class SpanFile:
    """Byte strings by key in one file (created empty; `close` removes it)."""

    def __init__(self, path: Path) -> None:
        """Keep them in the file at `path`."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        self._at: dict[str, Span] = {}
        self._lock = threading.Lock()

    def __contains__(self, key: object) -> bool:
        return key in self._at

    def span(self, key: str) -> Span | None:
        """Where the bytes of key are in the file (None if the file has none)."""
        return self._at.get(key)

    def read(self, span: Span) -> bytes:
        """The bytes at span."""
        return read_exactly(self._fd, span)

    def close(self) -> None:
        """Close and remove the file."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        self._at = {}
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_at(fd: int, data: bytes, offset: int) -> Span:
    """Write all of data at offset of the file; where it went."""
    done = 0
    while done < len(data):
        done += os.pwrite(fd, memoryview(data)[done:], offset + done)
    return offset, len(data)


def read_exactly(fd: int, span: Span) -> bytes:
    """The bytes at span of the file (a short read means the file was cut)."""
    offset, length = span
    data = os.pread(fd, length, offset)
    if len(data) != length:
        raise OSError(f"read {len(data)} of {length} bytes at {offset}: the file was cut")
    return data


class BodySpool(SpanFile):
    """Page bodies by URL; thread-safe (the fetch threads write at once)."""

    def __init__(self, path: Path) -> None:
        """Spool into the file at `path`."""
        super().__init__(path)
        self._end = 0  # where the next body goes

    def hold(self, result: FetchResult) -> FetchResult:
        """Write the result's body to the file; the result without it."""
        page = result.page
        if page is None or not page.body:
            return result
        with self._lock:
            offset, self._end = self._end, self._end + len(page.body)
        # Each writer has its own range, so the writes need no lock.
        span = write_at(self._fd, page.body, offset)
        with self._lock:
            self._at[page.url] = span
        return replace(result, page=page.without_body())

    def body(self, url: str) -> bytes | None:
        """The body held for url (None if none is)."""
        span = self.span(url)
        return None if span is None else self.read(span)

    def pages(self, pages: Sequence[Page]) -> Sequence[Page]:
        """The pages, each with its held body read back when it is taken."""
        return _WithBodies(self, pages)


class _WithBodies(Lazy[Page]):
    """Pages whose held bodies are read from the spool on access."""

    def __init__(self, spool: BodySpool, pages: Sequence[Page]) -> None:
        self._spool, self._pages = spool, pages

    def __len__(self) -> int:
        return len(self._pages)

    def _at(self, index: int) -> Page:
        """The page at index with its held body, if it has none."""
        page = self._pages[index]
        body = None if page.body else self._spool.body(page.url)
        return page if body is None else replace(page, body=body)
