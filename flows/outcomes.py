"""Fetch outcomes, and the already-classified failure of one attempt."""

from __future__ import annotations

OUTCOMES = (
    "ok",
    "not_modified",
    "dns",
    "connect",
    "tls",
    "timeout",
    "http_4xx",
    "http_5xx",
    "too_large",
    "bad_content_type",
    "redirect_loop",
    "blocked_by_robots",
    "blocked_address",
    "bad_url",
)
NETWORK_OUTCOMES = frozenset({"dns", "connect", "tls", "timeout"})


class FetchFailure(Exception):
    """An attempt that ended without a page, already classified."""

    def __init__(
        self,
        outcome: str,
        error: str,
        *,
        status: int | None = None,
        transient: bool = False,
        retry_after: float | None = None,
        received: int = 0,
    ) -> None:
        super().__init__(f"{outcome}: {error}")
        self.outcome = outcome
        self.error = error
        self.status = status
        self.transient = transient
        self.retry_after = retry_after
        self.received = received
        self.final_url: str | None = None
        self.address: str | None = None
