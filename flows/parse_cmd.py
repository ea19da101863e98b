"""`quelle parse FILE`: print the record a saved page or seed text yields, with provenance.

An HTML file is parsed as the page fetched from `--url`; without one, its URL is the file's
own `file:///absolute/path` URI, so the record's id is stable per file, no site module
matches (the generic extractor runs) and nothing pretends the page came from the web host.
Any other file is read as a seed text.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from parsers.errors import ParseError
from parsers.records import Article

# Enough of the file to see a doctype or an opening tag behind a BOM and comments.
SNIFF_BYTES = 4096
HTML_SNIFF_RE = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|meta|title|article|div|p)[\s>/]", re.IGNORECASE
)
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml", ".aspx", ".php"})
# Fields shown first in the readable form; the rest follow in record order.
HEAD_FIELDS = ("title", "lead", "published_at", "modified_at", "author", "lang", "site", "url")


def run_parse(path: str, url: str | None, as_json: bool) -> int:
    """Parse one file and print its record.

    Args:
        path: an HTML page or a seed text file.
        url: the URL the page was fetched from; forces HTML parsing when given.
        as_json: print one JSON object (the article's fields) instead of readable text.

    Returns:
        0 on success, 1 when the file cannot be read, 2 when it holds no usable article.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        print(f"quelle parse: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    try:
        article = _parse(data, path, url)
    except ParseError as exc:
        kind = type(exc).__name__
        print(f"quelle parse: {path}: {kind}: {exc}", file=sys.stderr)
        return 2
    if as_json:
        json.dump(to_jsonable(article), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print_article(article, sys.stdout)
    return 0


def _parse(data: bytes, path: str, url: str | None) -> Article:
    """Route to the HTML parser or the seed-text parser."""
    if url is not None or looks_like_html(data, path):
        from parsers.html import parse_html

        return parse_html(data, url or Path(path).resolve().as_uri())
    from parsers.seed_text import parse_seed_bytes

    return parse_seed_bytes(data, path)


def looks_like_html(data: bytes, path: str) -> bool:
    """True for an .html-like file name or a doctype/tag near the start of the bytes."""
    if Path(path).suffix.lower() in HTML_SUFFIXES:
        return True
    return HTML_SNIFF_RE.search(data[:SNIFF_BYTES]) is not None


def to_jsonable(article: Article) -> dict[str, Any]:
    """The article's fields as JSON values: ISO 8601 datetimes, lists, provenance as a map."""
    record = {f.name: _jsonable(getattr(article, f.name)) for f in dataclasses.fields(article)}
    record["provenance"] = dict(article.provenance)
    return record


def _jsonable(value: Any) -> Any:
    """Datetimes as ISO strings, dataclasses as dicts, tuples as lists."""
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def print_article(article: Article, out: TextIO) -> None:
    """Readable form: head fields, body paragraphs, images, then where each field came from."""
    record = to_jsonable(article)
    sources: dict[str, str] = record["provenance"]

    def line(name: str, value: Any) -> None:
        """One field with its source."""
        source = f"  [{sources[name]}]" if name in sources else ""
        print(f"{name}: {value}{source}", file=out)

    for name in HEAD_FIELDS:
        if record.get(name) not in (None, "", []):
            line(name, record[name])
    for name in ("section", "canonical_url", "seed_path"):
        if record.get(name):
            line(name, record[name])
    if record["tags"]:
        line("tags", ", ".join(record["tags"]))
    print(f"extractor: {record['extractor']}", file=out)
    print(f"article_id: {record['article_id']}  origin: {record['origin']}", file=out)
    body = record["body"]
    print(
        f"body: {len(body)} paragraphs" + (f"  [{sources['body']}]" if "body" in sources else ""),
        file=out,
    )
    for i, paragraph in enumerate(body, 1):
        print(f"  {i:>3}. {paragraph}", file=out)
    if record["images"]:
        print(f"images: {len(record['images'])}", file=out)
        for image in record["images"]:
            extra = "".join(
                f"\n       {k}: {image[k]}" for k in ("caption", "credit") if image.get(k)
            )
            print(f"  - {image['url'] or image['file_name']}{extra}", file=out)
    if record["citations"]:
        print("citations:", file=out)
        for citation in record["citations"]:
            print(f"  - {citation['url']} ({citation['kind']})", file=out)
    print("provenance:", file=out)
    for name, source in article.provenance:
        print(f"  {name}: {source}", file=out)
