"""`quelle eval`: a tiny labelled file of texts written for this test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.evaluate import load_labelled, main, run_eval

DOCS = [
    {
        "doc_id": "p1",
        "story_id": "port",
        "lang": "vi",
        "role": "copy",
        "match_type": "source",
        "title": "Khánh thành cảng Lạch Huyện",
        "text": "Ngày 5/6/2024, Phó Thủ tướng Lê Minh Khái khánh thành cảng Lạch Huyện tại Hải "
        "Phòng với tổng vốn 12.000 tỷ đồng, công suất 1,1 triệu TEU.\nChủ đầu tư là SNP.",
    },
    {
        "doc_id": "p2",
        "story_id": "port",
        "lang": "de",
        "role": "copy",
        "match_type": "translation",
        "url": "https://example.vn/de/khanh-thanh-cang-lach-huyen",
        "text": "Am 5. Juni 2024 weihte Vizepremier Le Minh Khai den Hafen Lach Huyen in Hai Phong "
        "ein; Kapital 12.000 Milliarden VND, Kapazität 1,1 Millionen TEU.\nInvestor: SNP.",
    },
    {
        "doc_id": "p3",
        "story_id": "port",
        "lang": "en",
        "role": "copy",
        "match_type": "translation",
        "text": "On June 5, 2024 Deputy PM Le Minh Khai opened Lach Huyen port in Hai Phong, "
        "with 12,000 billion VND and a capacity of 1.1 million TEU. The investor is SNP.",
    },
    {
        "doc_id": "f1",
        "story_id": "fest",
        "lang": "fr",
        "role": "copy",
        "match_type": "source",
        "text": "Le festival des lanternes de Hoi An accueillera 40 000 visiteurs le 17 "
        "septembre, selon l'office du tourisme de Quang Nam.",
    },
    {
        "doc_id": "m1",
        "story_id": "other-meeting",
        "lang": "en",
        "role": "negative",
        "match_type": "negative_same_people_other_date",
        "text": "On 2 August 2023 Deputy PM Le Minh Khai visited Hai Phong to inspect flood "
        "defences with 300 soldiers.",
    },
]


@pytest.fixture()
def labelled(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.jsonl"
    path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in DOCS) + "\n", "utf-8")
    return path


def test_load_labelled_reads_every_field(labelled: Path) -> None:
    docs = load_labelled(labelled)
    assert [d.doc_id for d in docs] == ["p1", "p2", "p3", "f1", "m1"]
    assert docs[1].url == "https://example.vn/de/khanh-thanh-cang-lach-huyen"
    assert docs[0].title == "Khánh thành cảng Lạch Huyện"
    assert docs[3].url is None and docs[3].title is None


def test_run_eval_prints_the_table(labelled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_eval(str(labelled)) == 0
    out = capsys.readouterr().out
    for word in ("pairwise", "bcubed", "latin_pairwise", "latin_copy_recall", "de-vi"):
        assert word in out


def test_run_eval_json_scores_the_tiny_file(
    labelled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(labelled), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["articles"] == 5
    assert report["pairwise"]["precision"] == 1.0
    assert report["pairwise"]["recall"] == 1.0
    assert report["bcubed"]["f1"] == 1.0
    assert report["by_language_pair"]["de-vi"]["tp"] == 1
