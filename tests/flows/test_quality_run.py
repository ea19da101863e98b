"""A failed data-quality check fails the run with its reason, and keeps the good data."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import SEEDS
from warehouse.db import open_warehouse


@pytest.mark.usefixtures("prefect_harness")
def test_a_broken_row_fails_the_run_but_the_load_stays(tmp_path: Path) -> None:
    from flows.nightly import nightly

    db = tmp_path / "wh.duckdb"
    con = open_warehouse(db)
    con.execute("insert into story_members values ('s_x', 'no-such-article', 'bogus', 1, '{}')")
    con.close()
    state = nightly(seeds_dir=str(SEEDS), db_path=str(db), offline=True, return_state=True)
    assert state.is_failed()
    assert "accepted_values:story_members.role" in str(state.message)
    summary = state.result(raise_on_failure=False)
    assert summary.status == "failed"
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from articles").fetchone() == (5,)
    failed = {r[0] for r in con.execute(
        "select check_name from quality_checks where status = 'fail'").fetchall()}
    assert {"accepted_values:story_members.role",
            "references:story_members.article_id->articles.article_id"} <= failed
    assert con.execute("select status, error from runs").fetchone()[0] == "failed"
    con.close()
