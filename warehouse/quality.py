"""Data-quality checks after every load: each is a query counting the rows that break a rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from warehouse.rows import TS


@dataclass(frozen=True, slots=True)
class Check:
    """A named rule and the SQL that counts its failures."""

    name: str
    sql: str


@dataclass(frozen=True, slots=True)
class CheckResult:
    """How a check came out in one run."""

    name: str
    failures: int

    @property
    def passed(self) -> bool:
        """True when no row breaks the rule."""
        return self.failures == 0


def _unique(table: str, key: str) -> Check:
    """Rows whose key appears more than once."""
    return Check(
        f"unique:{table}.{key}",
        f"select coalesce(sum(n - 1), 0) from "
        f"(select count(*) as n from {table} group by {key} having count(*) > 1)",
    )


def _not_null(table: str, column: str) -> Check:
    """Rows where a required column is empty."""
    return Check(
        f"not_null:{table}.{column}", f"select count(*) from {table} where {column} is null"
    )


def _accepted(table: str, column: str, values: tuple[str, ...]) -> Check:
    """Rows whose column holds a value outside the accepted set."""
    listed = ", ".join(f"'{v}'" for v in values)
    return Check(
        f"accepted_values:{table}.{column}",
        f"select count(*) from {table} where {column} not in ({listed})",
    )


def _references(table: str, column: str, parent: str, parent_key: str) -> Check:
    """Rows pointing at a parent row that does not exist."""
    return Check(
        f"references:{table}.{column}->{parent}.{parent_key}",
        f"select count(*) from {table} as c anti join {parent} as p "
        f"on c.{column} = p.{parent_key} where c.{column} is not null",
    )


FETCH_OUTCOMES = (
    "ok", "not_modified", "dns", "connect", "tls", "timeout", "http_4xx", "http_5xx", "too_large",
    "bad_content_type", "redirect_loop", "blocked_by_robots", "blocked_address", "bad_url",
)

CHECKS: tuple[Check, ...] = (
    _unique("articles", "article_id"),
    _unique("pages", "url"),
    _unique("stories", "story_id"),
    _unique("story_members", "article_id"),
    _unique("fingerprints", "article_id"),
    _unique("citations", "article_id, url"),
    _not_null("articles", "lang"),
    _not_null("articles", "content_sha256"),
    _not_null("story_members", "story_id"),
    _accepted("articles", "origin", ("seed", "web")),
    _accepted("story_members", "role", ("original", "translation", "duplicate")),
    _accepted("fetches", "status", FETCH_OUTCOMES),
    _accepted("runs", "status", ("running", "completed", "failed")),
    _references("story_members", "article_id", "articles", "article_id"),
    _references("story_members", "story_id", "stories", "story_id"),
    _references("citations", "article_id", "articles", "article_id"),
    _references("pages", "article_id", "articles", "article_id"),
    # Every stored article belongs to a story (singletons included).
    Check(
        "every_article_in_a_story",
        "select count(*) from articles anti join story_members using (article_id)",
    ),
    # n_articles is derived; a mismatch means a load rebuilt stories from stale members.
    Check(
        "stories_count_matches_members",
        "select count(*) from stories as s join (select story_id, count(*) as n "
        "from story_members group by story_id) as m using (story_id) where s.n_articles <> m.n",
    ),
)


def run_checks(con: duckdb.DuckDBPyConnection, run_id: str) -> list[CheckResult]:
    """Run every check, store the results under the run, and return them."""
    now = datetime.now(UTC)
    results = []
    for check in CHECKS:
        row = con.execute(check.sql).fetchone()
        failures = int(row[0]) if row and row[0] is not None else 0
        results.append(CheckResult(check.name, failures))
    results.append(_freshness(con, run_id))
    # One statement, one commit: executemany committed each of the ~20 rows on its own.
    rows = pa.table(
        {
            "run_id": pa.array([run_id] * len(results), pa.string()),
            "check_name": pa.array([r.name for r in results], pa.string()),
            "status": pa.array(["pass" if r.passed else "fail" for r in results], pa.string()),
            "failures": pa.array([r.failures for r in results], pa.int64()),
            "details": pa.array([None] * len(results), pa.string()),
            "checked_at": pa.array([now] * len(results), TS),
        }
    )
    con.register("_checks", rows)
    con.execute("insert into quality_checks by name select * from _checks")
    con.unregister("_checks")
    return results


def _freshness(con: duckdb.DuckDBPyConnection, run_id: str) -> CheckResult:
    """This run's row exists and started within two days: the load went to the right file."""
    row = con.execute(
        "select count(*) from runs where run_id = ? and started_at > now() - interval 2 day",
        [run_id],
    ).fetchone()
    return CheckResult("freshness:runs.latest", 0 if row and row[0] else 1)
