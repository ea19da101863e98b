"""A real HTTP/1.1 server on 127.0.0.x for fetch and flow tests; it misbehaves on request.

    with LocalServer() as srv:                      # 127.0.0.1, a free port
        srv.route("/a", body=b"<html>…</html>", etag='"v1"')
        srv.route("/slow", body=b"x" * 100, drip_s=0.05)
        srv.replies("/flaky", Reply(status=503, headers={"Retry-After": "1"}), Reply(body=b"ok"))
        srv.redirect("/old", srv.url("/a"))
        srv.robots("User-agent: *\\nDisallow: /private\\n")
        fetch(srv.url("/a"))
        assert [s.path for s in srv.seen()] == ["/robots.txt", "/a"]

Use LocalServer("127.0.0.2") and friends to stand for other hosts. Unknown paths answer 404.
Routes can be changed while the server runs. Call clear_proxy_env(monkeypatch) in tests that
make requests, so no HTTP(S)_PROXY from the environment gets in the way.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import socket
import ssl
import struct
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

PROXY_VARS = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
)


def clear_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove proxy and CA-bundle variables for the test."""
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)


@functools.cache
def gzip_zeros(size: int) -> bytes:
    """gzip of `size` zero bytes (100 MB -> about 100 KB): 1 MiB gzip members, concatenated."""
    block = 1 << 20
    member = gzip.compress(bytes(block), compresslevel=9)
    whole, rest = divmod(size, block)
    return member * whole + (gzip.compress(bytes(rest), compresslevel=9) if rest else b"")


@dataclass(frozen=True)
class Seen:
    """One request as the server saw it; headers keyed in lower case."""

    method: str
    path: str
    headers: dict[str, str]
    at: float  # time.monotonic() when the request line arrived
    client: str
    client_port: int = 0  # one port per TCP connection: equal ports mean keep-alive reuse


@dataclass
class Reply:
    """How to answer one request."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "text/html; charset=utf-8"
    etag: str | None = None  # answers 304 to a matching If-None-Match
    last_modified: str | None = None  # answers 304 to an equal If-Modified-Since
    delay_s: float = 0.0  # wait before the status line
    drip_s: float | None = None  # send the body one byte every drip_s seconds
    reset_after: int | None = None  # send this many body bytes, then reset the connection
    gzip: bool = False  # gzip the body and say Content-Encoding: gzip
    content_length: int | None = None  # announce this length instead of the real one


Handler = Callable[[BaseHTTPRequestHandler], None]


class _RequestHandler(BaseHTTPRequestHandler):
    """Looks the path up in the owning LocalServer and plays the reply."""

    protocol_version = "HTTP/1.1"
    server_version = "quelle-test"
    disable_nagle_algorithm = True  # PITFALLS 27: no 40 ms stalls on keep-alive
    timeout = 5  # idle keep-alive connections end on their own
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr log; LocalServer keeps its own."""

    def do_GET(self) -> None:
        """Answer GET."""
        self._serve("GET")

    def do_HEAD(self) -> None:
        """Answer HEAD like GET, without a body."""
        self._serve("HEAD")

    def finish(self) -> None:
        """Tolerate sockets the reply closed or reset on purpose."""
        with contextlib.suppress(OSError, ValueError):
            super().finish()

    def _serve(self, method: str) -> None:
        """Log the request, then answer it."""
        owner = self.server.owner
        headers = {k.lower(): v for k, v in self.headers.items()}
        host, port = self.client_address[:2]
        owner._log(Seen(method, self.path, headers, time.monotonic(), host, port))
        action = owner._next(self.path)
        if callable(action):
            action(self)
            return
        try:
            self._play(action, headers, head=method == "HEAD")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _play(self, reply: Reply, headers: dict[str, str], head: bool) -> None:
        """Send one Reply."""
        if reply.delay_s:
            time.sleep(reply.delay_s)
        not_modified = (
            reply.etag is not None and reply.etag in headers.get("if-none-match", "")
        ) or (
            reply.last_modified is not None
            and headers.get("if-modified-since") == reply.last_modified
        )
        if not_modified:
            self.send_response(304)
            if reply.etag:
                self.send_header("ETag", reply.etag)
            if reply.last_modified:
                self.send_header("Last-Modified", reply.last_modified)
            self.end_headers()
            return
        body = gzip.compress(reply.body) if reply.gzip else reply.body
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        if reply.gzip:
            self.send_header("Content-Encoding", "gzip")
        if reply.etag:
            self.send_header("ETag", reply.etag)
        if reply.last_modified:
            self.send_header("Last-Modified", reply.last_modified)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        length = reply.content_length if reply.content_length is not None else len(body)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        if head:
            return
        if reply.reset_after is not None:
            self.wfile.write(body[: reply.reset_after])
            self.wfile.flush()
            self._reset()
            return
        if reply.drip_s is not None:
            for i in range(len(body)):
                if self.server.owner.stopping.is_set():
                    self._reset()
                    return
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
                time.sleep(reply.drip_s)
            return
        self.wfile.write(body)

    def _reset(self) -> None:
        """Close with RST instead of FIN."""
        reset_connection(self)


def reset_connection(handler: BaseHTTPRequestHandler) -> None:
    """From a handler: drop the client's connection with a TCP reset (RST), not a FIN."""
    handler.close_connection = True
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its LocalServer."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    owner: LocalServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that reset or vanish are part of the tests; anything else is printed."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, ssl.SSLError)):
            super().handle_error(request, client_address)


class LocalServer:
    """A threaded HTTP/1.1 server with a routes table and a request log (context manager)."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None
    ) -> None:
        self._host = host
        self._port = port
        self._tls = tls
        self._lock = threading.Lock()
        self._routes: dict[str, list[Reply | Handler]] = {}
        self._log_entries: list[Seen] = []
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self.stopping = threading.Event()

    # lifecycle

    def start(self) -> LocalServer:
        """Bind and serve in a daemon thread."""
        httpd = _Server((self._host, self._port), _RequestHandler)
        httpd.owner = self
        if self._tls is not None:
            # Handshake lazily, in the handler thread, so one silent client cannot stall accept.
            httpd.socket = self._tls.wrap_socket(
                httpd.socket, server_side=True, do_handshake_on_connect=False
            )
        self._httpd = httpd
        self._port = httpd.server_address[1]
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        self.stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # addresses

    @property
    def host(self) -> str:
        """The address served on."""
        return self._host

    @property
    def port(self) -> int:
        """The port served on."""
        return self._port

    @property
    def base_url(self) -> str:
        """http(s)://host:port"""
        scheme = "https" if self._tls is not None else "http"
        return f"{scheme}://{self._host}:{self._port}"

    def url(self, path: str = "/") -> str:
        """Absolute URL of a path on this server."""
        return self.base_url + path

    # routes

    def replies(self, path: str, *replies: Reply | Handler) -> None:
        """Answer `path` with these replies in turn; the last one repeats."""
        if not replies:
            raise ValueError("at least one reply")
        with self._lock:
            self._routes[path] = list(replies)

    def route(self, path: str, body: bytes | str = b"", **reply: Any) -> None:
        """Answer `path` with one Reply (keyword arguments as in Reply)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.replies(path, Reply(body=data, **reply))

    def handle(self, path: str, handler: Handler) -> None:
        """Answer `path` with a function that writes the whole response itself."""
        self.replies(path, handler)

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        """Answer `path` with a redirect."""
        self.replies(path, Reply(status=status, headers={"Location": location}, content_type=None))

    def robots(self, text: str = "", status: int = 200, **reply: Any) -> None:
        """Serve /robots.txt."""
        self.route("/robots.txt", text, status=status, content_type="text/plain", **reply)

    def gzip_bomb(self, path: str, size: int = 100_000_000) -> None:
        """Serve `size` zero bytes gzipped (small on the wire) as HTML."""
        body = gzip_zeros(size)
        self.replies(path, _raw_gzip(body))

    # log

    def seen(self, path: str | None = None) -> list[Seen]:
        """Requests received so far, optionally only those for one path."""
        with self._lock:
            entries = list(self._log_entries)
        return [s for s in entries if path is None or s.path == path]

    def clear(self) -> None:
        """Forget the request log."""
        with self._lock:
            self._log_entries.clear()

    def _log(self, seen: Seen) -> None:
        """Append to the request log."""
        with self._lock:
            self._log_entries.append(seen)

    def _next(self, path: str) -> Reply | Handler:
        """The reply for a path (exact, then without query), advancing sequences."""
        with self._lock:
            queue = self._routes.get(path) or self._routes.get(path.split("?", 1)[0])
            if queue is None:
                return Reply(status=404, body=b"<html><body>not found</body></html>")
            return queue.pop(0) if len(queue) > 1 else queue[0]


def _raw_gzip(compressed: bytes) -> Handler:
    """A handler sending already-gzipped bytes as text/html."""

    def send(h: BaseHTTPRequestHandler) -> None:
        try:
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Content-Encoding", "gzip")
            h.send_header("Content-Length", str(len(compressed)))
            h.end_headers()
            h.wfile.write(compressed)
        except (BrokenPipeError, ConnectionResetError):
            h.close_connection = True

    return send


def fast_settings(**changes: Any) -> Any:
    """Settings for fetching from LocalServers: 127.0.0.0/8 allowed, short waits and bounds."""
    from flows.settings import Settings

    base: dict[str, Any] = {
        "allowed_networks": "127.0.0.0/8",
        "min_host_delay_s": 0.0,
        "connect_timeout_s": 2.0,
        "read_timeout_s": 2.0,
        "deadline_s": 3.0,
        "backoff_base_s": 0.01,
        "backoff_max_s": 0.05,
        "max_wait_s": 2.0,
        "max_workers": 4,
    }
    base.update(changes)
    return Settings(**base)
