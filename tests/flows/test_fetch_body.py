"""The page hash is taken while streaming, and is the hash of exactly the stored body."""

from __future__ import annotations

import hashlib
from http.server import BaseHTTPRequestHandler

from flows.fetch import fetch_one
from tests.servers import LocalServer, fast_settings

BIG = ("<html><body>" + "<p>Hà Nội, tin tức</p>" * 20_000 + "</body></html>").encode()


def test_hash_is_of_the_body_read_in_many_chunks(srv: LocalServer) -> None:
    srv.route("/big", BIG)  # ~500 KB: several reads
    r = fetch_one(srv.url("/big"), fast_settings())
    assert r.page is not None and r.page.body == BIG
    assert r.page.body_sha256 == hashlib.sha256(BIG).hexdigest()


def test_hash_is_of_the_decoded_body(srv: LocalServer) -> None:
    srv.route("/gz", BIG, gzip=True)
    r = fetch_one(srv.url("/gz"), fast_settings())
    assert r.page is not None and r.page.body == BIG
    assert r.page.body_sha256 == hashlib.sha256(BIG).hexdigest()


def test_hash_of_a_chunked_body(srv: LocalServer) -> None:
    def chunked(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        for part in (BIG[:70_000], BIG[70_000:]):
            h.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        h.wfile.write(b"0\r\n\r\n")

    srv.handle("/chunked", chunked)
    r = fetch_one(srv.url("/chunked"), fast_settings())
    assert r.page is not None and r.page.body == BIG
    assert r.page.body_sha256 == hashlib.sha256(BIG).hexdigest()
