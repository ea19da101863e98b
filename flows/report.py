"""The run report: one summary, rendered as markdown (Prefect artifact) and as console text."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

EXAMPLE_QUERY = (
    "select story_id, lang, origin, coalesce(title, '') as title "
    "from article_stories order by story_id, lang"
)


@dataclass(slots=True)
class RunSummary:
    """Counts and findings of one run, filled stage by stage."""

    run_id: str
    db_path: str
    seeds_dir: str
    status: str = "running"
    error: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    cpu_s: dict[str, float] = field(default_factory=dict)
    fetch_outcomes: dict[str, int] = field(default_factory=dict)
    fetch_by_host: dict[str, dict[str, int]] = field(default_factory=dict)
    rejects: list[tuple[str, str, str]] = field(default_factory=list)
    stories_new: list[str] = field(default_factory=list)
    stories_grown: list[str] = field(default_factory=list)
    merges: list[tuple[str, str]] = field(default_factory=list)
    checks: list[tuple[str, int]] = field(default_factory=list)
    recall_without_citations: float | None = None
    citation_pairs: int = 0

    def add_fetch_outcomes(self, verdicts: list[tuple[str, str]]) -> None:
        """Count final outcomes per class and per host from (url, outcome) pairs."""
        self.fetch_outcomes = dict(Counter(o for _, o in verdicts))
        by_host: dict[str, Counter[str]] = {}
        for url, outcome in verdicts:
            host = urlsplit(url).hostname or "?"
            by_host.setdefault(host, Counter())[outcome] += 1
        self.fetch_by_host = {h: dict(c) for h, c in sorted(by_host.items())}

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form for `quelle run --json` and the runs table."""
        return {
            "run_id": self.run_id,
            "status": self.status,
            "error": self.error,
            "counts": self.counts,
            "timings": self.timings,
            "peak_rss_mb": self.peak_rss_mb,
            "cpu_s": self.cpu_s,
            "fetch_outcomes": self.fetch_outcomes,
            "fetch_by_host": self.fetch_by_host,
            "rejects": [list(r) for r in self.rejects],
            "stories_new": self.stories_new,
            "stories_grown": self.stories_grown,
            "merges": [list(m) for m in self.merges],
            "checks": [list(c) for c in self.checks],
            "recall_without_citations": self.recall_without_citations,
            "citation_pairs": self.citation_pairs,
            "db_path": self.db_path,
        }


def _recall_line(s: RunSummary) -> str:
    """The night's free-label recall, or why there is none."""
    if s.recall_without_citations is None:
        return "no new seed→source pair matched tonight, so no recall figure"
    return (
        f"{s.recall_without_citations:.2f} on {s.citation_pairs} seed→source pair(s), "
        "matched without the citation signal"
    )


def to_markdown(s: RunSummary) -> str:
    """The report as markdown for the Prefect UI and the runs table."""
    c = s.counts
    lines = [
        f"# quelle run {s.run_id}: {s.status}",
        "",
    ]
    if s.error:
        lines += [f"**Failed:** {s.error}", ""]
    lines += [
        "| measure | value |",
        "|---|---:|",
        *(f"| {k.replace('_', ' ')} | {v} |" for k, v in c.items()),
        "",
        "## Fetch outcomes",
        "",
        "| outcome | URLs |",
        "|---|---:|",
        *(f"| {k} | {v} |" for k, v in sorted(s.fetch_outcomes.items())),
        "",
        "| host | outcomes |",
        "|---|---|",
        *(
            f"| {h} | {', '.join(f'{k} {v}' for k, v in sorted(o.items()))} |"
            for h, o in s.fetch_by_host.items()
        ),
        "",
        "## Stories",
        "",
        f"- new: {len(s.stories_new)}; grown: {len(s.stories_grown)}; merged: {len(s.merges)}",
        f"- recall without citations: {_recall_line(s)}",
        "",
        "## Rejects",
        "",
    ]
    lines += [f"- `{stage}` {inp}: {reason}" for stage, inp, reason in s.rejects] or ["- none"]
    lines += ["", "## Quality checks", ""]
    failed = [(n, f) for n, f in s.checks if f]
    lines.append(f"- {len(s.checks) - len(failed)} of {len(s.checks)} passed")
    lines += [f"- **failed** `{n}`: {f} row(s)" for n, f in failed]
    lines += ["", "## Stage timings", ""]
    lines += ["| stage | seconds | CPU seconds | peak RSS so far (MB) |", "|---|---:|---:|---:|"]
    lines += [
        f"| {k} | {v:.2f} | {s.cpu_s.get(k, float('nan')):.2f} "
        f"| {s.peak_rss_mb.get(k, float('nan')):.0f} |"
        for k, v in s.timings.items()
    ]
    return "\n".join(lines) + "\n"


def to_console(s: RunSummary) -> str:
    """A short plain-text summary for the terminal."""
    c = s.counts
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(s.fetch_outcomes.items())) or "none"
    lines = [
        f"quelle run {s.run_id}: {s.status}" + (f" ({s.error})" if s.error else ""),
        f"  seeds: {c.get('seed_files', 0)} files, {c.get('seeds_parsed', 0)} parsed, "
        f"{c.get('seeds_unchanged', 0)} unchanged since the last run",
        f"  articles loaded: {c.get('articles_loaded', 0)} "
        f"(new {c.get('articles_new', 0)}, changed {c.get('articles_changed', 0)}, "
        f"unchanged {c.get('articles_unchanged', 0)})",
        f"  urls cited: {c.get('urls_cited', 0)}; fetched ok: {c.get('urls_fetched', 0)}; "
        f"failed: {c.get('urls_failed', 0)} ({outcomes})",
        f"  stories: {c.get('stories_total', 0)} in the warehouse "
        f"({len(s.stories_new)} new, {len(s.stories_grown)} grown, {len(s.merges)} merged)",
        f"  recall without citations: {_recall_line(s)}",
        f"  rejects: {len(s.rejects)}",
    ]
    lines += [f"    - {stage} {inp}: {reason}" for stage, inp, reason in s.rejects[:20]]
    if len(s.rejects) > 20:
        lines.append(f"    … and {len(s.rejects) - 20} more (table rejects)")
    failed = [n for n, f in s.checks if f]
    lines.append(
        f"  quality checks: {len(s.checks) - len(failed)}/{len(s.checks)} passed"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    lines += [
        f"  warehouse: {s.db_path}",
        f'  try: quelle sql "{EXAMPLE_QUERY}"',
    ]
    return "\n".join(lines)
