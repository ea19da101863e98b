"""A full disk under the warehouse fails the run clearly; the previous warehouse stays usable."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SEEDS

FS_BYTES = 8 * 1024 * 1024


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs of a few MB made for the test (needs root, as on CI and the dev machines)."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={FS_BYTES}", "tmpfs", str(mnt)],
        capture_output=True, text=True,
    )
    if done.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"cannot mount a small filesystem in CI: {done.stderr.strip()}")
        pytest.skip(f"cannot mount a small filesystem here: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(mnt: Path) -> None:
    """Write until the filesystem is full."""
    with open(mnt / "filler", "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass


@pytest.mark.usefixtures("prefect_harness")
def test_full_disk_fails_the_run_and_keeps_the_previous_warehouse(
    small_fs: Path, tmp_path: Path
) -> None:
    from flows.nightly import nightly

    db = small_fs / "wh.duckdb"
    first = nightly(seeds_dir=str(SEEDS), db_path=str(db), offline=True, return_state=True)
    assert first.is_completed()

    more = tmp_path / "more"
    shutil.copytree(SEEDS, more)
    for n in range(40):  # enough new text that the load must grow the file
        (more / f"extra_{n}.txt").write_text(
            ("Der Minister sprach über digitale Infrastruktur und Rechenzentren. " * 400) + f"{n}\n"
        )
    _fill(small_fs)
    second = nightly(seeds_dir=str(more), db_path=str(db), offline=True, return_state=True)
    assert second.is_failed()
    assert "disk under the warehouse is full" in str(second.message)

    (small_fs / "filler").unlink()
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from articles").fetchone() == (5,)
    assert con.execute("select count(*) from story_members").fetchone() == (5,)
    con.close()
