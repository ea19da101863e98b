"""Packed anchors give back the anchors they were given, in order, in a fraction of the memory."""

from __future__ import annotations

import json
import sys

import numpy as np

from parsers.anchor_pack import (
    EMPTY_ANCHORS,
    anchor_count,
    anchor_text,
    anchors_json,
    pack_anchors,
    unpack_anchors,
)
from parsers.fingerprint import Fingerprint, to_fingerprint
from parsers.match_index import to_anchor_codes
from tests.parsers.matching_texts import seed_article
from warehouse.rows import to_json_array, to_print_json_array


def test_anchors_round_trip_in_order_with_their_count() -> None:
    for anchors in [
        (),
        ("",),
        ("nm:nguyen van", "", "dt:2024-3-14"),
        ("q:chuyển đổi số", "nm:ho chi minh", "num:3"),
        ("url:https://vnexpress.net/a.html",) * 3,
    ]:
        packed = pack_anchors(anchors)
        assert unpack_anchors(packed) == anchors
        assert anchor_count(packed) == len(anchors)
    assert pack_anchors([]) == EMPTY_ANCHORS and anchor_text(EMPTY_ANCHORS) == b""


def test_the_separator_never_splits_an_anchor() -> None:
    assert unpack_anchors(pack_anchors(["q:a\x00b", "nm:c"])) == ("q:ab", "nm:c")


def test_a_lone_surrogate_survives() -> None:
    assert unpack_anchors(pack_anchors(["q:bad \udc80 text", "nm:x"])) == (
        "q:bad \udc80 text", "nm:x"
    )


def test_a_fingerprint_holds_its_anchors_packed_and_smaller() -> None:
    fp = to_fingerprint(seed_article("000"))
    assert fp.anchor_count == len(fp.anchors) > 50
    strings = sys.getsizeof(fp.anchors) + sum(sys.getsizeof(a) for a in fp.anchors)
    assert sys.getsizeof(fp.packed_anchors) * 3 < strings
    # Built from the packed bytes or from the strings, it is the same fingerprint.
    again = Fingerprint(
        fp.article_id, fp.lang, fp.content_sha256, fp.published_at,
        packed_anchors=fp.packed_anchors, minhash=fp.minhash, script=fp.script,
        n_tokens=fp.n_tokens, url=fp.url, cites=fp.cites, native_names=fp.native_names,
        lead_dates=fp.lead_dates,
    )
    assert again == fp == Fingerprint.from_row(fp.to_row())
    assert fp.to_row()["anchors"] == list(fp.anchors)


def test_arrow_splits_the_packed_text_as_python_does() -> None:
    fps = [to_fingerprint(seed_article(n)) for n in ("000", "001", "002")]
    empty = Fingerprint("e", "de", "0" * 64, None)
    bad = Fingerprint("s", "de", "1" * 64, None, anchors=("q:\udc80", "nm:x"))
    for batch in ([*fps, empty], [*fps, empty, bad]):  # the second takes the dict path
        ptr, codes, vocab = to_anchor_codes(batch, workers=2)
        names = list(vocab)
        got = [tuple(names[c] for c in codes[ptr[i] : ptr[i + 1]]) for i in range(len(batch))]
        assert got == [fp.anchors for fp in batch]
        assert np.array_equal(np.diff(ptr), [fp.anchor_count for fp in batch])


def test_stored_rows_with_spliced_anchors_are_the_rows_json_writes() -> None:
    fps = [to_fingerprint(seed_article(n)) for n in ("000", "001", "002", "003")]
    tricky = [
        ('q:sagte "nein"', "q:tab\there", "nm:nguyễn", "url:https://a.vn/?q=1&b=2"),
        ("q:back\\slash", "q:\\u0000 literal", "nm:x"),  # the plain way: an escaped backslash
        ("q:\udc80 lone", "nm:y"),  # orjson refuses it: the row goes the stdlib way
        (),
        ("",),
    ]
    fps += [Fingerprint(f"t{i}", "de", "0" * 64, None, anchors=a) for i, a in enumerate(tricky)]
    spliced = to_print_json_array(fps[:-3] + fps[-2:]).to_pylist()
    plain = to_json_array(f.to_row() for f in fps[:-3] + fps[-2:]).to_pylist()
    assert spliced == plain
    assert [json.loads(t)["anchors"] for t in spliced] == [
        list(f.anchors) for f in fps[:-3] + fps[-2:]
    ]
    assert anchors_json(fps[-3].packed_anchors) is None
