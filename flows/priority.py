"""Making a worker process take only the CPU the rest of the night leaves idle."""

from __future__ import annotations

import contextlib
import os

# Lowest scheduling weight: a niced group gets ~1.5% of a core against a busy nice-0 one.
NICEST = 19


def to_background() -> None:
    """Lower the calling process to idle-time work: its own session, niced as a group.

    `nice` alone did not protect the fetch: Linux's autogroup (on by default) shares the CPU
    between sessions first, so a niced worker in the flow's session still spent that
    session's share. Measured on the benchmark's pages with other work busy on both cores, a
    nice-19 fingerprinting worker in the flow's session took 0.7 of a core and the fetch fell
    from 280 to 170 pages/s; in a niced session of its own it took 0.1 core and the fetch
    kept its rate. On an idle machine it takes the idle core either way (the fetch then runs
    at ~86% of its rate alone: the two share the memory bus). Each step is best effort: a
    platform without autogroup keeps the plain nice.
    """
    with contextlib.suppress(OSError):
        os.setsid()  # a new session is a new autogroup; fails only for a group leader
    with contextlib.suppress(OSError), open("/proc/self/autogroup", "w") as group:
        group.write(str(NICEST))
    with contextlib.suppress(OSError):
        os.nice(NICEST)
