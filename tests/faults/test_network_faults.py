"""A night of misbehaving servers: every URL ends in its outcome class and the run goes on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT
from tests.servers import LocalServer, clear_proxy_env

PAGE = (ROOT / "tests/fixtures/pages/vn_laos_digital.html").read_bytes()
# Only the fault server's own address is allowed; 127.0.0.1 and 169.254.169.254 stay refused.
SETTINGS = {
    "allowed_networks": "127.0.0.2/32",
    "min_host_delay_s": 0.0,
    "backoff_base_s": 0.01,
    "backoff_max_s": 0.05,
    "max_wait_s": 2.0,
    "deadline_s": 1.5,
    "read_timeout_s": 1.0,
    "max_attempts": 2,
    "max_bytes": 2_000_000,
}
EXPECTED = {
    "/good.htm": "ok",
    "/bad-utf8.htm": "ok",
    "/reset.htm": "connect",
    "/err500.htm": "http_5xx",
    "/busy.htm": "http_4xx",
    "/drip.htm": "timeout",
    "/bomb.htm": "too_large",
    "/file.pdf": "bad_content_type",
    "/loop-a.htm": "redirect_loop",
    "/to-loopback.htm": "blocked_address",
    "/to-metadata.htm": "blocked_address",
    "/private/secret.htm": "blocked_by_robots",
}


@pytest.fixture
def faulty(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalServer]:
    """One host on 127.0.0.2 whose paths misbehave in every way we know."""
    clear_proxy_env(monkeypatch)
    with LocalServer("127.0.0.2") as srv, LocalServer("127.0.0.1") as loopback:
        loopback.route("/admin", "<html><body>internal</body></html>")
        srv.robots("User-agent: *\nDisallow: /private/\n")
        srv.route("/good.htm", PAGE)
        srv.route("/bad-utf8.htm", PAGE.replace("Phó Thủ tướng".encode(), b"Ph\xff\xfe Th\xc3"))
        srv.route("/reset.htm", b"x" * 50_000, reset_after=200)
        srv.route("/err500.htm", "<html>oops</html>", status=500)
        srv.route("/busy.htm", "<html>slow down</html>", status=429, headers={"Retry-After": "1"})
        srv.route("/drip.htm", b"<html>" + b"x" * 200, drip_s=0.05)
        srv.gzip_bomb("/bomb.htm", size=50_000_000)
        srv.route("/file.pdf", b"%PDF-1.7 ...", content_type="application/pdf")
        srv.redirect("/loop-a.htm", srv.url("/loop-b.htm"))
        srv.redirect("/loop-b.htm", srv.url("/loop-a.htm"))
        srv.redirect("/to-loopback.htm", loopback.url("/admin"))
        srv.redirect("/to-metadata.htm", "http://169.254.169.254/latest/meta-data/")
        srv.route("/private/secret.htm", PAGE)
        yield srv
        assert loopback.seen() == []  # the redirect to loopback never connected


@pytest.mark.usefixtures("prefect_harness")
def test_every_fault_ends_in_its_class_and_the_run_completes(
    faulty: LocalServer, tmp_path: Path
) -> None:
    from flows.nightly import nightly

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for n, path in enumerate(EXPECTED):
        (seeds / f"{n:02d}.txt").write_text(
            f"Bericht Nummer {n} über die Zusammenarbeit der Ministerien im Bereich Technik.\n"
            f"Quelle: {faulty.url(path)}\n",
            encoding="utf-8",
        )
    db = tmp_path / "wh.duckdb"
    state = nightly(seeds_dir=str(seeds), db_path=str(db), overrides=SETTINGS, return_state=True)
    summary = state.result(raise_on_failure=False)
    assert summary.status == "completed", summary.error

    con = duckdb.connect(str(db), read_only=True)
    last = dict(con.execute(
        "select url, arg_max(status, attempt) from fetches group by url"
    ).fetchall())
    got = {url.removeprefix(faulty.base_url): outcome for url, outcome in last.items()}
    assert got == EXPECTED
    assert con.execute("select count(*) from articles where origin = 'seed'").fetchone() == (
        len(EXPECTED),
    )
    rejected = {r[0].removeprefix(faulty.base_url) for r in con.execute(
        "select input from rejects where stage = 'fetch'").fetchall()}
    assert rejected == {p for p, o in EXPECTED.items() if o != "ok"}
    attempts = dict(con.execute("select url, count(*) from fetches group by url").fetchall())
    con.close()
    # Transient failures are retried, refusals are not.
    assert attempts[faulty.url("/err500.htm")] == 2
    assert attempts[faulty.url("/file.pdf")] == 1
    assert attempts[faulty.url("/private/secret.htm")] == 1
    assert [s.path for s in faulty.seen("/private/secret.htm")] == []
