"""The benchmark's page server: pages read once at start, ETags that revalidate, 404s."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import server  # noqa: E402


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A bench server on 127.0.0.1 over one site's page files."""
    (tmp_path / "tuoitre.vn").mkdir()
    (tmp_path / "tuoitre.vn" / "a.htm").write_bytes(b"<html>A</html>")
    (tmp_path / "tuoitre.vn" / "b.htm").write_bytes(b"<html>B</html>")
    httpd = ThreadingHTTPServer(
        ("127.0.0.1", 0), server.make_handler(server.Pages(tmp_path), server.Stats())
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", tmp_path
    finally:
        httpd.shutdown()
        httpd.server_close()


def get(url: str, **headers: str) -> requests.Response:
    """One GET as the tuoitre.vn host, no proxies."""
    with requests.Session() as s:
        s.trust_env = False
        return s.get(url, headers={"Host": "tuoitre.vn", **headers}, timeout=5)


def test_pages_are_served_with_distinct_etags_that_revalidate(site: tuple[str, Path]) -> None:
    base, _ = site
    a, b = get(f"{base}/a.htm"), get(f"{base}/b.htm")
    assert (a.status_code, a.content, b.content) == (200, b"<html>A</html>", b"<html>B</html>")
    assert a.headers["ETag"] != b.headers["ETag"]
    again = get(f"{base}/a.htm", **{"If-None-Match": a.headers["ETag"]})
    assert (again.status_code, again.content) == (304, b"")
    stale = get(f"{base}/a.htm", **{"If-None-Match": b.headers["ETag"]})
    assert (stale.status_code, stale.content) == (200, b"<html>A</html>")


def test_the_pages_are_the_ones_read_at_start(site: tuple[str, Path]) -> None:
    base, root = site
    (root / "tuoitre.vn" / "late.htm").write_bytes(b"late")
    (root / "tuoitre.vn" / "a.htm").unlink()
    assert get(f"{base}/late.htm").status_code == 404
    assert get(f"{base}/a.htm").content == b"<html>A</html>"
    assert get(f"{base}/missing.htm").status_code == 404
