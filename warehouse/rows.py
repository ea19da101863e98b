"""Records to Arrow tables, column for column as the warehouse stores them."""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import datetime
from typing import Any

import pyarrow as pa

from parsers.records import Article, Page

TS = pa.timestamp("us", tz="UTC")
STR_LIST = pa.list_(pa.string())

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
        ("images", pa.string()),
        ("provenance", pa.string()),
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
        ("headers", pa.string()),
        ("body_sha256", pa.string()),
        ("body_bytes", pa.int64()),
        ("body", pa.binary()),
        ("article_id", pa.string()),
    ]
)

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


def to_json(value: Any) -> str:
    """Compact JSON that keeps non-ASCII letters readable in the duckdb shell."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def to_article_rows(articles: Sequence[Article]) -> pa.Table:
    """The articles table's columns for a batch of records."""
    cols: dict[str, list[Any]] = {name: [] for name in ARTICLE_SCHEMA.names}
    for a in articles:
        cols["article_id"].append(a.article_id)
        cols["origin"].append(a.origin)
        cols["seed_path"].append(a.seed_path)
        cols["url"].append(a.url)
        cols["site"].append(a.site)
        cols["lang"].append(a.lang)
        cols["title"].append(a.title)
        cols["lead"].append(a.lead)
        cols["body"].append("\n\n".join(a.body))
        cols["paragraphs"].append(list(a.body))
        cols["published_at"].append(a.published_at)
        cols["modified_at"].append(a.modified_at)
        cols["author"].append(a.author)
        cols["section"].append(a.section)
        cols["tags"].append(list(a.tags))
        cols["canonical_url"].append(a.canonical_url)
        cols["images"].append(to_json([asdict(i) for i in a.images]))
        cols["provenance"].append(to_json(dict(a.provenance)))
        cols["extractor"].append(a.extractor)
        cols["content_sha256"].append(a.content_sha256)
    return pa.table(cols, schema=ARTICLE_SCHEMA)


def compress_bodies(pages: Sequence[Page], workers: int) -> dict[str, bytes]:
    """url → zlib level 1 of the body (1.5x faster than 6, ~8% larger), in threads.

    zlib releases the GIL, so this uses every core; done as pages arrive, not in the load.
    """
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        packed = pool.map(lambda p: zlib.compress(p.body, 1), pages)
        return {p.url: z for p, z in zip(pages, packed, strict=True)}


def to_page_rows(
    pages: Sequence[Page],
    article_ids: Mapping[str, str],
    compressed: Mapping[str, bytes] | None = None,
) -> pa.Table:
    """The pages table's columns; bodies as compressed by compress_bodies."""
    compressed = compressed or {}
    cols: dict[str, list[Any]] = {name: [] for name in PAGE_SCHEMA.names}
    for p in pages:
        cols["url"].append(p.url)
        cols["final_url"].append(p.final_url)
        cols["status"].append(p.status)
        cols["fetched_at"].append(p.fetched_at)
        cols["etag"].append(p.etag)
        cols["last_modified"].append(p.last_modified)
        cols["content_type"].append(p.content_type)
        cols["headers"].append(to_json(dict(p.headers)))
        cols["body_sha256"].append(p.body_sha256)
        cols["body_bytes"].append(len(p.body))
        packed = compressed.get(p.url)
        cols["body"].append(packed if packed is not None else zlib.compress(p.body, 1))
        cols["article_id"].append(article_ids.get(p.url))
    return pa.table(cols, schema=PAGE_SCHEMA)


def to_fetch_rows(run_id: str, attempts: Sequence[Mapping[str, Any]]) -> pa.Table:
    """The fetches table's columns from attempt dicts (keys as in FETCH_SCHEMA)."""
    cols: dict[str, list[Any]] = {name: [] for name in FETCH_SCHEMA.names}
    for a in attempts:
        for name in FETCH_SCHEMA.names:
            cols[name].append(run_id if name == "run_id" else a.get(name))
    return pa.table(cols, schema=FETCH_SCHEMA)


def from_page_row(row: Mapping[str, Any]) -> Page:
    """A Page back from its archived row (body decompressed)."""
    fetched_at: datetime = row["fetched_at"]
    headers = json.loads(row["headers"]) if row["headers"] else {}
    return Page(
        url=row["url"],
        final_url=row["final_url"] or row["url"],
        status=int(row["status"] or 0),
        fetched_at=fetched_at,
        body=zlib.decompress(row["body"]) if row["body"] is not None else b"",
        headers=tuple(headers.items()),
        content_type=row["content_type"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        body_sha256=row["body_sha256"] or "",
    )
