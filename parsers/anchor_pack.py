"""A fingerprint's anchors packed into one bytes object: their count, then a zlib stream.

As a tuple of strings the anchors were ~3.8 KB of a fingerprint's ~7.5 KB resident (a 100k
night holds 110k fingerprints from fingerprinting to the load: ~420 MB of them). Packed
they are ~1 KB, and the matcher's Arrow coding splits the text itself, in C.
"""

from __future__ import annotations

from collections.abc import Iterable

import orjson
from isal import isal_zlib

# Joins the anchors: no anchor holds it (pack_anchors drops it from their text).
SEP = "\x00"
_COUNT_BYTES = 4
EMPTY_ANCHORS = (0).to_bytes(_COUNT_BYTES, "little")


def pack_anchors(anchors: Iterable[str]) -> bytes:
    """The anchors, in order, as count + zlib of their SEP-joined UTF-8 text."""
    # surrogatepass: a lone surrogate from a broken page survives the round trip as before.
    items = [a.replace(SEP, "") for a in anchors]
    if not items:
        return EMPTY_ANCHORS
    text = SEP.join(items).encode("utf-8", "surrogatepass")
    # ISA-L writes and reads the zlib format twice as fast as zlib (see warehouse.rows).
    return len(items).to_bytes(_COUNT_BYTES, "little") + isal_zlib.compress(text, 1)


def anchor_count(packed: bytes) -> int:
    """How many anchors are packed, without unpacking them."""
    return int.from_bytes(packed[:_COUNT_BYTES], "little")


def anchor_text(packed: bytes) -> bytes:
    """The SEP-joined UTF-8 text of the anchors (empty when there are none)."""
    return isal_zlib.decompress(packed[_COUNT_BYTES:]) if anchor_count(packed) else b""


def unpack_anchors(packed: bytes) -> tuple[str, ...]:
    """The anchors pack_anchors was given, in order."""
    if not anchor_count(packed):
        return ()
    return tuple(anchor_text(packed).decode("utf-8", "surrogatepass").split(SEP))


def anchors_json(packed: bytes) -> bytes | None:
    """The anchors as a JSON array, as orjson writes their list, without a string per anchor
    (None where orjson refuses them: a lone surrogate).

    The joined text is escaped once and each escaped separator becomes `","`: half the cost of
    unpacking a fingerprint's ~200 anchors only to write them out again (the load's rows).
    """
    if not anchor_count(packed):
        return b"[]"
    joined = anchor_text(packed).decode("utf-8", "surrogatepass")
    try:
        text = orjson.dumps(joined)
    except TypeError:
        return None
    if b"\\\\" in text:
        # An escaped backslash could precede "u0000": take the plain way.
        return orjson.dumps(joined.split(SEP))
    return b"[" + text.replace(b"\\u0000", b'","') + b"]"
