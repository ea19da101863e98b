"""Reading a seeds directory: bad files become rejects, nothing outside is read."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest

import flows.seeds
from flows.parallel import MIN_ITEMS
from flows.seeds import SeedBatch, read_seeds
from tests.conftest import SEEDS
from warehouse.seed_files import SeedFile

GOOD = "Der Minister traf am Montag die Delegation aus Laos in Hanoi.\n"


def _reasons(batch) -> dict[str, str]:
    """Reject reason by seed path."""
    return {inp: reason for _, inp, reason in batch.rejects}


def test_the_five_seeds_parse_without_rejects() -> None:
    batch = read_seeds(SEEDS)
    assert batch.files == 5 and len(batch.articles) == 5 and batch.rejects == ()
    assert {a.seed_path for a in batch.articles} == {p.name for p in SEEDS.glob("*.txt")}


def test_bad_files_are_rejected_with_reasons_and_the_rest_is_read(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 20)
    (tmp_path / "latin1.txt").write_bytes("Grüße aus Köln und München".encode("latin-1"))
    (tmp_path / "odd name ü #1.txt").write_text(GOOD, encoding="utf-8")
    unreadable = tmp_path / "unreadable.txt"
    unreadable.write_text(GOOD, encoding="utf-8")
    unreadable.chmod(0)
    (tmp_path / "huge.txt").write_bytes(b"a " * 1_500_000)
    batch = read_seeds(tmp_path)
    reasons = _reasons(batch)
    assert sorted(a.seed_path for a in batch.articles) == ["good.txt", "odd name ü #1.txt"] + (
        ["unreadable.txt"] if os.geteuid() == 0 else []  # root reads mode-0 files
    )
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "not UTF-8" in reasons["latin1.txt"]
    assert "too large" in reasons["huge.txt"]
    if os.geteuid() != 0:
        assert "unreadable" in reasons["unreadable.txt"]


def test_symlink_out_of_the_seeds_directory_is_refused(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("Geheimer Text, der nie gelesen werden darf, liegt hier.\n")
    (seeds / "link.txt").symlink_to(secret)
    shutil.copy(next(SEEDS.glob("000_*.txt")), seeds / "000.txt")
    batch = read_seeds(seeds)
    assert [a.seed_path for a in batch.articles] == ["000.txt"]
    assert "outside the seeds directory" in _reasons(batch)["link.txt"]


def test_a_fifo_is_rejected_as_not_a_regular_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "good.txt").write_text(GOOD)
    batch = read_seeds(tmp_path)
    assert "not a regular file" in _reasons(batch)["pipe.txt"]
    assert len(batch.articles) == 1


def test_missing_seeds_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_seeds(tmp_path / "nope")


def test_reading_in_two_processes_equals_reading_in_one(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    (seeds / "sub").mkdir(parents=True)
    for i in range(MIN_ITEMS + 20):
        body = b"" if i % 25 == 0 else f"Meldung {i}: {GOOD}".encode()
        (seeds / ("sub" if i % 3 else ".") / f"{i:03d}.txt").write_bytes(body)
    (tmp_path / "secret.txt").write_text(GOOD)
    (seeds / "link.txt").symlink_to(tmp_path / "secret.txt")
    one, two = read_seeds(seeds, workers=1), read_seeds(seeds, workers=2)
    assert one == two
    empty = len(range(0, MIN_ITEMS + 20, 25))
    assert len(one.articles) == MIN_ITEMS + 20 - empty and len(one.rejects) == empty + 1
    assert "outside the seeds directory" in _reasons(one)["link.txt"]


def _settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test count as settled at once."""
    monkeypatch.setattr(flows.seeds, "SETTLE_NS", 0)


def _known(batch: SeedBatch) -> dict[str, SeedFile]:
    """The batch's record as the next run reads it back."""
    return {f.seed_path: f for f in batch.record}


def test_a_file_whose_stat_matches_the_record_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _settled(monkeypatch)
    (tmp_path / "a.txt").write_text(GOOD)
    (tmp_path / "b.txt").write_text("Zweite Meldung: " + GOOD)
    first = read_seeds(tmp_path)
    assert len(first.articles) == 2 and first.unchanged == ()
    assert {f.seed_path for f in first.record} == {"a.txt", "b.txt"}
    again = read_seeds(tmp_path, known=_known(first))
    assert again.articles == () and again.files == 2
    assert {f.seed_path for f in again.unchanged} == {"a.txt", "b.txt"}
    assert again.record == again.unchanged  # still recorded for the night after


def test_a_rewritten_file_is_read_even_with_its_size_and_mtime_put_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _settled(monkeypatch)
    path = tmp_path / "a.txt"
    path.write_text(GOOD)
    first = read_seeds(tmp_path)
    before = path.stat()
    path.write_text(GOOD.replace("Montag", "Freitag"))  # same length
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # ctime still moves
    again = read_seeds(tmp_path, known=_known(first))
    assert [a.body for a in again.articles] != [a.body for a in first.articles]
    assert again.unchanged == () and len(again.record) == 1


def test_a_file_recorded_with_another_size_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _settled(monkeypatch)
    (tmp_path / "a.txt").write_text(GOOD)
    first = read_seeds(tmp_path)
    (old,) = first.record
    stale = dataclasses.replace(old, stat=(old.stat[0] + 1, *old.stat[1:]))
    again = read_seeds(tmp_path, known={"a.txt": stale})
    assert len(again.articles) == 1 and again.unchanged == ()


def test_a_file_changed_just_now_is_read_but_not_recorded(tmp_path: Path) -> None:
    # Its stat could stay the same through another write within the clock's granularity.
    (tmp_path / "a.txt").write_text(GOOD)
    batch = read_seeds(tmp_path)
    assert len(batch.articles) == 1 and batch.record == ()


def test_a_rejected_file_is_not_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _settled(monkeypatch)
    (tmp_path / "good.txt").write_text(GOOD)
    (tmp_path / "empty.txt").write_bytes(b"")
    first = read_seeds(tmp_path)
    assert [f.seed_path for f in first.record] == ["good.txt"]
    again = read_seeds(tmp_path, known=_known(first))
    assert "empty" in _reasons(again)["empty.txt"]  # reported again, every night
