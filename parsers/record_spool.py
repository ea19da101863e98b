"""A night's articles and fingerprints on disk in pickled chunks: Sequences that hold one
chunk at a time.

A 100k night's seed articles held ~1.5 GB as records, from the read to the load, while the
stages between need only their ids, hashes and citations (kept here in memory, ~0.3 KB an
article). Fingerprinting and the load read the records back a chunk at a time. Its
fingerprints (~0.27 GB) are needed whole by the matching only; the load reads them back too.
"""

from __future__ import annotations

import pickle
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import attrgetter
from pathlib import Path
from typing import Any, Protocol, Self, TypeVar, overload

from parsers.fingerprint import Fingerprint
from parsers.records import Article, Citation

T = TypeVar("T")


class Keyed(Protocol):
    """A record with an article id."""

    @property
    def article_id(self) -> str: ...


K = TypeVar("K", bound=Keyed)
S = TypeVar("S", bound="RecordSpool[Any]")

# Articles per file: ~10 MB of pickle, read back in ~40 ms.
CHUNK = 1000


class Lazy(Sequence[T]):
    """A sequence whose items are made when asked for: subclasses give `_at` and `__len__`."""

    def _at(self, index: int) -> T:
        """The item at a valid, non-negative index."""
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        """The item at index (a slice: a list of them)."""
        if isinstance(index, slice):
            return [self._at(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"{type(self).__name__} index out of range")
        return self._at(index)


class RecordSpool(Lazy[K]):
    """Records appended in order and read back by index, their ids kept in memory;
    thread-safe (a feeder thread reads while the flow appends)."""

    def __init__(self, directory: Path, chunk: int | None = None) -> None:
        """Spool into `directory` (created; `close` removes it), `chunk` records a file."""
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.directory = directory
        self._chunk = chunk or CHUNK
        self._written = 0  # chunk files on disk
        self._buffer: list[K] = []  # the chunk being filled
        self._cached: tuple[int, list[K]] = (-1, [])
        self._lock = threading.Lock()
        self.ids: list[str] = []

    def extend(self, records: Iterable[K]) -> None:
        """Append records; every full chunk goes to disk."""
        with self._lock:
            for r in records:
                self._buffer.append(r)
                self._keep(r)
                if len(self._buffer) == self._chunk:
                    self._path(self._written).write_bytes(pickle.dumps(self._buffer, 5))
                    self._written += 1
                    self._buffer = []

    def _keep(self, record: K) -> None:
        """Note what stays in memory of an appended record (the lock held)."""
        self.ids.append(record.article_id)

    def _forget(self) -> None:
        """Drop what `_keep` noted."""
        self.ids = []

    def __len__(self) -> int:
        return len(self.ids)

    def _at(self, index: int) -> K:
        """The record at index, from the chunk that holds it."""
        k, at = divmod(index, self._chunk)
        with self._lock:
            return self._chunk_at(k)[at]

    def __iter__(self) -> Iterator[K]:
        """The records in order (those appended meanwhile included)."""
        i = 0
        while i < len(self):
            yield self[i]
            i += 1

    def _chunk_at(self, k: int) -> list[K]:
        """Chunk k (the lock held): the one being filled, the cached one, or read from disk."""
        if k == self._written:
            return self._buffer
        if self._cached[0] != k:
            self._cached = (k, pickle.loads(self._path(k).read_bytes()))
        return self._cached[1]

    def _path(self, k: int) -> Path:
        """The file of chunk k."""
        return self.directory / f"{k:06d}.pickle"

    def close(self) -> None:
        """Remove the files (the spool holds nothing afterwards)."""
        with self._lock:
            self._buffer, self._cached = [], (-1, [])
            self._forget()
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ArticleSpool(RecordSpool[Article]):
    """Articles, with their hashes and citations kept in memory besides their ids."""

    def __init__(self, directory: Path, chunk: int | None = None) -> None:
        """Spool into `directory` (created; `close` removes it), `chunk` articles a file."""
        super().__init__(directory, chunk)
        self.shas: list[str] = []
        self.citations: list[tuple[Citation, ...]] = []

    def _keep(self, record: Article) -> None:
        """Note the article's id, hash and citations."""
        super()._keep(record)
        self.shas.append(record.content_sha256)
        self.citations.append(record.citations)

    def _forget(self) -> None:
        """Drop the ids, hashes and citations."""
        super()._forget()
        self.shas, self.citations = [], []


class PrintSpool(RecordSpool[Fingerprint]):
    """Fingerprints, their ids kept in memory."""


class Picked(Lazy[K]):
    """Some records of a sequence, by index, read from it when asked for."""

    def __init__(self, base: Sequence[K], indexes: Sequence[int]) -> None:
        self.base, self.indexes = base, indexes

    def __len__(self) -> int:
        return len(self.indexes)

    def _at(self, index: int) -> K:
        """The picked record at index."""
        return self.base[self.indexes[index]]


def ids_of(records: Sequence[Keyed]) -> list[str]:
    """The records' article ids in order (a spool's without reading a record back)."""
    return _column(records, RecordSpool, attrgetter("ids"), attrgetter("article_id"))


def shas_of(articles: Sequence[Article]) -> list[str]:
    """The articles' content hashes in order."""
    return _column(articles, ArticleSpool, attrgetter("shas"), attrgetter("content_sha256"))


def citations_of(articles: Sequence[Article]) -> list[tuple[Citation, ...]]:
    """The articles' citations in order."""
    return _column(articles, ArticleSpool, attrgetter("citations"), attrgetter("citations"))


def _column(
    records: Sequence[Any],
    spool: type[S],
    kept: Callable[[S], list[T]],
    field: Callable[[Any], T],
) -> list[T]:
    """One field of every record: what a spool of that type keeps in memory, through a
    Picked's indexes, or read from the records."""
    if isinstance(records, spool):
        return kept(records)
    if isinstance(records, Picked):
        values = _column(records.base, spool, kept, field)
        return [values[i] for i in records.indexes]
    return [field(r) for r in records]


def latest(records: Sequence[K]) -> Picked[K]:
    """Each article id once, where it first appears, with its last record (a later parse of
    the same id replaces the earlier)."""
    last: dict[str, int] = {}
    for i, article_id in enumerate(ids_of(records)):
        last[article_id] = i
    return Picked(records, list(last.values()))
