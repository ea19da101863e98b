"""Listing and reading seed files as a worker does: relative paths, links, light imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flows.seed_reads import read_listed
from flows.seeds import list_seed_files, read_seeds
from tests.conftest import ROOT

GOOD = "Der Minister traf am Montag die Delegation aus Laos in Hanoi.\n"


def test_listing_gives_relative_posix_paths_in_order_without_hidden_ones(tmp_path: Path) -> None:
    for rel in ("b.txt", "a.txt", "sub/z.txt", "sub/deeper/y.txt", ".hidden.txt", ".git/x.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(GOOD)
    assert list_seed_files(tmp_path) == ["a.txt", "b.txt", "sub/z.txt", "sub/deeper/y.txt"]


def test_a_relative_seeds_directory_gives_the_same_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "seeds" / "sub").mkdir(parents=True)
    (tmp_path / "seeds" / "sub" / "a.txt").write_text(GOOD)
    monkeypatch.chdir(tmp_path)
    assert list_seed_files(Path("seeds")) == ["sub/a.txt"]
    assert read_seeds(Path("seeds")) == read_seeds(tmp_path / "seeds")


def test_a_link_to_a_file_inside_the_directory_is_read_under_its_own_name(
    tmp_path: Path,
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "real.txt").write_text(GOOD)
    (tmp_path / "link.txt").symlink_to(tmp_path / "sub" / "real.txt")
    article = read_listed(str(tmp_path.resolve()), "link.txt")
    assert not isinstance(article, tuple) and article.seed_path == "link.txt"


def test_a_missing_file_is_a_reject_naming_the_error(tmp_path: Path) -> None:
    assert read_listed(str(tmp_path), "gone.txt") == (
        "read_seed", "gone.txt", "unreadable: No such file or directory"
    )


def test_the_reader_worker_imports_no_warehouse() -> None:
    # A spawned worker imports only the module of the function it runs: duckdb and pyarrow
    # there cost each worker 0.4 CPU-s for nothing.
    code = (
        "import sys, flows.seed_reads; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('warehouse', 'duckdb', 'pyarrow', 'numpy', 'prefect')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
