"""requests' and urllib3's exceptions map onto the fetch outcome classes."""

from __future__ import annotations

import ssl

import pytest
import requests.exceptions as rex
import urllib3.exceptions as uex

from flows import netguard
from flows.deadline import Budget, Watchdog
from flows.transport import classify


def _wrapped(reason: Exception) -> uex.MaxRetryError:
    """As urllib3 raises a connection failure under requests' adapter (max_retries=0)."""
    return uex.MaxRetryError(None, "/a", reason)  # type: ignore[arg-type]


CASES = [
    (rex.ConnectionError(_wrapped(uex.NewConnectionError(None, "refused"))), "connect"),  # type: ignore[arg-type]
    (rex.ConnectTimeout(_wrapped(uex.ConnectTimeoutError(None, "slow"))), "timeout"),
    (rex.ReadTimeout(uex.ReadTimeoutError(None, "/a", "read timed out")), "timeout"),  # type: ignore[arg-type]
    (uex.ReadTimeoutError(None, "/a", "read timed out"), "timeout"),  # type: ignore[arg-type]
    (rex.SSLError(_wrapped(uex.SSLError(ssl.SSLError(1, "bad cert")))), "tls"),
    (rex.ConnectionError(_wrapped(uex.ProtocolError("reset", ConnectionResetError()))), "connect"),
    (uex.ProtocolError("Connection broken", ConnectionResetError(104, "reset")), "connect"),
    (uex.DecodeError("bad gzip"), "bad_content_type"),
    (rex.ContentDecodingError("bad gzip"), "bad_content_type"),
    (rex.ChunkedEncodingError("broken"), "connect"),
    (rex.InvalidURL("bad"), "bad_url"),
    (rex.MissingSchema("no scheme"), "bad_url"),
    (rex.InvalidSchema("ftp"), "bad_url"),
    (rex.InvalidHeader("bad validator"), "connect"),
    (netguard.BlockedAddress("10.0.0.1 is not a public address"), "blocked_address"),
    (rex.ConnectionError(netguard.BlockedAddress("no")), "blocked_address"),
]


@pytest.mark.parametrize(("exc", "outcome"), CASES, ids=[type(e).__name__ for e, _ in CASES])
def test_exception_maps_to_its_outcome(exc: Exception, outcome: str) -> None:
    watchdog = Watchdog()
    try:
        assert classify(exc, Budget(5, watchdog)).outcome == outcome
    finally:
        watchdog.close()


def test_an_expired_budget_makes_any_network_error_a_timeout() -> None:
    watchdog = Watchdog()
    budget = Budget(5, watchdog)
    budget.expired = True
    try:
        exc = rex.ConnectionError(uex.ProtocolError("reset", ConnectionResetError()))
        assert classify(exc, budget).outcome == "timeout"
    finally:
        watchdog.close()


def test_a_programming_error_is_raised_again() -> None:
    watchdog = Watchdog()
    try:
        with pytest.raises(KeyError):
            classify(KeyError("bug"), Budget(5, watchdog))
    finally:
        watchdog.close()
