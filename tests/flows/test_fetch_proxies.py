"""Proxy variables from the environment are ignored: a proxy would connect around the guard."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import suppress

import pytest

from flows.fetch import fetch_one
from tests.servers import LocalServer, fast_settings

HTML = "<html><body><p>direct</p></body></html>"
PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


class ProxyRecorder:
    """A TCP listener standing in for a proxy: records every connection and its first line.

    Below HTTP on purpose: a CONNECT (how an https request goes through a proxy) never reaches
    a LocalServer's request log.
    """

    def __init__(self, host: str = "127.0.0.4") -> None:
        self._sock = socket.create_server((host, 0))
        self._sock.settimeout(0.1)
        self.url = f"http://{host}:{self._sock.getsockname()[1]}"
        self.lines: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        """Accept, record the first line (or that nothing came), answer 502, hang up."""
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            with conn, suppress(OSError):
                conn.settimeout(1.0)
                first = conn.recv(4096).split(b"\r\n", 1)[0]
                self.lines.append(first.decode("latin-1") or "(connected, sent nothing)")
                conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")

    def close(self) -> None:
        """Stop listening."""
        self._stop.set()
        self._thread.join()
        self._sock.close()


@pytest.fixture()
def proxy() -> Iterator[ProxyRecorder]:
    recorder = ProxyRecorder()
    yield recorder
    recorder.close()


@pytest.mark.parametrize("variable", PROXY_VARIABLES)
def test_a_proxy_variable_is_ignored_for_http_and_https(
    variable: str, proxy: ProxyRecorder, srv: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, proxy.url)
    srv.route("/a", HTML)
    r = fetch_one(srv.url("/a"), fast_settings())
    assert r.outcome == "ok" and r.page is not None and r.page.body == HTML.encode()
    assert [s.path for s in srv.seen()] == ["/robots.txt", "/a"]
    # No TLS server here: the https fetch fails, but directly at the target, not as a
    # CONNECT through the proxy (test_fetch_tls covers a successful https fetch).
    r = fetch_one(f"https://127.0.0.1:{srv.port}/a", fast_settings(max_attempts=1))
    assert r.outcome in ("tls", "connect")
    assert proxy.lines == []
