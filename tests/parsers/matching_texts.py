"""Articles for the matching tests: the five seeds and short texts written for these tests."""

from __future__ import annotations

from pathlib import Path

from parsers.records import Article, to_article_id

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
# Language of each seed, by number: 000 is the German machine translation of 001.
SEED_LANGS = {"000": "de", "001": "vi", "002": "de", "003": "de", "004": "de"}


def seed_article(number: str) -> Article:
    """Seed `number` as an Article built directly (body = non-empty lines)."""
    path = next(SEEDS.glob(f"{number}_*.txt"))
    body = tuple(line.strip() for line in path.read_text("utf-8").split("\n") if line.strip())
    return Article(
        article_id=to_article_id(f"seed:{path.name}"),
        origin="seed",
        lang=SEED_LANGS[number],
        body=body,
        extractor="test",
        seed_path=str(path),
    )


def article(
    key: str, lang: str, *paragraphs: str, title: str | None = None, url: str | None = None
) -> Article:
    """A web Article from short test paragraphs."""
    return Article(
        article_id=to_article_id(f"test:{key}"),
        origin="web",
        lang=lang,
        body=tuple(paragraphs),
        extractor="test",
        title=title,
        url=url,
    )


# A hard negative: the same minister, another meeting, another city, another date.
MINISTER_HANOI_EN = article(
    "minister-hanoi-en",
    "en",
    "On 14 March 2024 Minister Tran Van Binh of the Ministry of Transport (MOT) received "
    "Japanese ambassador Kenji Watanabe in Hanoi to discuss the Ben Thanh metro line.",
    "The two sides agreed to speed up the 2.5 billion USD project, which is 78% complete.",
)
MINISTER_HANOI_DE = article(
    "minister-hanoi-de",
    "de",
    "Am 14. März 2024 empfing Verkehrsminister Tran Van Binh (MOT) den japanischen "
    "Botschafter Kenji Watanabe in Hanoi, um über die Metrolinie Ben Thanh zu sprechen.",
    "Beide Seiten vereinbarten, das Projekt im Wert von 2,5 Milliarden USD, das zu 78 Prozent "
    "fertig ist, zu beschleunigen.",
)
MINISTER_DANANG_EN = article(
    "minister-danang-en",
    "en",
    "On 2 August 2024 Minister Tran Van Binh of the Ministry of Transport (MOT) met "
    "Korean investors in Da Nang about a new container port at Lien Chieu.",
    "The investors proposed a 1.2 billion USD first phase with 40% foreign capital.",
)
# A Vietnamese report and a German article that cites it (written for these tests).
PORT_VI = article(
    "port-vi",
    "vi",
    "Ngày 5/6/2024, Phó Thủ tướng Lê Minh Khái đã khánh thành cảng Lạch Huyện tại Hải Phòng "
    "với tổng vốn 12.000 tỷ đồng; công suất 1,1 triệu TEU mỗi năm.",
    "Dự án do Tập đoàn Tân Cảng Sài Gòn (SNP) làm chủ đầu tư.",
    title="Khánh thành cảng Lạch Huyện",
)
PORT_DE = article(
    "port-de",
    "de",
    "Am 5. Juni 2024 hat Vizepremier Le Minh Khai den Hafen Lach Huyen in Hai Phong "
    "eingeweiht; Gesamtkapital 12.000 Milliarden VND, Kapazität 1,1 Millionen TEU pro Jahr.",
    "Investor ist die Saigon Newport Corporation (SNP).",
)
# Unrelated to everything above.
FESTIVAL_FR = article(
    "festival-fr",
    "fr",
    "Le festival des lanternes de Hoi An accueillera 40 000 visiteurs le 17 septembre, "
    "selon l'office du tourisme de Quang Nam.",
)

# The short hand-written articles: translations of one story and its hard negatives.
SHORT_ARTICLES = (
    MINISTER_HANOI_EN,
    MINISTER_HANOI_DE,
    MINISTER_DANANG_EN,
    PORT_VI,
    PORT_DE,
    FESTIVAL_FR,
)
