"""Failure notification: POST the run summary to a webhook the operator configured."""

from __future__ import annotations

import json
import logging
import urllib.request

from flows.report import RunSummary
from flows.settings import Settings

log = logging.getLogger(__name__)
TIMEOUT_S = 10


def notify_failure(settings: Settings, summary: RunSummary) -> bool:
    """Send {"text", "run"} to settings.notify_webhook; False when unset or it failed."""
    if not settings.notify_webhook:
        return False
    payload = {
        "text": f"quelle run {summary.run_id} failed: {summary.error}",
        "run": summary.to_dict(),
    }
    request = urllib.request.Request(
        settings.notify_webhook,
        data=json.dumps(payload, default=str).encode(),
        headers={"Content-Type": "application/json", "User-Agent": settings.user_agent},
        method="POST",
    )
    try:
        # The operator's own endpoint, from settings: not untrusted article input.
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
            return 200 <= response.status < 300
    except OSError as exc:
        # A notification must never turn a reported failure into a crash.
        log.warning("failure notification to webhook failed: %s", exc)
        return False
