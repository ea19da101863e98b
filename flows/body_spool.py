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
from typing import overload

from flows.fetch import FetchResult
from parsers.records import Page


class BodySpool:
    """Page bodies by URL in one file; thread-safe (the fetch threads write at once)."""

    def __init__(self, path: Path) -> None:
        """Spool into the file at `path` (created; `close` removes it)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        self._end = 0
        self._at: dict[str, tuple[int, int]] = {}  # url → (offset, length)
        self._lock = threading.Lock()

    def hold(self, result: FetchResult) -> FetchResult:
        """Write the result's body to the file; the result without it."""
        page = result.page
        if page is None or not page.body:
            return result
        body = page.body
        with self._lock:
            offset, self._end = self._end, self._end + len(body)
        # Each writer has its own range, so the writes need no lock.
        done = 0
        while done < len(body):
            done += os.pwrite(self._fd, memoryview(body)[done:], offset + done)
        with self._lock:
            self._at[page.url] = (offset, len(body))
        return replace(result, page=page.without_body())

    def __contains__(self, url: object) -> bool:
        return url in self._at

    def span(self, url: str) -> tuple[int, int] | None:
        """Where the body held for url is in the file: (offset, length); None if none is."""
        return self._at.get(url)

    def read(self, span: tuple[int, int]) -> bytes:
        """The bytes at span."""
        offset, length = span
        data = os.pread(self._fd, length, offset)
        if len(data) != length:
            raise OSError(f"body spool {self.path}: {len(data)} of {length} bytes at {offset}")
        return data

    def body(self, url: str) -> bytes | None:
        """The body held for url (None if none is)."""
        span = self._at.get(url)
        return None if span is None else self.read(span)

    def pages(self, pages: Sequence[Page]) -> Sequence[Page]:
        """The pages, each with its held body read back when it is taken."""
        return _WithBodies(self, pages)

    def close(self) -> None:
        """Close and remove the file."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        self._at = {}
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> BodySpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _WithBodies(Sequence[Page]):
    """Pages whose held bodies are read from the spool on access."""

    def __init__(self, spool: BodySpool, pages: Sequence[Page]) -> None:
        self._spool, self._pages = spool, pages

    def __len__(self) -> int:
        return len(self._pages)

    @overload
    def __getitem__(self, index: int) -> Page: ...

    @overload
    def __getitem__(self, index: slice) -> list[Page]: ...

    def __getitem__(self, index: int | slice) -> Page | list[Page]:
        """The page at index with its body (a slice: a list of them)."""
        if isinstance(index, slice):
            return [self._with_body(p) for p in self._pages[index]]
        return self._with_body(self._pages[index])

    def _with_body(self, page: Page) -> Page:
        """The page with its held body, if it has none."""
        body = None if page.body else self._spool.body(page.url)
        return page if body is None else replace(page, body=body)
