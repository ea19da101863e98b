"""The work of each nightly stage as plain functions; the flow wraps each in one task."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass
from typing import Any

from flows.fetch import FetchResult
from flows.parallel import map_cpu
from parsers.fingerprint import Fingerprint, to_fingerprint
from parsers.match_threads import paused_gc
from parsers.matching import Edge, add_citations, citation_recall, content_edges
from parsers.page_parse import parse_keyed
from parsers.record_spool import Picked, citations_of, ids_of, latest, shas_of
from parsers.records import Article, Page, to_article_id
from parsers.stories import StoryAssignment, assign_stories
from parsers.urls import canonicalize_url
from warehouse.seed_files import SeedFile
from warehouse.state import WarehouseState

Reject = tuple[str, str, str]
# Pages per parsing chunk: with IN_FLIGHT chunks a worker out, 512 pages a chunk held ~330 MB
# of bodies read back from the spool; 32 (~3.5 MB, ~90 ms of parsing) keep IPC negligible.
PAGE_CHUNK = 32


@dataclass(frozen=True, slots=True)
class ParsedPages:
    """Articles parsed from fetched pages, which page gave which article, and the failures."""

    articles: tuple[Article, ...]
    page_articles: dict[str, str]
    rejects: tuple[Reject, ...]


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Stories after this run's matching, and the night's free recall figure."""

    # The new and changed articles' prints (a night spools them for the load).
    fingerprints: Sequence[Fingerprint]
    assignment: StoryAssignment
    edges: tuple[Edge, ...]
    citation_pairs: tuple[tuple[str, str], ...]
    recall_without_citations: float | None


def cited_urls(articles: Sequence[Article], unchanged: Iterable[SeedFile] = ()) -> list[str]:
    """Canonical URLs cited by the articles, then by the seed files not read again (their
    stored citations), each once, in first-seen order."""
    seen: dict[str, None] = {}
    for citations in citations_of(articles):
        for c in citations:
            seen.setdefault(canonicalize_url(c.url), None)
    for f in unchanged:
        seen.update(dict.fromkeys(f.urls))
    return list(seen)


def fetch_rejects(results: Sequence[FetchResult]) -> list[Reject]:
    """A reject for every URL whose fetch ended without a page."""
    out = []
    for r in results:
        if r.page is None:
            last = r.attempts[-1] if r.attempts else None
            reason = r.outcome if last is None or not last.error else f"{r.outcome}: {last.error}"
            out.append(("fetch", r.url, reason))
    return out


def to_attempt_rows(results: Sequence[FetchResult]) -> list[dict[str, Any]]:
    """Every attempt as a fetches row (status = outcome class, http_status = HTTP code)."""
    rows = []
    for r in results:
        for a in r.attempts:
            row = asdict(a)
            row["http_status"] = row.pop("status")
            row["status"] = row.pop("outcome")
            rows.append(row)
    return rows


def to_archive(results: Sequence[FetchResult]) -> list[Page]:
    """Pages the archive must (re)write: new bodies and 304-revalidated ones, not fresh hits."""
    return [r.page for r in results if is_archived(r) and r.page is not None]


def is_archived(result: FetchResult) -> bool:
    """Whether the archive (re)writes the result's page: a new body or a 304, not a fresh hit."""
    # A 304 moves fetched_at and may bring new validators; a fresh hit changes nothing.
    return (
        result.page is not None
        and bool(result.attempts)
        and result.attempts[-1].cache in {"miss", "revalidated"}
    )


def split_unchanged(
    results: Sequence[FetchResult],
    state: WarehouseState,
    archive: Mapping[str, Page],
    reparse: bool,
) -> tuple[list[Page], dict[str, str]]:
    """Pages to parse, and url → article_id of pages whose body is the archived one.

    A page answered by the archive (fresh, or 304) or re-downloaded byte for byte gives the
    article already stored: parsing it again would only cost time. `quelle replay` re-parses
    after a parser change; `reparse` (run --since) forces it here.
    """
    to_parse: list[Page] = []
    unchanged: dict[str, str] = {}
    for r in results:
        if r.page is None:
            continue
        article_id = state.page_articles.get(r.url)
        old = archive.get(r.url)
        same_body = old is not None and old.body_sha256 == r.page.body_sha256
        if not reparse and same_body and article_id in state.known_sha:
            unchanged[r.url] = str(article_id)
        else:
            to_parse.append(r.page)
    return to_parse, unchanged


def parse_pages(pages: Sequence[Page], workers: int = 1) -> ParsedPages:
    """Parse each page into an article; an unusable page becomes a reject."""
    articles: list[Article] = []
    page_articles: dict[str, str] = {}
    rejects: list[Reject] = []
    for url, got in map_cpu(parse_keyed, pages, workers, PAGE_CHUNK):
        if isinstance(got, Article):
            articles.append(got)
            page_articles[url] = got.article_id
        else:
            rejects.append(got)
    return ParsedPages(tuple(articles), page_articles, tuple(rejects))


def citation_pairs(
    citations: Iterable[tuple[str, str]], article_ids: AbstractSet[str]
) -> list[tuple[str, str]]:
    """(citing, cited) article ids for each (citing id, URL) whose page became an article."""
    pairs: dict[tuple[str, str], None] = {}
    ids: dict[str, str] = {}  # many articles cite one page
    for citing, url in citations:
        cited = ids.get(url)
        if cited is None:
            # Most stored URLs are canonical already (a seed's are): one whose own id is an
            # article's is that article's canonical URL (canonicalising is idempotent), which
            # saves canonicalising 100k citations (~3 s).
            cited = to_article_id(url)
            if cited not in article_ids:
                cited = to_article_id(canonicalize_url(url))
            ids[url] = cited
        if cited in article_ids and cited != citing:
            pairs.setdefault((citing, cited), None)
    return list(pairs)


def changed_articles(articles: Sequence[Article], known_sha: Mapping[str, str]) -> Picked:
    """The new articles and those whose content changed, each id once (the last one wins);
    a spool's are read back only when asked for."""
    current = latest(articles)
    ids, shas = ids_of(current), shas_of(current)
    return Picked(
        articles,
        [at for at, aid, sha in zip(current.indexes, ids, shas, strict=True)
         if known_sha.get(aid) != sha],
    )


def fingerprint_changed(
    articles: Sequence[Article],
    known_sha: Mapping[str, str],
    workers: int = 1,
    ready: Sequence[Fingerprint] = (),
) -> list[Fingerprint]:
    """Fingerprints of the new and changed articles, in batch order; `ready` ones are reused."""
    return to_fingerprints(changed_articles(articles, known_sha), workers, ready)


def to_fingerprints(
    changed: Sequence[Article], workers: int = 1, ready: Sequence[Fingerprint] = ()
) -> list[Fingerprint]:
    """Fingerprints of the (distinct) articles in order; `ready` ones are reused."""
    have = {fp.article_id: fp for fp in ready}
    ids, shas = ids_of(changed), shas_of(changed)
    # A fingerprint made early serves only the very text it was made from.
    fresh = [i for i, (aid, sha) in enumerate(zip(ids, shas, strict=True))
             if not _made_from(have.get(aid), sha)]
    made = {fp.article_id: fp for fp in map_cpu(to_fingerprint, Picked(changed, fresh), workers)}
    return [made[aid] if aid in made else have[aid] for aid in ids]


def _made_from(fp: Fingerprint | None, content_sha256: str) -> bool:
    """True when fp is the fingerprint of the text with this hash."""
    return fp is not None and fp.content_sha256 == content_sha256


@paused_gc()  # reading the stored prints and citation recall allocate as matching does
def match_stories(
    articles: Sequence[Article],
    new_fps: Sequence[Fingerprint],
    known_sha: Mapping[str, str],
    stored_fingerprints: Mapping[str, str],
    previous_members: Mapping[str, str],
    stored_citations: Sequence[tuple[str, str]] = (),
    seen_ids: AbstractSet[str] = frozenset(),
    workers: int | None = None,
) -> MatchResult:
    """Match the new fingerprints against everything and assign stories.

    `workers`: threads for content matching (default: the usable cores; the night passes
    its CPU workers setting).

    The night's recall figure comes from the same pass: content-only edges, before the
    citations are forced in, over tonight's seed→source pairs that touch a new or changed
    article (the pairs this matching examined; an unchanged pair was measured the night it
    was new, and re-matching it blind would double the stage on a big night).
    """
    if not new_fps:
        # Nothing new: stories stand as stored, and no matching was done whose recall to measure.
        # (Returned before the pairs: canonicalising every stored citation took 8 s at 100k.)
        return MatchResult((), StoryAssignment((), ()), (), (), None)
    current = latest(articles)
    ids = ids_of(current)
    # Citations of this batch and of stored articles (a page re-parsed alone keeps its seed).
    citing = [
        (aid, c.url) for aid, cites in zip(ids, citations_of(current), strict=True) for c in cites
    ]
    pairs = citation_pairs([*citing, *stored_citations], set(ids) | set(known_sha))
    new_ids = {fp.article_id for fp in new_fps}
    existing = [
        Fingerprint.from_row(json.loads(row))
        for aid, row in stored_fingerprints.items()
        if aid not in new_ids
    ]
    content = content_edges(new_fps, existing, workers)
    edges = add_citations(content, pairs, new_fps, existing)
    all_fps = {fp.article_id: fp for fp in existing}
    all_fps.update({fp.article_id: fp for fp in new_fps})
    cited = {b for _, b in pairs}
    assignment = assign_stories(all_fps, edges, previous_members, cited)
    here = set(ids) | set(seen_ids)
    tonight = [
        (a, b)
        for a, b in pairs
        if a in here
        and b in here
        and a in all_fps
        and b in all_fps
        and (a in new_ids or b in new_ids)
    ]
    return MatchResult(
        fingerprints=tuple(new_fps),
        assignment=assignment,
        edges=tuple(edges),
        citation_pairs=tuple(tonight),
        recall_without_citations=citation_recall(content, tonight),
    )
