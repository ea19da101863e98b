"""A bounded memo for pure functions of short strings, cheaper per hit than functools.lru_cache."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

# A string, or a pair of strings (adjacent words).
K = TypeVar("K", str, tuple[str, str])
V = TypeVar("V")


class Memo(dict[K, V]):
    """A dict that fills itself from a pure function of its key; it starts over when full."""

    # A hit is one dict lookup (memo[key] or map(memo.__getitem__, keys)); lru_cache also
    # relinks its list on every hit, which measured a third slower here. Keys longer than
    # max_chars are computed but not kept: they rarely repeat and would bloat the memo.

    def __init__(self, fn: Callable[[K], V], size: int, max_chars: int) -> None:
        """A memo of fn for at most size keys of at most max_chars characters (or strings)."""
        super().__init__()
        self.fn: Callable[[K], V] = fn
        self.size = size
        self.max_chars = max_chars

    def __missing__(self, key: K) -> V:
        """fn(key), kept for next time."""
        value = self.fn(key)
        if len(key) <= self.max_chars:
            if len(self) >= self.size:
                self.clear()
            self[key] = value
        return value
