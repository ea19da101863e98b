"""Bodies packed for the archive as their pages arrive, exactly those the archive writes."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta

from flows.fetch import fetch_all
from flows.packing import Packer
from flows.stages import to_archive
from parsers.records import Page
from tests.servers import LocalServer, fast_settings

HTML = b"<html><body><p>%d</p></body></html>"


def test_the_packed_bodies_are_the_archived_pages_bodies(srv: LocalServer) -> None:
    for n in range(5):
        srv.route(f"/{n}", HTML % n)
    fresh = Page(srv.url("/0"), srv.url("/0"), 200, datetime.now(UTC) - timedelta(minutes=1),
                 HTML % 0, (), "text/html", None, None)
    urls = [srv.url(f"/{n}") for n in range(5)] + [srv.url("/missing")]
    with Packer(2) as packer:
        results = fetch_all(urls, fast_settings(), {fresh.url: fresh}, on_result=packer.add)
        packed = packer.collect()
    # A fresh archive hit (/0) and a 404 are not written again, so not packed.
    assert sorted(packed) == sorted(p.url for p in to_archive(results)) == urls[1:5]
    assert {u: zlib.decompress(z) for u, z in packed.items()} == {
        srv.url(f"/{n}"): HTML % n for n in range(1, 5)
    }
