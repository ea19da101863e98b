"""The guard at connection time: names resolved once, every address vetted, IP pinned."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest

from flows.fetch import fetch_all, fetch_one
from tests.servers import LocalServer, fast_settings

HTML = "<html><body><p>x</p></body></html>"


def fake_dns(monkeypatch: pytest.MonkeyPatch, name: str, addresses: list[str]) -> Callable[[], int]:
    """Resolve `name` to `addresses` (others as usual); returns a counter of lookups of it."""
    real = socket.getaddrinfo
    calls = [0]

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == name:
            calls[0] += 1
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port or 80)) for ip in addresses
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lambda: calls[0]


def test_name_is_resolved_once_and_the_vetted_ip_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalServer("127.0.0.2") as srv:
        srv.route("/a", HTML)
        srv.route("/b", HTML)
        lookups = fake_dns(monkeypatch, "news.test", ["127.0.0.2"])
        url = f"http://news.test:{srv.port}"
        results = fetch_all(
            [url + "/a", url + "/b"], fast_settings(allowed_networks="127.0.0.2/32")
        )
        assert [r.outcome for r in results] == ["ok", "ok"]
        assert results[0].attempts[0].address == "127.0.0.2"
        assert {s.headers["host"] for s in srv.seen()} == {f"news.test:{srv.port}"}
        assert lookups() == 1  # robots.txt and both pages over one vetted connection


def test_new_connections_reuse_the_runs_vetted_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalServer("127.0.0.2") as srv:
        for path in ("/robots.txt", "/a", "/b"):
            srv.route(path, HTML, headers={"Connection": "close"})  # a connection per request
        lookups = fake_dns(monkeypatch, "closing.test", ["127.0.0.2"])
        url = f"http://closing.test:{srv.port}"
        results = fetch_all(
            [url + "/a", url + "/b"], fast_settings(allowed_networks="127.0.0.2/32")
        )
        assert [r.outcome for r in results] == ["ok", "ok"]
        assert [r.attempts[0].address for r in results] == ["127.0.0.2", "127.0.0.2"]
        assert len({s.client_port for s in srv.seen()}) == 3  # three connections...
        assert lookups() == 1  # ...one lookup


def test_name_with_any_refused_address_is_blocked(monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalServer("127.0.0.2") as srv:
        srv.route("/a", HTML)
        fake_dns(monkeypatch, "mixed.test", ["127.0.0.2", "169.254.169.254"])
        r = fetch_one(
            f"http://mixed.test:{srv.port}/a", fast_settings(allowed_networks="127.0.0.2/32")
        )
        assert r.outcome == "blocked_address"
        assert srv.seen() == []


def test_rebinding_to_a_refused_address_is_caught_on_the_next_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with LocalServer("127.0.0.2") as good:
        good.route("/a", HTML)
        good.redirect("/next", f"http://rebind.test:{good.port}/a")
        fake_dns(monkeypatch, "rebind.test", ["127.0.0.1"])  # rebinds to loopback
        r = fetch_one(good.url("/next"), fast_settings(allowed_networks="127.0.0.2/32"))
        assert r.outcome == "blocked_address"


def test_name_resolving_to_loopback_is_blocked_by_default() -> None:
    with LocalServer() as srv:
        srv.route("/a", HTML)
        r = fetch_one(f"http://localhost:{srv.port}/a", fast_settings(allowed_networks=""))
        assert r.outcome == "blocked_address"
        assert srv.seen() == []


def test_unresolvable_name_is_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    # The resolver answers "no such name" here, so no DNS query leaves the machine.
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "no-such-host.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    r = fetch_one("http://no-such-host.invalid/a", fast_settings(max_attempts=2))
    assert r.outcome == "dns" and r.page is None
