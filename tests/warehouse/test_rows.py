"""Records to Arrow rows: JSON text as json.dumps wrote it, faster."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from parsers.records import Image
from warehouse.rows import to_json, to_json_array


def _stdlib(value: object) -> str:
    """What the loader wrote before orjson."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def test_to_json_writes_what_json_dumps_wrote() -> None:
    value = {
        "title": "Hà Nội „Quelle“ \"quoted\" \\ \n\t\x01",
        "published_at": datetime(2025, 7, 16, 8, 30, tzinfo=UTC),
        "scores": [1.0, 0.25, 3, -7, None, True],
        "nested": {"a": [{"b": []}], "empty": {}},
        "image": Image(url="https://example.vn/ả.jpg"),
        5: "int key",
        "big": 2**63 - 1,
    }
    assert to_json(value) == _stdlib(value)


def test_to_json_falls_back_beyond_64_bit_integers() -> None:
    value = {"huge": 2**70, "when": datetime(2025, 1, 1, tzinfo=UTC)}
    assert to_json(value) == _stdlib(value)


def test_to_json_array_is_typed_json() -> None:
    array = to_json_array([{"a": 1}, [], {"huge": 2**70}])
    assert str(array.type) == "extension<arrow.json>"
    assert array.storage.to_pylist() == ['{"a":1}', "[]", '{"huge":1180591620717411303424}']
