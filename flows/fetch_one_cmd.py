"""`quelle fetch URL`: fetch one URL under the run's rules and show why it went as it went."""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import datetime
from typing import Any, TextIO

from flows.fetch import FetchResult, fetch_one
from flows.settings import Settings
from parsers.errors import ParseError
from parsers.records import Page


def _jsonable(value: Any) -> Any:
    """Datetimes as ISO strings, bytes as their length, tuples as lists."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _parse(page: Page) -> tuple[dict[str, Any] | None, str | None]:
    """The parsed record as a dict, or the reason it could not be parsed."""
    from parsers.html import parse_html

    try:
        article = parse_html(page.body, page.final_url, page.content_type)
    except ParseError as exc:
        return None, f"{type(exc).__name__}: {exc}"
    return _jsonable(dataclasses.asdict(article)), None


def to_report(result: FetchResult) -> dict[str, Any]:
    """Everything the operator sees, as one JSON-able dict."""
    report: dict[str, Any] = {
        "url": result.url,
        "outcome": result.outcome,
        "attempts": [_jsonable(dataclasses.asdict(a)) for a in result.attempts],
        "headers": None,
        "record": None,
        "parse_error": None,
    }
    page = result.page
    if page is not None:
        report["final_url"] = page.final_url
        report["status"] = page.status
        report["bytes"] = len(page.body)
        report["headers"] = [list(h) for h in page.headers]
        report["record"], report["parse_error"] = _parse(page)
    return report


def _print_text(report: dict[str, Any], out: TextIO) -> None:
    """Human-readable report."""
    print(f"{report['url']}: {report['outcome']}", file=out)
    for a in report["attempts"]:
        status = a["status"] if a["status"] is not None else "-"
        extra = f" {a['error']}" if a["error"] else ""
        print(
            f"  attempt {a['attempt']}: {a['outcome']} status={status} {a['duration_ms']}ms "
            f"{a['bytes']}B cache={a['cache']} address={a['address'] or '-'}"
            f" final={a['final_url'] or '-'}{extra}",
            file=out,
        )
    if report["headers"] is not None:
        print("headers:", file=out)
        for name, value in report["headers"]:
            print(f"  {name}: {value}", file=out)
    if report["record"] is not None:
        print("record:", file=out)
        for key, value in report["record"].items():
            if value in (None, "", [], ()):
                continue
            if key == "body":
                value = f"{len(value)} paragraphs; first: {value[0][:200]!r}"
            print(f"  {key}: {value}", file=out)
    elif report["parse_error"] is not None:
        print(f"not parsed: {report['parse_error']}", file=out)


def run_fetch(
    url: str, settings: Settings, as_json: bool = False, out: TextIO | None = None
) -> int:
    """Fetch `url` with the run's rules; print attempts, headers and record.

    Args:
        url: the URL to fetch (canonicalised first, as in a run).
        settings: the run's settings.
        as_json: print one JSON object instead of text.
        out: where to print (default stdout).

    Returns:
        0 when the fetch ended ok, 1 otherwise.
    """
    stream = out if out is not None else sys.stdout
    result = fetch_one(url, settings)
    report = to_report(result)
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str), file=stream)
    else:
        _print_text(report, stream)
    return 0 if result.outcome == "ok" else 1
