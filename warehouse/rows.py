"""Records to Arrow tables, column for column as the warehouse stores them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
from isal import isal_zlib

from parsers.anchor_pack import anchors_json
from parsers.records import Article, Image, Page

TS = pa.timestamp("us", tz="UTC")
STR_LIST = pa.list_(pa.string())
# JSON text we wrote ourselves: typed as JSON on the Arrow side, DuckDB stores it into a JSON
# column as is instead of parsing every document again (measured: ~0.4 s per 70 MB).
JSON = pa.json_(pa.string())

ARTICLE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("origin", pa.string()),
        ("seed_path", pa.string()),
        ("url", pa.string()),
        ("site", pa.string()),
        ("lang", pa.string()),
        ("title", pa.string()),
        ("lead", pa.string()),
        ("body", pa.string()),
        ("paragraphs", STR_LIST),
        ("published_at", TS),
        ("modified_at", TS),
        ("author", pa.string()),
        ("section", pa.string()),
        ("tags", STR_LIST),
        ("canonical_url", pa.string()),
        ("images", JSON),
        ("provenance", JSON),
        ("extractor", pa.string()),
        ("content_sha256", pa.string()),
    ]
)

PAGE_SCHEMA = pa.schema(
    [
        ("url", pa.string()),
        ("final_url", pa.string()),
        ("status", pa.int32()),
        ("fetched_at", TS),
        ("etag", pa.string()),
        ("last_modified", pa.string()),
        ("content_type", pa.string()),
        ("headers", JSON),
        ("body_sha256", pa.string()),
        ("body_bytes", pa.int64()),
        ("body", pa.binary()),
        ("article_id", pa.string()),
    ]
)

PAGE_META_SCHEMA = pa.schema([f for f in PAGE_SCHEMA if f.name != "body"])

FETCH_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("url", pa.string()),
        ("attempt", pa.int32()),
        ("started_at", TS),
        ("duration_ms", pa.int32()),
        ("status", pa.string()),
        ("http_status", pa.int32()),
        ("error", pa.string()),
        ("bytes", pa.int64()),
        ("cache", pa.string()),
        ("final_url", pa.string()),
        ("address", pa.string()),
    ]
)


# orjson writes what json.dumps(ensure_ascii=False, separators=(",", ":"), default=str) writes
# (datetimes and dataclasses through default=str, too) 8x faster: 20k fingerprints 0.2 s vs
# 1.8 s. It differs only where json.dumps is wrong or odd: NaN becomes null, not invalid JSON;
# 1e-05 is written 1e-5. What orjson refuses (an int beyond 64 bits) goes the stdlib way.
_ORJSON = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


def _json_bytes(value: Any) -> bytes:
    """Compact UTF-8 JSON of a value (see to_json)."""
    try:
        return orjson.dumps(value, default=str, option=_ORJSON)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def to_json(value: Any) -> str:
    """Compact JSON that keeps non-ASCII letters readable in the duckdb shell."""
    return _json_bytes(value).decode()


def to_json_array(values: Iterable[Any]) -> pa.Array:
    """Values as an Arrow JSON column, each as to_json writes it."""
    values = list(values)
    try:
        texts = [orjson.dumps(v, default=str, option=_ORJSON).decode() for v in values]
    except TypeError:
        texts = [to_json(v) for v in values]
    return pa.array(texts, JSON)


def to_print_json_array(prints: Iterable[Any]) -> pa.Array:
    """Fingerprint rows as a JSON column, each as to_json writes its to_row(). Packed anchors
    (parsers.anchor_pack) are spliced in as JSON text: unpacking ~200 strings a fingerprint
    only to write them out again was two thirds of the rows' cost."""
    texts = []
    for p in prints:
        packed = getattr(p, "packed_anchors", None)
        spliced = anchors_json(packed) if packed is not None else None
        if spliced is None:
            texts.append(to_json(p.to_row()))
            continue
        # The key appears once, before any text of the article's (its id, language and
        # hash are hex and codes, its date ISO).
        head = _json_bytes(p.to_row(anchors=False))
        texts.append(head.replace(b'"anchors":[]', b'"anchors":' + spliced, 1).decode())
    return pa.array(texts, JSON)


def _image_rows(images: Sequence[Image]) -> list[dict[str, str | None]]:
    """Images as asdict gives them, without its recursive deep copy."""
    return [
        {"url": i.url, "file_name": i.file_name, "caption": i.caption, "credit": i.credit}
        for i in images
    ]


def to_article_rows(articles: Sequence[Article]) -> pa.Table:
    """The articles table's columns for a batch of records."""
    # Column by column, no asdict, JSON by orjson: 0.6 s CPU for 20k articles, 2.7 s before.
    paragraphs = pa.array([a.body for a in articles], STR_LIST)
    cols: dict[str, Any] = {
        "article_id": [a.article_id for a in articles],
        "origin": [a.origin for a in articles],
        "seed_path": [a.seed_path for a in articles],
        "url": [a.url for a in articles],
        "site": [a.site for a in articles],
        "lang": [a.lang for a in articles],
        "title": [a.title for a in articles],
        "lead": [a.lead for a in articles],
        # The join in Arrow: no Python string built and encoded again per article.
        "body": pc.binary_join(paragraphs, "\n\n"),
        "paragraphs": paragraphs,
        "published_at": [a.published_at for a in articles],
        "modified_at": [a.modified_at for a in articles],
        "author": [a.author for a in articles],
        "section": [a.section for a in articles],
        "tags": [a.tags for a in articles],
        "canonical_url": [a.canonical_url for a in articles],
        "images": to_json_array(_image_rows(a.images) for a in articles),
        "provenance": to_json_array(dict(a.provenance) for a in articles),
        "extractor": [a.extractor for a in articles],
        "content_sha256": [a.content_sha256 for a in articles],
    }
    return pa.table(cols, schema=ARTICLE_SCHEMA)


def compress_body(body: bytes) -> bytes:
    """A body as the archive stores it: a zlib stream, level 1."""
    # ISA-L writes the same format (zlib.decompress reads it) at 0.46 ms a benchmark page
    # against zlib's 1.82, the size within 1%: packing was 17 CPU-s of a 10k night.
    return isal_zlib.compress(body, 1)


def decompress_body(packed: bytes) -> bytes:
    """A stored body's bytes (ISA-L inflates zlib streams twice as fast as zlib)."""
    return isal_zlib.decompress(packed)


def to_page_rows(
    pages: Sequence[Page],
    article_ids: Mapping[str, str],
    compressed: Mapping[str, bytes] | None = None,
) -> pa.Table:
    """The pages table's columns; bodies as compressed by compress_body."""
    compressed = compressed or {}
    body = pa.array([pack_body(p, compressed) for p in pages], pa.binary())
    return to_page_meta(pages, article_ids).append_column("body", body).select(PAGE_SCHEMA.names)


def pack_body(page: Page, compressed: Mapping[str, bytes]) -> bytes:
    """The page's zlib body: packed on arrival, or packed now from the bytes still held."""
    packed = compressed.get(page.url)
    if packed is not None:
        return packed
    if page.body_bytes and not page.body:
        # Writing the empty bytes would lose the archived body without a word.
        raise ValueError(f"the body of {page.url} was let go before it was packed")
    return compress_body(page.body)


def to_page_meta(pages: Sequence[Page], article_ids: Mapping[str, str]) -> pa.Table:
    """The pages table's columns but the body: what a revalidated page changes."""
    return pa.table(
        {
            "url": [p.url for p in pages],
            "final_url": [p.final_url for p in pages],
            "status": [p.status for p in pages],
            "fetched_at": [p.fetched_at for p in pages],
            "etag": [p.etag for p in pages],
            "last_modified": [p.last_modified for p in pages],
            "content_type": [p.content_type for p in pages],
            "headers": to_json_array(dict(p.headers) for p in pages),
            "body_sha256": [p.body_sha256 for p in pages],
            "body_bytes": [p.body_bytes for p in pages],
            "article_id": [article_ids.get(p.url) for p in pages],
        },
        schema=PAGE_META_SCHEMA,
    )


def to_fetch_rows(run_id: str, attempts: Sequence[Mapping[str, Any]]) -> pa.Table:
    """The fetches table's columns from attempt dicts (keys as in FETCH_SCHEMA)."""
    cols = {
        name: [run_id] * len(attempts) if name == "run_id" else [a.get(name) for a in attempts]
        for name in FETCH_SCHEMA.names
    }
    return pa.table(cols, schema=FETCH_SCHEMA)


def from_page_row(row: Mapping[str, Any]) -> Page:
    """A Page back from its archived row (body decompressed; empty when not selected)."""
    fetched_at: datetime = row["fetched_at"]
    headers = json.loads(row["headers"]) if row["headers"] else {}
    return Page(
        url=row["url"],
        final_url=row["final_url"] or row["url"],
        status=int(row["status"] or 0),
        fetched_at=fetched_at,
        body=decompress_body(row["body"]) if row.get("body") is not None else b"",
        headers=tuple(headers.items()),
        content_type=row["content_type"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        body_sha256=row["body_sha256"] or "",
        body_bytes=int(row["body_bytes"]) if row.get("body_bytes") is not None else -1,
    )
