"""The benchmark's synthetic web: a threaded HTTP/1.1 server per host on 127.0.0.2-9.

Run as a process of its own (so it does not share the pipeline's GIL):

    python bench/server.py serve --pages DIR --port N --ready FILE

serves DIR/<host>/<path> for every host in corpus.HOSTS on its loopback address (every page
read and hashed once at start, so serving costs the shared CPUs little, as a remote site
would cost them nothing), with Content-Length, keep-alive, ETag and Last-Modified (a day
old: young pages, so an unchanged re-run finds them fresh in the archive), 304 for a
matching If-None-Match, an allow-all robots.txt and no pacing. GET /__bench/stats on any
host returns the counters as JSON.

    python bench/server.py quelle [quelle args…]

runs the `quelle` CLI with a resolver that maps the corpus hosts (and nothing else) to their
loopback addresses, so real site names reach their site parsers without touching /etc/hosts.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import HOST_ADDRESSES  # noqa: E402

ROBOTS = b"User-agent: *\nAllow: /\n"
LAST_MODIFIED = email.utils.formatdate(time.time() - 86_400, usegmt=True)


class Stats:
    """Request counters, shared by the handler threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: dict[str, int] = {"ok": 0, "not_modified": 0, "robots": 0, "not_found": 0}
        self.body_bytes = 0

    def add(self, kind: str, nbytes: int = 0) -> None:
        """Count one response."""
        with self.lock:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            self.body_bytes += nbytes

    def to_dict(self) -> dict[str, Any]:
        """The counters as JSON-able data."""
        with self.lock:
            return {**self.counts, "body_bytes": self.body_bytes}


class Pages:
    """Every page file's bytes and ETag, read and hashed once at start.

    The server stands in for remote sites but shares the pipeline's two cores: reading and
    hashing each body per request cost it ~0.3 ms of the ~1 ms it spent on a request."""

    def __init__(self, root: Path) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        for host_dir in sorted(p for p in root.iterdir() if p.is_dir()):
            for file in host_dir.iterdir():
                data = file.read_bytes()
                etag = '"' + hashlib.md5(data, usedforsecurity=False).hexdigest()[:16] + '"'
                self.files[f"{host_dir.name}/{file.name}"] = (data, etag)

    def get(self, host: str, path: str) -> tuple[bytes, str] | None:
        """The page's bytes and ETag, or None when there is no such page."""
        return self.files.get(f"{host}/{path.lstrip('/')}")


def make_handler(pages: Pages, stats: Stats) -> type[BaseHTTPRequestHandler]:
    """A handler class serving the pages of the Host header's site."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # PITFALLS 27: no 40 ms delayed-ACK stalls
        server_version = "bench/1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Quiet."""

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            """One complete response with Content-Length (keep-alive)."""
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            """Pages, robots.txt and the stats endpoint."""
            host = (self.headers.get("Host") or "").split(":")[0].lower()
            path = self.path.split("?", 1)[0]
            if path == "/robots.txt":
                stats.add("robots")
                self._send(200, ROBOTS, {"Content-Type": "text/plain"})
                return
            if path == "/__bench/stats":
                body = json.dumps(stats.to_dict()).encode()
                self._send(200, body, {"Content-Type": "application/json"})
                return
            page = pages.get(host, path)
            if page is None:
                stats.add("not_found")
                self._send(404, b"not found", {"Content-Type": "text/plain"})
                return
            data, etag = page
            if self.headers.get("If-None-Match") == etag:
                stats.add("not_modified")
                self._send(304, b"", {"ETag": etag, "Last-Modified": LAST_MODIFIED})
                return
            stats.add("ok", len(data))
            self._send(
                200,
                data,
                {
                    "Content-Type": "text/html; charset=utf-8",
                    "ETag": etag,
                    "Last-Modified": LAST_MODIFIED,
                    "Cache-Control": "max-age=60",
                },
            )

    return Handler


def free_port(addresses: list[str], start: int = 18080) -> int:
    """A port free on every given address."""
    for port in range(start, start + 200):
        try:
            for addr in addresses:
                with socket.socket() as s:
                    s.bind((addr, port))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port")


def serve(root: Path, port: int, ready: Path) -> None:
    """Serve every corpus host on its address until killed."""
    stats = Stats()
    handler = make_handler(Pages(root), stats)
    servers = []
    for addr in sorted(set(HOST_ADDRESSES.values())):
        httpd = ThreadingHTTPServer((addr, port), handler)
        httpd.daemon_threads = True
        httpd.request_queue_size = 128
        servers.append(httpd)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
    ready.write_text(str(port))
    while True:
        time.sleep(3600)


def install_resolver() -> None:
    """Resolve the corpus hosts to their loopback addresses; refuse every other name."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        addr = HOST_ADDRESSES.get((name or "").lower().rstrip("."))
        if addr is not None:
            return real(addr, port, *args, **kwargs)
        if name in (None, "localhost") or (name or "").startswith("127."):
            return real(host, port, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, f"benchmark resolver: no such host {name}")

    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]


def main(argv: list[str]) -> int:
    """`serve …` or `quelle …`."""
    if argv and argv[0] == "serve":
        args = dict(zip(argv[1::2], argv[2::2], strict=False))
        serve(Path(args["--pages"]), int(args["--port"]), Path(args["--ready"]))
        return 0
    if argv and argv[0] == "quelle":
        install_resolver()
        from flows.cli import main as quelle_main

        return quelle_main(argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
