"""Fixtures for the flows tests: no proxy from the environment, a local server per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers import LocalServer, clear_proxy_env


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests must reach the local servers directly, whatever the shell exported."""
    clear_proxy_env(monkeypatch)


@pytest.fixture()
def srv() -> Iterator[LocalServer]:
    """A fresh server on 127.0.0.1 (tests add their routes)."""
    with LocalServer() as server:
        yield server
