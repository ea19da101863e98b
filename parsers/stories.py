"""Stories from match edges: stable ids, merges recorded, a canonical original and roles.

Clustering is greedy over edges, strongest first, with a linkage guard: two groups join
only when edges cover at least half of the member pairs examined between them, so one weak
edge cannot chain two unrelated stories. Citations and identical content always join.
Articles the warehouse already placed keep their story; stories never split.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, datetime

from parsers.fingerprint import Fingerprint
from parsers.match_threads import paused_gc
from parsers.matching import Edge

ROLES = ("original", "translation", "duplicate")
# Share of examined member pairs that edges must cover before two groups join (average
# link over thresholded edges; 1/3 let a hub article chain stories on labelled data).
MIN_LINK_DENSITY = 1 / 2
# Evidence that joins regardless of linkage: ground truth and byte-identical content.
FORCING = ("citation", "content_hash")


@dataclass(frozen=True, slots=True)
class Member:
    """An article's place in a story: its role, and the score and evidence that put it there."""

    story_id: str
    article_id: str
    role: str
    score: float
    evidence: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoryAssignment:
    """Every article's membership, plus the stories merged away this run."""

    members: tuple[Member, ...]
    merges: tuple[tuple[str, str], ...]  # (merged_id, into_id)


def to_story_id(article_id: str) -> str:
    """Story id from its founding member: 's_' + 12 hex chars."""
    return "s_" + hashlib.sha256(article_id.encode("utf-8")).hexdigest()[:12]


class _Groups:
    """Union-find over article ids that keeps each group's member list."""

    def __init__(self, ids: Sequence[str]) -> None:
        self.parent = {i: i for i in ids}
        self.members: dict[str, list[str]] = {i: [i] for i in ids}

    def find(self, x: str) -> str:
        """Root of x's group, with path halving."""
        parent = self.parent
        up = parent[x]
        while up != x:
            parent[x] = up = parent[up]
            x = up
            up = parent[x]
        return x

    def union(self, x: str, y: str) -> str:
        """Join two groups; the larger root survives."""
        rx, ry = self.find(x), self.find(y)
        return rx if rx == ry else self.join(rx, ry)

    def join(self, rx: str, ry: str) -> str:
        """Join the groups of two distinct roots; the larger root survives."""
        members = self.members
        if len(members[rx]) < len(members[ry]):
            rx, ry = ry, rx
        self.parent[ry] = rx
        members[rx].extend(members.pop(ry))
        return rx


@paused_gc()  # its allocations are many and short-lived, with no cycles
def assign_stories(
    fingerprints: Mapping[str, Fingerprint],
    edges: Sequence[Edge],
    previous: Mapping[str, str],
    cited: AbstractSet[str],
) -> StoryAssignment:
    """Cluster articles into stories and give each article exactly one Member.

    Args:
        fingerprints: every article to place (new and those they matched), by article_id.
        edges: match edges (from match_new); edges to unknown articles are ignored.
        previous: article_id → story_id already in the warehouse.
        cited: article_ids that some article cites as its source.
    Returns:
        Members (sorted by story, role, article) and merges (merged_id, into_id).
    """
    ids = sorted(fingerprints)
    groups = _Groups(ids)
    by_story: dict[str, list[str]] = defaultdict(list)
    for aid in ids:
        if aid in previous:
            by_story[previous[aid]].append(aid)
    for story_members in by_story.values():
        for other in story_members[1:]:
            groups.union(story_members[0], other)

    known = [e for e in edges if e.a in fingerprints and e.b in fingerprints and e.a != e.b]
    neighbours: dict[str, dict[str, Edge]] = defaultdict(dict)
    for e in known:
        neighbours[e.a][e.b] = e
        neighbours[e.b][e.a] = e
    # Forced edges first, then by score: each edge's _forced asked once (it was per sort
    # key and per edge again, a third of this function's time on 142k edges).
    forced = [_forced(e) for e in known]
    ordered = sorted(
        zip(forced, known, strict=True), key=lambda fe: (-fe[0], -fe[1].score, fe[1].a, fe[1].b)
    )
    for is_forced, e in ordered:
        ra, rb = groups.find(e.a), groups.find(e.b)
        if ra == rb:
            continue
        if is_forced or _linked(groups.members[ra], groups.members[rb], neighbours, previous):
            groups.join(ra, rb)

    members: list[Member] = []
    merges: list[tuple[str, str]] = []
    for root in sorted(groups.members):
        group = sorted(groups.members[root])
        if len(group) == 1 and group[0] not in previous:
            # A new article alone: its own story, no canonical to look for.
            members.append(Member(to_story_id(group[0]), group[0], "original", 1.0, {}))
            continue
        canonical = _canonical(group, fingerprints, cited, neighbours)
        story_id, merged = _story_id(group, previous, fingerprints, canonical)
        merges.extend((m, story_id) for m in merged)
        members.extend(_roles(story_id, group, fingerprints, canonical, neighbours))
    rank = {role: k for k, role in enumerate(ROLES)}
    members.sort(key=lambda m: (m.story_id, rank[m.role], m.article_id))
    return StoryAssignment(members=tuple(members), merges=tuple(sorted(set(merges))))


def _forced(edge: Edge) -> bool:
    """Whether the edge is ground truth (citation) or identical content."""
    return any(edge.evidence.get(k, 0.0) >= 1.0 for k in FORCING)


def _linked(
    xs: list[str],
    ys: list[str],
    neighbours: Mapping[str, dict[str, Edge]],
    previous: Mapping[str, str],
) -> bool:
    """Whether edges cover at least MIN_LINK_DENSITY of the examined pairs between two groups.

    A run only scores pairs with a new article, so pairs of two already-placed articles
    are not counted against the groups unless an edge between them was given.
    """
    small, large = (xs, ys) if len(xs) <= len(ys) else (ys, xs)
    large_set = set(large)
    links = sum(1 for x in small for y in neighbours.get(x, {}) if y in large_set)
    old_x = sum(1 for x in xs if x in previous)
    old_y = sum(1 for y in ys if y in previous)
    examined = max(len(xs) * len(ys) - old_x * old_y, links)
    return links >= max(1, math.ceil(MIN_LINK_DENSITY * examined))


def _story_id(
    group: list[str],
    previous: Mapping[str, str],
    fingerprints: Mapping[str, Fingerprint],
    canonical: str,
) -> tuple[str, list[str]]:
    """The group's id and the previous ids merged into it.

    The surviving id is the previous story with most members here; ties go to the older
    story (earliest published member), then the smaller id. A group with no previous
    story is named after its canonical member.
    """
    counts: dict[str, int] = defaultdict(int)
    oldest: dict[str, tuple[int, datetime | str]] = {}
    for aid in group:
        if aid in previous:
            sid = previous[aid]
            counts[sid] += 1
            key = _published_key(fingerprints[aid])
            oldest[sid] = min(oldest.get(sid, key), key)
    if not counts:
        return to_story_id(canonical), []
    survivor = min(counts, key=lambda s: (-counts[s], oldest[s], s))
    return survivor, sorted(s for s in counts if s != survivor)


def _published_key(fp: Fingerprint) -> tuple[int, datetime | str]:
    """Sort key: dated articles first, earliest first."""
    if fp.published_at is None:
        return (1, "")
    ts = fp.published_at
    if ts.tzinfo is not None:
        ts = ts.astimezone(UTC).replace(tzinfo=None)
    return (0, ts)


def _canonical(
    group: list[str],
    fingerprints: Mapping[str, Fingerprint],
    cited: AbstractSet[str],
    neighbours: Mapping[str, dict[str, Edge]],
) -> str:
    """The story's original: a cited source, else original language, else the earliest.

    The original language is the one most members' URL slugs and titles agree with, which
    is where translations keep the original's slug; failing that, the earliest article's.
    """
    sources = [a for a in group if a in cited]
    if sources:
        return min(sources, key=lambda a: (_published_key(fingerprints[a]), a))
    lang = _original_lang(group, fingerprints)
    pool = [a for a in group if fingerprints[a].lang == lang] if lang else group

    def centrality(a: str) -> float:
        return sum(e.score for b, e in neighbours.get(a, {}).items() if b in group)

    return min(pool, key=lambda a: (_published_key(fingerprints[a]), -centrality(a), a))


def _original_lang(group: list[str], fingerprints: Mapping[str, Fingerprint]) -> str | None:
    """The story's original language, from what translations keep of their original.

    In order: the language whose title bigrams other-language members echo (translations
    keep the original's URL slug); the language that spells names with diacritics where
    the others fold them (Nguyễn vs Nguyen); the earliest article's language.
    """
    langs = sorted({fingerprints[a].lang for a in group})
    if len(langs) <= 1:
        return langs[0] if langs else None
    # Each member's anchors and native names read once: they are unpacked anew on every read.
    anchors = {a: fingerprints[a].anchors for a in group}
    bigrams = {a: {t for t in anchors[a] if t.startswith("tb:")} for a in group}
    echoes: dict[str, int] = {}
    for lang in langs:
        own = {t for a in group if fingerprints[a].lang == lang for t in bigrams[a]}
        echoes[lang] = sum(len(own & bigrams[a]) for a in group if fingerprints[a].lang != lang)
    best = max(langs, key=lambda la: (echoes[la], la == langs[0]))
    if echoes[best] > 0 and sum(1 for la in langs if echoes[la] == echoes[best]) == 1:
        return best
    native = {la: 0 for la in langs}
    natives = {a: frozenset(fingerprints[a].native_names) for a in group}
    # Names each member spells folded (ASCII), which it does not also spell natively.
    folded = {b: {t[3:] for t in anchors[b] if t.startswith("nm:")} - natives[b] for b in group}
    for a in group:
        fa = fingerprints[a]
        folded_elsewhere = set().union(
            *(folded[b] for b in group if fingerprints[b].lang != fa.lang)
        )
        native[fa.lang] += len(folded_elsewhere & natives[a])
    ranked = sorted(langs, key=lambda la: -native[la])
    if native[ranked[0]] > native[ranked[1]]:
        return ranked[0]
    dated = [a for a in group if fingerprints[a].published_at is not None]
    if dated:
        return fingerprints[min(dated, key=lambda a: _published_key(fingerprints[a]))].lang
    return None


def _roles(
    story_id: str,
    group: list[str],
    fingerprints: Mapping[str, Fingerprint],
    canonical: str,
    neighbours: Mapping[str, dict[str, Edge]],
) -> list[Member]:
    """Members with roles: the canonical original, same-language duplicates, translations."""
    if len(group) == 1:
        return [Member(story_id, group[0], "original", 1.0, {})]
    lang = fingerprints[canonical].lang
    out = [Member(story_id, canonical, "original", 1.0, {"canonical": 1.0})]
    in_group = set(group)
    for aid in group:
        if aid == canonical:
            continue
        links = neighbours.get(aid, {})
        edge = links.get(canonical)
        if edge is None:
            candidates = [e for b, e in links.items() if b in in_group]
            edge = max(candidates, key=lambda e: e.score) if candidates else None
        role = "duplicate" if fingerprints[aid].lang == lang else "translation"
        if edge is None:
            out.append(Member(story_id, aid, role, 0.0, {"previous": 1.0}))
        else:
            out.append(Member(story_id, aid, role, edge.score, dict(edge.evidence)))
    return out
