"""One frozen settings object: CLI flags over QUELLE_* environment variables over defaults."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, get_type_hints

DEFAULT_USER_AGENT = "quelle/0.1 (+https://github.com/quelle-news/quelle; news ETL bot)"


@dataclass(frozen=True, slots=True)
class Settings:
    """Every knob of a run; read once, passed down as a value."""

    seeds_dir: Path = Path("seeds")
    db_path: Path = Path("data/warehouse.duckdb")
    offline: bool = False
    # Fetching
    user_agent: str = DEFAULT_USER_AGENT
    # Off by default: cited URLs are untrusted. Tests turn it on explicitly for 127.0.0.1.
    allow_private_addresses: bool = False
    # Comma-separated CIDRs allowed even though not public (e.g. "127.0.0.2/32" for a test
    # server, "10.1.0.0/16" for an intranet source). Metadata addresses stay refused unless
    # listed here explicitly. See flows/netguard.py for the whole policy.
    allowed_networks: str = ""
    # PEM file of CAs to trust for HTTPS instead of certifi's bundle ("" = certifi). The
    # REQUESTS_CA_BUNDLE variable is ignored on purpose: the fetch session does not trust env.
    ca_bundle: str = ""
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 10.0
    # Wall-clock bound for one attempt, body included: a dripping server cannot outlive it.
    deadline_s: float = 30.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    max_attempts: int = 3
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    # Longest Retry-After / Crawl-delay we honour before giving up on a host for this run.
    max_wait_s: float = 60.0
    min_host_delay_s: float = 1.0
    max_workers: int = 8
    # Read every seed file, even those whose size, times and inode match the last run's
    # (by default their stored articles stand and they are not read again).
    reread_seeds: bool = False
    # Processes for parsing and fingerprinting, threads for matching (0: one per core).
    cpu_workers: int = 0
    # Revisit policy: a page younger than revisit_young_days is re-fetched after
    # revisit_young_hours, an older one after revisit_old_days.
    revisit_young_days: float = 3.0
    revisit_young_hours: float = 6.0
    revisit_old_days: float = 30.0
    # How long a run waits for another run holding the warehouse before it gives up.
    lock_wait_s: float = 60.0
    # Fault injection for the crash tests: pause fault_pause_s at the start of this stage
    # (read_seeds, fetch, parse, match; load pauses inside its transaction) so a test can
    # SIGKILL the run there. Empty: never.
    fault_pause_at: str = ""
    fault_pause_s: float = 0.0
    # Prefect / reporting
    timezone: str = "Asia/Ho_Chi_Minh"
    # POSTed a JSON summary when a run fails (Slack/Teams/ntfy-style incoming webhook).
    notify_webhook: str | None = None

    def replace(self, **changes: Any) -> Settings:
        """A copy with some values changed (None values are ignored)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


def _coerce(kind: Any, raw: str) -> Any:
    """Turn an environment string into the field's type."""
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if kind is int:
        return int(raw)
    if kind is float:
        return float(raw)
    if kind is Path:
        return Path(raw)
    return raw


def load_settings(env: Mapping[str, str] | None = None, **flags: Any) -> Settings:
    """Defaults, then QUELLE_<FIELD> variables, then the given flags (None means unset)."""
    env = os.environ if env is None else env
    hints = get_type_hints(Settings)
    values: dict[str, Any] = {}
    for f in fields(Settings):
        raw = env.get(f"QUELLE_{f.name.upper()}")
        if raw is not None:
            kind = hints[f.name]
            base = next((t for t in (bool, int, float, Path, str) if t == kind), str)
            values[f.name] = _coerce(base, raw)
    values.update({k: v for k, v in flags.items() if v is not None})
    return Settings(**values)
