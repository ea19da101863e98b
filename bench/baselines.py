"""What each stage would cost done the plain way, on the same data as the pipeline run.

- fetch: one bare requests.Session per host, hosts on a thread pool of the pipeline's size;
- parse: BeautifulSoup(lxml) alone and lxml.html alone, next to parse_html, on one sample;
- match: every pair scored with parsers.matching.score_pair vs the indexed match_new;
- load: the run's own rows read back as Arrow and bulk-inserted (CREATE TABLE AS) into a
  fresh DuckDB file, one transaction committed as a checkpoint (as the load commits), no
  merge, no checks.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import duckdb
import lxml.html
import requests
from bs4 import BeautifulSoup

from parsers.fingerprint import to_fingerprint
from parsers.html import parse_html
from parsers.matching import THRESHOLD, match_new, score_pair, to_corpus
from parsers.records import Article
from parsers.seed_text import parse_seed_bytes

LOAD_TABLES = ("articles", "article_versions", "citations", "pages", "fetches", "fingerprints",
               "rejects",
               "story_members", "stories")


def fetch_bare(urls: Sequence[str], workers: int) -> dict[str, Any]:
    """GET every URL with one plain Session per host, hosts in parallel; body read fully."""
    groups: dict[str, list[str]] = {}
    for u in urls:
        groups.setdefault(urlsplit(u).netloc, []).append(u)

    def run(group: list[str]) -> tuple[int, int]:
        n = size = 0
        with requests.Session() as s:
            s.trust_env = False
            for u in group:
                r = s.get(u, timeout=30)
                size += len(r.content)
                n += r.status_code == 200
        return n, size

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(groups)))) as pool:
        done = list(pool.map(run, groups.values()))
    wall = time.perf_counter() - start
    ok = sum(n for n, _ in done)
    return {
        "urls": len(urls),
        "ok": ok,
        "bytes": sum(b for _, b in done),
        "wall_s": round(wall, 3),
        "items_per_s": round(len(urls) / wall, 1) if wall else None,
    }


def parse_compare(pages: Sequence[tuple[str, bytes]]) -> dict[str, Any]:
    """Per-page time of BeautifulSoup(lxml), raw lxml and parse_html on the same pages."""
    texts = [(url, body.decode("utf-8")) for url, body in pages]
    out: dict[str, Any] = {"pages": len(pages)}

    def clock(fn: Any) -> float:
        start = time.perf_counter()
        for url, text in texts:
            fn(url, text)
        return time.perf_counter() - start

    t_bs4 = clock(lambda _u, t: BeautifulSoup(t, "lxml"))
    t_lxml = clock(lambda _u, t: lxml.html.document_fromstring(t))
    start = time.perf_counter()
    for url, body in pages:
        parse_html(body, url, "text/html; charset=utf-8")
    t_quelle = time.perf_counter() - start
    n = max(1, len(pages))
    for name, t in (("bs4_lxml", t_bs4), ("lxml", t_lxml), ("parse_html", t_quelle)):
        out[name] = {"wall_s": round(t, 3), "ms_per_page": round(1000 * t / n, 2),
                     "items_per_s": round(n / t, 1) if t else None}
    return out


def to_articles(seeds: Sequence[tuple[str, bytes]], pages: Sequence[tuple[str, bytes]]
                ) -> list[Article]:
    """Seed and page articles, parsed as the pipeline parses them."""
    out = [parse_seed_bytes(data, rel) for rel, data in seeds]
    out += [parse_html(body, url, "text/html; charset=utf-8") for url, body in pages]
    return out


def match_compare(articles: Sequence[Article]) -> dict[str, Any]:
    """All pairs scored one by one vs the indexed matcher, on the same fingerprints."""
    start = time.perf_counter()
    fps = [to_fingerprint(a) for a in articles]
    t_fp = time.perf_counter() - start
    start = time.perf_counter()
    indexed = match_new(fps, [], (), use_citations=False)
    t_indexed = time.perf_counter() - start
    start = time.perf_counter()
    corpus = to_corpus(fps)
    ids = [fp.article_id for fp in fps]
    found = set()
    pairs = 0
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            key = (a, b) if a < b else (b, a)
            pairs += 1
            if score_pair(corpus, *key).score >= THRESHOLD:
                found.add(key)
    t_all = time.perf_counter() - start
    got = {(e.a, e.b) for e in indexed}
    return {
        "articles": len(fps),
        "fingerprint_s": round(t_fp, 3),
        "indexed": {"wall_s": round(t_indexed, 3), "edges": len(got)},
        "all_pairs": {"wall_s": round(t_all, 3), "pairs": pairs, "edges": len(found),
                      "pairs_per_s": round(pairs / t_all) if t_all else None},
        "indexed_recall_of_all_pairs": round(len(found & got) / len(found), 4) if found else None,
    }


def load_bare(db_path: Path, scratch: Path) -> dict[str, Any]:
    """Read the run's tables back as Arrow, bulk-insert them into a fresh file, one commit."""
    src = duckdb.connect(str(db_path), read_only=True)
    try:
        # Materialise each result before the next query: a lazy reader dies with it.
        tables = {t: src.execute(f"select * from {t}").fetch_arrow_table() for t in LOAD_TABLES}
    finally:
        src.close()
    if scratch.exists():
        scratch.unlink()
    con = duckdb.connect(str(scratch))
    rows = sum(a.num_rows for a in tables.values())
    nbytes = sum(a.nbytes for a in tables.values())
    start = time.perf_counter()
    con.execute("begin")
    for name, arrow in tables.items():
        con.register("_rows", arrow)
        con.execute(f"create table {name} as select * from _rows")
        con.unregister("_rows")
    # Committed as the pipeline's load commits (checkpointed), so both clocks stop with the
    # rows in the file. With the default threshold the rows went to the WAL and the checkpoint
    # at close, outside the clock, took another 8-11 s at 10k (close_s shows what is left).
    con.execute("set checkpoint_threshold = '0b'")
    con.execute("commit")
    wall = time.perf_counter() - start
    start = time.perf_counter()
    con.close()
    close_s = time.perf_counter() - start
    scratch.unlink()
    return {
        "rows": rows,
        "per_table": {t: a.num_rows for t, a in tables.items()},
        "arrow_mb": round(nbytes / 1e6, 1),
        "wall_s": round(wall, 3),
        "close_s": round(close_s, 3),
        "rows_per_s": round(rows / wall) if wall else None,
    }


def load_pages_scaling(pages: Sequence[tuple[str, bytes]], sizes: Sequence[int],
                       scratch: Path) -> list[dict[str, Any]]:
    """warehouse.load.load_batch on pages alone, with and without page→article links.

    Isolates the page part of the load stage: compressing bodies, the insert, and the
    per-URL `update pages set article_id` loop (which runs once per linked page).
    """
    from datetime import UTC, datetime

    from parsers.records import Page, to_article_id
    from warehouse.db import open_warehouse
    from warehouse.load import LoadBatch, load_batch

    now = datetime.now(UTC)
    out = []
    for n in sizes:
        batch_pages = [Page(url=u, final_url=u, status=200, fetched_at=now, body=b,
                            content_type="text/html; charset=utf-8") for u, b in pages[:n]]
        links = {p.url: to_article_id(p.url) for p in batch_pages}
        row: dict[str, Any] = {"pages": n}
        for label, page_articles in (("linked", links), ("unlinked", {})):
            for p in scratch.parent.glob(scratch.name + "*"):
                p.unlink()
            con = open_warehouse(scratch)
            start = time.perf_counter()
            load_batch(con, LoadBatch(run_id="bench", pages=batch_pages,
                                      page_articles=page_articles))
            row[f"{label}_s"] = round(time.perf_counter() - start, 2)
            con.close()
        out.append(row)
    for p in scratch.parent.glob(scratch.name + "*"):
        p.unlink()
    return out
