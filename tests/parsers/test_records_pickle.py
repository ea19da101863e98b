"""Records pickle as constructor calls: every field comes back, the stored hash untouched."""

from __future__ import annotations

import pickle
from dataclasses import fields
from datetime import UTC, datetime

from parsers.records import Article, Citation, Image


def _full_article(**changes: object) -> Article:
    """An article with every field set to a value of its own."""
    values: dict[str, object] = {
        "article_id": "a1",
        "origin": "web",
        "lang": "de",
        "body": ("Erster Absatz.", "Zweiter Absatz."),
        "extractor": "test/1",
        "seed_path": "seeds/a.txt",
        "url": "https://example.org/a",
        "site": "example.org",
        "title": "Titel",
        "lead": "Vorspann",
        "published_at": datetime(2026, 11, 22, 8, 30, tzinfo=UTC),
        "modified_at": datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        "author": "Autorin",
        "section": "Politik",
        "tags": ("eins", "zwei"),
        "canonical_url": "https://example.org/a-kanonisch",
        "images": (Image("https://example.org/i.jpg", "i.jpg", "Bild", "Foto: X"),),
        "citations": (Citation("https://example.org/q", "source", "Quelle: q"),),
        "provenance": (("title", "jsonld"),),
    }
    values.update(changes)
    return Article(**values)  # type: ignore[arg-type]


def test_an_article_with_every_field_set_pickles_back_equal() -> None:
    article = _full_article()
    back = pickle.loads(pickle.dumps(article, pickle.HIGHEST_PROTOCOL))
    assert back == article
    for f in fields(Article):
        assert type(getattr(back, f.name)) is type(getattr(article, f.name)), f.name


def test_a_stored_content_hash_survives_pickling() -> None:
    # A hash read back from the warehouse is kept as given, not recomputed from the text.
    article = _full_article(content_sha256="stored-hash")
    assert pickle.loads(pickle.dumps(article)).content_sha256 == "stored-hash"


def test_images_and_citations_pickle_back_field_by_field() -> None:
    image = Image("https://example.org/i.jpg", "i.jpg", "Bild", "Foto: X")
    citation = Citation("https://example.org/q", "related", "Quelle: q")
    assert pickle.loads(pickle.dumps(image)) == image
    assert pickle.loads(pickle.dumps(citation)) == citation
