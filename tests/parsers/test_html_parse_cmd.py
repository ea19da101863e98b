"""`quelle parse FILE`: HTML or seed text in, a readable or JSON record out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from flows.parse_cmd import looks_like_html, run_parse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "html"
VNEXPRESS_URL = (
    "https://vnexpress.net/cach-cac-nuoc-doi-pho-cu-soc-nang-luong-tu-trung-dong-5047363.html"
)


def test_json_output_has_article_fields(capsys: pytest.CaptureFixture[str]) -> None:
    page = FIXTURES / "vnexpress" / "article.html"
    assert run_parse(str(page), VNEXPRESS_URL, as_json=True) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["title"] == "Cách các nước đối phó cú sốc năng lượng từ Trung Đông"
    assert record["published_at"] == "2026-03-07T00:05:00+07:00"
    assert record["author"] == "Hà Thu"
    assert record["extractor"] == "vnexpress/1"
    assert record["provenance"]["title"] == "jsonld"
    assert isinstance(record["body"], list) and record["body"]
    assert record["images"][0]["credit"] == "Reuters"


def test_readable_output_shows_provenance(capsys: pytest.CaptureFixture[str]) -> None:
    page = FIXTURES / "vnexpress" / "article.html"
    assert run_parse(str(page), VNEXPRESS_URL, as_json=False) == 0
    out = capsys.readouterr().out
    assert "title: Cách các nước đối phó cú sốc năng lượng từ Trung Đông  [jsonld]" in out
    assert "provenance:" in out
    assert "extractor: vnexpress/1" in out


def test_html_without_url_uses_file_uri(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "saved.html"
    shutil.copyfile(FIXTURES / "generic" / "article.html", page)
    assert run_parse(str(page), None, as_json=True) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["url"] == page.resolve().as_uri()
    assert record["extractor"] == "generic/1"
    assert record["site"] is None


def test_not_an_article_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    page = FIXTURES / "nonarticle" / "404.html"
    assert run_parse(str(page), "https://dantri.com.vn/x.htm", as_json=False) == 2
    assert "NotAnArticle" in capsys.readouterr().err


def test_missing_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_parse(str(tmp_path / "nope.html"), None, as_json=False) == 1
    assert "cannot read" in capsys.readouterr().err


def test_html_sniffing() -> None:
    assert looks_like_html(b"\xef\xbb\xbf<!DOCTYPE html><html>", "page.txt")
    assert looks_like_html(b"<!-- saved --><div class='x'>", "page")
    assert looks_like_html(b"plain text", "page.htm")
    assert not looks_like_html("Tiêu đề\n\nĐoạn văn một.\nQuelle: https://x.vn/a".encode(), "a.txt")


def test_seed_text_goes_to_seed_parser(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seeds = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("no seed files in the repository")
    seed = tmp_path / seeds[0].name
    shutil.copyfile(seeds[0], seed)
    code = run_parse(str(seed), None, as_json=True)
    captured = capsys.readouterr()
    if code == 0:
        assert json.loads(captured.out)["origin"] == "seed"
    else:
        assert code == 2 and captured.err
