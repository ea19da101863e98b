"""Fetched bodies wait on disk for the parse and come back byte for byte."""

from __future__ import annotations

from pathlib import Path

from flows.body_spool import BodySpool
from flows.fetch import FetchResult, fetch_all
from flows.stages import parse_pages
from tests.conftest import ROOT
from tests.servers import LocalServer, fast_settings

PAGE = (ROOT / "tests/fixtures/pages/vn_laos_digital.html").read_bytes()


def test_bodies_fetched_by_many_threads_come_back_whole(tmp_path: Path) -> None:
    bodies = {f"/p{i}": (f"<html><body><p>{i}</p>".encode() + b"x" * (i * 997)) for i in range(40)}
    with LocalServer("127.0.0.2") as a, LocalServer("127.0.0.3") as b, BodySpool(
        tmp_path / "night" / "bodies"
    ) as held:
        for path, body in bodies.items():
            (a if int(path[2:]) % 2 else b).route(path, body)
        urls = [(a if int(p[2:]) % 2 else b).url(p) for p in bodies]
        results = fetch_all(urls, fast_settings(), on_result=held.hold)
        # The results keep no body: the spool has them, and gives them back as the pages'.
        assert all(r.page is not None and r.page.body == b"" for r in results)
        assert all(r.page is not None and r.page.body_bytes > 0 for r in results)
        pages = held.pages([r.page for r in results if r.page is not None])
        assert [p.body for p in pages] == list(bodies.values())
        assert [p.body for p in pages[3:5]] == list(bodies.values())[3:5]
    assert not (tmp_path / "night" / "bodies").exists()


def test_a_held_page_parses_as_the_fetched_page_does(tmp_path: Path) -> None:
    with LocalServer() as srv, BodySpool(tmp_path / "bodies") as held:
        srv.route("/tin.htm", PAGE)
        [kept] = fetch_all([srv.url("/tin.htm")], fast_settings())
        [put] = fetch_all([srv.url("/tin.htm")], fast_settings(), on_result=held.hold)
        assert isinstance(put, FetchResult) and put.page is not None and not put.page.body
        assert kept.page is not None
        assert parse_pages(held.pages([put.page])) == parse_pages([kept.page])


def test_a_page_without_a_held_body_is_given_as_it_is(tmp_path: Path) -> None:
    with LocalServer() as srv, BodySpool(tmp_path / "bodies") as held:
        srv.route("/a", b"<html></html>")
        [result] = fetch_all([srv.url("/a")], fast_settings())
        assert result.page is not None
        assert held.pages([result.page])[0] is result.page
        assert held.body(srv.url("/a")) is None
