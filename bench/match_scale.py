"""Synthetic scale benchmark for story matching: N articles, timed stage by stage.

    .venv/bin/python bench/match_scale.py 10000 100000 [--new 1000] [--seed 7]

Generates stories whose articles share what real translations share (names, dates in
several notations, numbers, acronyms) in vi/de/en/fr filler text, plus near-duplicates and
hard negatives (same people, other date), then times fingerprinting, a full match
(every article new: the first load), clustering, and a nightly match (--new articles
against the rest). Prints pairwise precision/recall against the generated stories.
Fingerprints are cached in bench/out/ per (n, seed), so a second run times matching only.
Matching is single-threaded: CPU seconds are the figure to read on a shared machine.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import pickle
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from parsers.fingerprint import to_fingerprint  # noqa: E402
from parsers.matching import match_new  # noqa: E402
from parsers.metrics import pairwise  # noqa: E402
from parsers.records import Article, to_article_id  # noqa: E402
from parsers.stories import assign_stories  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
LANGS = ("vi", "de", "en", "fr")
FAMILY = "Nguyen Tran Le Pham Hoang Huynh Phan Vu Vo Dang Bui Do Ho Ngo Duong Ly".split()
MONTHS = {
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November "
    "Dezember".split(),
    "en": "January February March April May June July August September October November "
    "December".split(),
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre "
    "décembre".split(),
}
SYLLABLES = "ba bo ca co da de di do ga ge gi go ha he hi ho ka ke ki ko la le li lo ma me mi "
SYLLABLES += "mo na ne ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi vo"


def _words(rng: random.Random, n: int, lo: int, hi: int) -> list[str]:
    """n pseudo-words of lo..hi syllables."""
    syl = SYLLABLES.split()
    return ["".join(rng.choice(syl) for _ in range(rng.randint(lo, hi))) for _ in range(n)]


class Generator:
    """Stories of facts, rendered as articles in several languages."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        self.middle = [w.capitalize() for w in _words(rng, 150, 1, 1)]
        self.given = [w.capitalize() for w in _words(rng, 400, 1, 2)]
        self.places = [w.capitalize() for w in _words(rng, 800, 2, 3)]
        self.acronyms = [
            "".join(rng.choice("ABCDEFGHKLMNPRSTUV") for _ in range(rng.randint(3, 4)))
            for _ in range(3000)
        ]
        # A few officials appear in many stories: the mid-frequency names of real news.
        self.officials = [self._person() for _ in range(40)]
        self.vocab = {lang: _words(rng, 6000, 1, 4) for lang in LANGS}
        # Zipf-like word frequencies, as in running text.
        self.cum: list[float] = list(
            itertools.accumulate(1 / (rank + 1) ** 0.9 for rank in range(6000))
        )

    def _person(self) -> str:
        """A Vietnamese-style three-part name."""
        return " ".join(
            (self.rng.choice(FAMILY), self.rng.choice(self.middle), self.rng.choice(self.given))
        )

    def facts(self) -> dict[str, object]:
        """What one story is about."""
        rng = self.rng
        return {
            "people": [rng.choice(self.officials), self._person()],
            "place": rng.choice(self.places),
            "acr": rng.sample(self.acronyms, 2),
            "day": rng.randint(1, 28),
            "month": rng.randint(1, 12),
            "year": rng.randint(2019, 2026),
            "numbers": [rng.randint(10, 99999) for _ in range(3)],
            "pct": rng.randint(2, 95),
        }

    def other_date(self, facts: dict[str, object]) -> dict[str, object]:
        """A hard negative: same people and place, another day, other numbers."""
        other = dict(facts)
        other["day"] = (int(facts["day"]) + self.rng.randint(3, 20)) % 28 + 1  # type: ignore[call-overload]
        other["numbers"] = [self.rng.randint(10, 99999) for _ in range(3)]
        other["pct"] = self.rng.randint(2, 95)
        return other

    def _date(self, lang: str, f: dict[str, object]) -> str:
        """The event date in the language's notation."""
        d, m, y = f["day"], f["month"], f["year"]
        if lang == "vi":
            return f"ngày {d}/{m}/{y}"
        if lang == "de":
            return f"am {d}. {MONTHS['de'][int(m) - 1]} {y}"  # type: ignore[call-overload]
        if lang == "en":
            return f"on {MONTHS['en'][int(m) - 1]} {d}, {y}"  # type: ignore[call-overload]
        return f"le {d} {MONTHS['fr'][int(m) - 1]} {y}"  # type: ignore[call-overload]

    def _filler(self, lang: str, n: int) -> str:
        """n filler words, Zipf-ish."""
        return " ".join(self.rng.choices(self.vocab[lang], cum_weights=self.cum, k=n))

    def render(self, lang: str, f: dict[str, object]) -> list[str]:
        """One article about the facts, about 1,500 characters."""
        people = list(f["people"])  # type: ignore[call-overload]
        nums = list(f["numbers"])  # type: ignore[call-overload]
        acr = list(f["acr"])  # type: ignore[call-overload]
        pct = f"{f['pct']} %" if lang != "en" else f"{f['pct']}%"
        fmt = {"de": "{:,}".format, "en": "{:,}".format, "fr": "{:,}".format, "vi": "{:,}".format}
        sep = {"de": ".", "en": ",", "fr": " ", "vi": "."}[lang]
        n = [fmt[lang](x).replace(",", sep) for x in nums]
        paras = [
            f"{self._filler(lang, 8)} {people[0]} {self._filler(lang, 5)} {self._date(lang, f)} "
            f"{self._filler(lang, 6)} {f['place']} ({acr[0]}) {self._filler(lang, 12)}.",
            f"{self._filler(lang, 20)} {n[0]} {self._filler(lang, 10)} {people[1]} "
            f"{self._filler(lang, 15)} {pct}.",
            f"{self._filler(lang, 25)} {acr[1]} {self._filler(lang, 10)} {n[1]} "
            f"{self._filler(lang, 20)}.",
            f"{self._filler(lang, 30)} {n[2]} {self._filler(lang, 25)}.",
        ]
        return paras

    def near_duplicate(self, paras: list[str]) -> list[str]:
        """The same text with one word in ten changed and a sentence appended."""
        out = []
        for p in paras:
            words = p.split(" ")
            for i in range(len(words)):
                if self.rng.random() < 0.1 and words[i].islower():
                    words[i] = self.rng.choice(self.vocab["en"][:200])
            out.append(" ".join(words))
        return out


def generate(n: int, seed: int) -> tuple[list[Article], dict[str, str]]:
    """n articles and their gold story per article_id."""
    gen = Generator(seed)
    rng = gen.rng
    articles: list[Article] = []
    gold: dict[str, str] = {}
    story = 0
    while len(articles) < n:
        story += 1
        facts = gen.facts()
        r = rng.random()
        size = 1 if r < 0.55 else 2 if r < 0.8 else 3 if r < 0.93 else rng.randint(4, 6)
        langs = [rng.choice(LANGS)] + rng.sample(LANGS, min(size - 1, 3))
        base: dict[str, list[str]] = {}
        for i in range(size):
            lang = langs[i % len(langs)]
            if lang in base:
                body = gen.near_duplicate(base[lang])
            else:
                body = gen.render(lang, facts)
                base[lang] = body
            aid = to_article_id(f"synthetic:{story}:{i}")
            articles.append(Article(aid, "web", lang, tuple(body), "synthetic"))
            gold[aid] = f"s{story}"
        if rng.random() < 0.1:
            story += 1
            lang = rng.choice(LANGS)
            aid = to_article_id(f"synthetic:{story}:neg")
            body = gen.render(lang, gen.other_date(facts))
            articles.append(Article(aid, "web", lang, tuple(body), "synthetic"))
            gold[aid] = f"s{story}"
    articles = articles[:n]
    return articles, {a.article_id: gold[a.article_id] for a in articles}


def run(n: int, n_new: int, seed: int) -> None:
    """Generate, fingerprint, match and cluster n articles; print timings and quality."""
    t0 = time.perf_counter()
    cache = OUT / f"fingerprints-{n}-{seed}.pkl"
    if cache.exists():
        # Fingerprints of an earlier run with the same n and seed: only matching is timed.
        fps, gold = pickle.loads(cache.read_bytes())
        t1 = t2 = time.perf_counter()
    else:
        articles, gold = generate(n, seed)
        t1 = time.perf_counter()
        # Fingerprinting is per article at ingest; two workers only to shorten the run.
        with multiprocessing.get_context("fork").Pool(2) as pool:
            fps = pool.map(to_fingerprint, articles, chunksize=500)
        t2 = time.perf_counter()
        OUT.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps((fps, gold)))
    c2 = time.process_time()
    edges = match_new(fps, [], use_citations=False)
    t3 = time.perf_counter()
    c3 = time.process_time()
    by_id = {fp.article_id: fp for fp in fps}
    assignment = assign_stories(by_id, edges, {}, set())
    t4 = time.perf_counter()
    pred = {m.article_id: m.story_id for m in assignment.members}
    previous = dict(pred)
    new, existing = fps[-n_new:], fps[:-n_new]
    for fp in new:
        previous.pop(fp.article_id, None)
    t5 = time.perf_counter()
    c5 = time.process_time()
    nightly = match_new(new, existing, use_citations=False)
    t6 = time.perf_counter()
    c6 = time.process_time()
    assign_stories(by_id, nightly, previous, set())
    t7 = time.perf_counter()
    s = pairwise(gold, pred)
    # Wall clock and CPU time: the machine is shared, CPU time is the stable figure.
    print(
        f"n={n}: generate {t1 - t0:.1f}s | fingerprint (2 workers) {t2 - t1:.1f}s wall "
        f"({(t2 - t1) / n * 2e3:.2f} ms/article/worker) | match all-new {t3 - t2:.1f}s wall "
        f"{c3 - c2:.1f}s cpu ({len(edges)} edges) | cluster {t4 - t3:.1f}s | nightly "
        f"{n_new} new vs {n - n_new}: match {t6 - t5:.1f}s wall {c6 - c5:.1f}s cpu, "
        f"cluster {t7 - t6:.1f}s | pairwise P {s.precision:.3f} R {s.recall:.3f}",
        flush=True,
    )


def main() -> int:
    """Parse sizes and run each."""
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000])
    parser.add_argument("--new", type=int, default=1000, dest="n_new")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for n in args.sizes:
        run(n, min(args.n_new, n), args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
