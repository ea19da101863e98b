"""A run's stage peaks count its own memory, not what its parent process had."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

CHILD = """
import resource
from flows.nightly import peak_rss_mb
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, peak_rss_mb())
"""

PARENT = """
import subprocess, sys
ballast = bytearray(400 * 1024 * 1024)
ballast[::4096] = b"x" * len(ballast[::4096])  # touched: resident in this parent
out = subprocess.run([sys.executable, "-c", sys.argv[1]], capture_output=True, text=True,
                     check=True, start_new_session=True)
print(out.stdout, end="")
"""


def test_a_child_of_a_big_process_reports_its_own_peak() -> None:
    # Started by a process holding 400 MB (as the benchmark starts its runs), the child's
    # ru_maxrss begins at that; the peak the run reports is the child's own.
    out = subprocess.run(
        [sys.executable, "-c", PARENT, CHILD], cwd=ROOT, capture_output=True, text=True,
        check=True,
    ).stdout.split()
    inherited, own = float(out[0]), float(out[1])
    assert inherited > 400 > 250 > own > 0
