"""robots.txt: once per origin per run, through the guarded client, RFC 9309 fallbacks.

Capped at ROBOTS_MAX_BYTES (the rest is ignored, as RFC 9309 allows), parsed with Protego for
our product token (the first token of settings.user_agent). When it cannot be had:
2xx -> rules; 4xx except 429, or too many redirects -> allow all ("unavailable");
429, 5xx, dns/connect/timeout/tls failure -> disallow all for this run ("unreachable"):
no page of that origin is requested. Verdict: blocked_by_robots after a 429/5xx answer;
after a network failure the failure's own outcome (dns, connect, tls, timeout), so dead
links count as dead, not as robots rules. The cause is in `error` either way.
blocked_address on robots.txt makes every page of that origin blocked_address.
Crawl-delay raises the host's pacing; a Crawl-delay above max_wait_s means we skip the
host for this run (blocked_by_robots).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

from flows.outcomes import NETWORK_OUTCOMES, FetchFailure
from flows.pacing import HostPacer, parse_retry_after, to_backoff, to_host_key
from flows.redirects import Client


def to_agent_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched against ('quelle' in 'quelle/0.1 …')."""
    m = re.match(r"[A-Za-z0-9_-]+", user_agent.strip())
    return m.group(0).lower() if m else "*"


def to_origin(url: str) -> str:
    """scheme://host[:port], the scope of one robots.txt."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[-1], "", "", ""))


@dataclass
class Rules:
    """What robots.txt says for one origin."""

    allow_all: bool
    parser: Protego | None = None
    denied_outcome: str = "blocked_by_robots"
    reason: str = ""


class Robots:
    """The robots.txt rules of one run, fetched once per origin (other workers wait)."""

    def __init__(self, client: Client, pacer: HostPacer) -> None:
        self.client = client
        self.settings = client.settings
        self.pacer = pacer
        self.agent = to_agent_token(self.settings.user_agent)
        self._rules: dict[str, Rules] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def verdict(self, url: str) -> FetchFailure | None:
        """A FetchFailure when robots.txt (or its absence) forbids this URL, else None."""
        rules = self.rules_for(to_origin(url))
        if rules.parser is not None:
            if rules.parser.can_fetch(url, self.agent):
                return None
            return FetchFailure("blocked_by_robots", f"robots.txt disallows {urlsplit(url).path}")
        if rules.allow_all:
            return None
        return FetchFailure(rules.denied_outcome, rules.reason)

    def rules_for(self, origin: str) -> Rules:
        """Rules of an origin, fetched once per run (other workers wait for the first)."""
        rules = self._rules.get(origin)  # dict reads are atomic: no lock once known
        if rules is not None:
            return rules
        with self._lock:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:
            rules = self._rules.get(origin)
            if rules is None:
                rules = self._fetch(origin)
                self._rules[origin] = rules
            return rules

    def _fetch(self, origin: str) -> Rules:
        """Fetch and read /robots.txt with the page rules' retries; apply RFC 9309 fallbacks."""
        url = origin + "/robots.txt"
        s = self.settings
        failure: FetchFailure | None = None
        for n in range(1, max(1, s.max_attempts) + 1):
            try:
                got = self.client.get(url, budget=self.client.budget())
            except FetchFailure as f:
                failure = f
                if f.outcome in ("blocked_address", "bad_url"):
                    return Rules(False, denied_outcome=f.outcome, reason=f"robots.txt: {f.error}")
                if f.outcome == "redirect_loop":
                    return Rules(True, reason="robots.txt redirects too often: allow all")
                if not f.transient or n >= s.max_attempts:
                    break
                self.pacer.defer(to_host_key(url), to_backoff(s, n))
                continue
            if 200 <= got.status < 300:
                text = got.body.data.decode("utf-8", errors="replace").lstrip("\ufeff")
                parser = Protego.parse(text)
                self._apply_crawl_delay(to_host_key(got.final_url), parser)
                if to_host_key(got.final_url) != to_host_key(url):
                    self._apply_crawl_delay(to_host_key(url), parser)
                return Rules(False, parser=parser)
            if 400 <= got.status < 500 and got.status != 429:
                return Rules(True, reason=f"robots.txt {got.status}: allow all")
            failure = FetchFailure(
                "http_5xx" if got.status >= 500 else "http_4xx",
                f"status {got.status}",
                status=got.status,
                transient=True,
            )
            if n >= s.max_attempts:
                break
            wait = to_backoff(s, n)
            retry_after = parse_retry_after(got.header("Retry-After"))
            if retry_after is not None and retry_after <= s.max_wait_s:
                wait = max(wait, retry_after)
            self.pacer.defer(to_host_key(url), wait)
        cause = failure.error if failure else "no answer"
        kind = failure.outcome if failure else "connect"
        # A network failure says the host is unreachable (link rot shows up as dns, not as a
        # robots rule); a 5xx/429 answer is the server's own word: blocked_by_robots.
        denied = kind if kind in NETWORK_OUTCOMES else "blocked_by_robots"
        return Rules(
            False,
            denied_outcome=denied,
            reason=f"robots.txt unreachable ({kind}: {cause}): disallow all for this run",
        )

    def _apply_crawl_delay(self, host: str, parser: Protego) -> None:
        """Raise pacing to Crawl-delay, or skip the host when it asks for more than max_wait_s."""
        delay = parser.crawl_delay(self.agent)
        if delay is None:
            return
        if delay > self.settings.max_wait_s:
            self.pacer.give_up(
                host,
                "blocked_by_robots",
                f"Crawl-delay {delay:g}s exceeds max_wait_s {self.settings.max_wait_s:g}s",
            )
        else:
            self.pacer.raise_delay(host, delay)
