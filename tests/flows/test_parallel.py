"""CPU-bound stages in worker processes give the same results, in order, as in one process."""

from __future__ import annotations

from datetime import UTC, datetime

from flows.parallel import MIN_ITEMS, map_cpu
from flows.stages import parse_pages
from parsers.records import Page
from tests.conftest import ROOT

PAGE = (ROOT / "tests/fixtures/pages/vn_laos_digital.html").read_bytes()


def test_map_cpu_in_processes_keeps_order_and_results() -> None:
    items = [str(i) * (i % 7) for i in range(MIN_ITEMS + 50)]
    assert map_cpu(len, items, workers=2) == [len(i) for i in items]


def test_parsing_in_two_processes_equals_parsing_in_one() -> None:
    now = datetime(2026, 11, 22, tzinfo=UTC)
    pages = [
        Page(url=f"https://baotintuc.vn/a-{i}.htm", final_url=f"https://baotintuc.vn/a-{i}.htm",
             status=200, fetched_at=now, body=PAGE if i % 10 else b"<html></html>",
             content_type="text/html")
        for i in range(MIN_ITEMS)
    ]
    one, two = parse_pages(pages, workers=1), parse_pages(pages, workers=2)
    assert one == two
    assert len(one.articles) == MIN_ITEMS - MIN_ITEMS // 10 and len(one.rejects) == MIN_ITEMS // 10
