"""Give memory that was freed back to the system: Arrow's pool and the C heap."""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable

import pyarrow as pa


def _find_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where the C library has none (musl, macOS)."""
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None


_TRIM = _find_trim()


def release_freed() -> None:
    """Return freed pages to the system, so they stop counting in the resident size."""
    # mimalloc (Arrow's pool) keeps freed pages a while: at 100k ~180 MB stayed resident
    # through the rest of matching after the anchor coding.
    pa.default_memory_pool().release_unused()
    # glibc raises its mmap threshold as big arrays are freed (up to 32 MB), so later arrays
    # come from the heap, and freed heap memory stays resident until trimmed: 256 MB of the
    # 570 MB held after the matching index at 100k was such memory (measured).
    if _TRIM is not None:
        _TRIM(0)
