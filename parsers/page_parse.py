"""One fetched page into its article, as a parsing worker runs it.

Its own module so that a spawned worker imports the parsers alone: unpickling
flows.stages.parse_page imported the flow's stack too (requests, DuckDB, Arrow, numpy),
1.2 s of CPU per worker against 0.4 s.
"""

from __future__ import annotations

from parsers.errors import ParseError
from parsers.html import parse_html
from parsers.records import Article, Page


def parse_page(page: Page) -> Article | tuple[str, str, str]:
    """One page's article, or the reject (stage, input, reason) that says why there is none."""
    try:
        return parse_html(page.body, page.url, page.content_type)
    except ParseError as exc:
        return ("parse_html", page.url, str(exc) or type(exc).__name__)


def parse_keyed(page: Page) -> tuple[str, Article | tuple[str, str, str]]:
    """The page's URL with parse_page's answer: the caller need not hold the page (its body
    is read back from a spool for the worker) to know whose answer it is."""
    return page.url, parse_page(page)
