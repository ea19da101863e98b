"""MinHash: the numpy signature equals the textbook computation with Python integers."""

from __future__ import annotations

import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.minhash import (
    _MIX_1,
    _MIX_2,
    _PERM_A,
    _PERM_B,
    _PRIME,
    EMPTY_SIG,
    NUM_PERM,
    pack_signature,
    to_minhash,
    unpack_signature,
)


def _reference(words: list[str]) -> tuple[int, ...]:
    """min over shingles of (a*x + b) mod p, one shingle at a time."""
    if not words:
        return (0xFFFFFFFF,) * NUM_PERM
    h = [zlib.crc32(w.encode("utf-8")) for w in words]
    mask = 0xFFFFFFFF
    m1, m2 = int(_MIX_1), int(_MIX_2)
    # numpy multiplies uint64 modulo 2**64 before masking to 32 bits.
    shingles = (
        [
            ((h[i] * m1 % 2**64) ^ (h[i + 1] * m2 % 2**64) ^ h[i + 2]) & mask
            for i in range(len(h) - 2)
        ]
        if len(h) >= 3
        else h[:1]
    )
    p = int(_PRIME)
    return tuple(
        min((int(a) * x + int(b)) % p for x in shingles)
        for a, b in zip(_PERM_A, _PERM_B, strict=True)
    )


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from("der die das và của Hà Nội 5G một hai ba".split()), max_size=40))
def test_signature_is_the_textbook_minhash(words: list[str]) -> None:
    assert unpack_signature(to_minhash(words)) == list(_reference(words))


def test_signature_over_several_blocks_is_the_textbook_minhash() -> None:
    # More shingles than one block of permutation rows (minhash._BLOCK): minima carry over.
    vocab = "der die das và của Hà Nội 5G một hai ba Minister Hanoi 2024 bis".split()
    words = [vocab[(i * 7 + i // 5) % len(vocab)] + str(i % 97) for i in range(2600)]
    assert unpack_signature(to_minhash(words)) == list(_reference(words))
    assert unpack_signature(to_minhash(words[:1030])) == list(_reference(words[:1030]))


def test_signature_bytes_are_its_values_as_little_endian_uint64() -> None:
    words = "der Minister besuchte am 5. Juni 2024 Hai Phong und Hanoi".split()
    values = _reference(words)
    signature = to_minhash(words)
    assert len(signature) == NUM_PERM * 8
    assert signature == b"".join(v.to_bytes(8, "little") for v in values)
    assert pack_signature(values) == signature
    assert (0xFFFFFFFF).to_bytes(8, "little") * NUM_PERM == EMPTY_SIG
