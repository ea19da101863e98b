"""Which shard of a sharded night fetches a URL: a stable hash of its host."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from flows.fetch import to_host_key


class ShardError(RuntimeError):
    """A shard of a sharded night failed, did not finish, or left no usable spool."""


def shard_of(host: str, shards: int) -> int:
    """The shard (0 … shards-1) of a host key, the same in every process and on every machine.

    sha256, not hash(): Python salts str hashes per process, so two workers would disagree.
    """
    if shards < 1:
        raise ValueError(f"shards must be at least 1, not {shards}")
    digest = hashlib.sha256(host.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shards


def shard_of_url(url: str, shards: int) -> int:
    """The shard of a canonical URL: its host key, the fetcher's pacing key (host[:port])."""
    return shard_of(to_host_key(url), shards)


def split_by_shard(urls: Iterable[str], shards: int) -> list[list[str]]:
    """Canonical URLs in one list per shard, each in the given order.

    All URLs of one host land in one shard, so that host's robots.txt, pacing and
    Retry-After stay in one process, exactly as in a one-process night.
    """
    out: list[list[str]] = [[] for _ in range(shards)]
    for url in urls:
        out[shard_of_url(url, shards)].append(url)
    return out
