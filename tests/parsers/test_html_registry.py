"""Host → site parser registration: explicit, suffix-matched, duplicates refused."""

from __future__ import annotations

from types import ModuleType

import pytest

from parsers import registry
from parsers.dom import parse_selector
from parsers.sites import (
    article_cms,
    baotintuc,
    dantri,
    detail_cms,
    gov_portal,
    vietnam_vn,
    vnexpress,
)

SITE_MODULES = (article_cms, baotintuc, dantri, detail_cms, gov_portal, vietnam_vn, vnexpress)


@pytest.mark.parametrize(
    ("host", "module"),
    [
        ("tuoitre.vn", detail_cms),
        ("www.tuoitre.vn", detail_cms),
        ("baochinhphu.vn", detail_cms),
        ("nld.com.vn", detail_cms),
        ("thanhnien.vn", detail_cms),
        ("mst.gov.vn", detail_cms),
        ("vnexpress.net", vnexpress),
        ("e.vnexpress.net", vnexpress),
        ("dantri.com.vn", dantri),
        ("nhandan.vn", article_cms),
        ("en.vietnamplus.vn", article_cms),
        ("baotintuc.vn", baotintuc),
        ("vietnam.vn", vietnam_vn),
        ("sokhcn.haiphong.gov.vn", gov_portal),
        ("TUOITRE.VN.", detail_cms),
    ],
)
def test_host_finds_its_site_module(host: str, module: ModuleType) -> None:
    assert registry.find_parser(host) is module.parse


def test_unknown_host_has_no_parser() -> None:
    assert registry.find_parser("example.com") is None
    assert registry.find_parser("notvnexpress.net") is None
    assert registry.find_parser("vn") is None


def test_longest_suffix_wins() -> None:
    # mst.gov.vn has its own family; every other gov.vn portal falls back to gov_portal.
    assert registry.find_parser("www.mst.gov.vn") is detail_cms.parse
    assert registry.find_parser("sokhcn.haiphong.gov.vn") is gov_portal.parse


def test_duplicate_registration_is_refused() -> None:
    with pytest.raises(registry.DuplicateSite):
        registry.register("tuoitre.vn", vnexpress.parse)
    with pytest.raises(registry.DuplicateSite):
        registry.register("WWW.Tuoitre.VN".removeprefix("WWW.").lower(), vnexpress.parse)


def test_every_registered_parser_is_a_site_module_parse() -> None:
    parses = {m.parse for m in SITE_MODULES}
    for host in registry.registered_hosts():
        assert registry.find_parser(host) in parses


@pytest.mark.parametrize("module", SITE_MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_site_selectors_parse(module: ModuleType) -> None:
    rules = module.RULES
    assert rules.extractor == f"{module.__name__.rsplit('.', 1)[-1]}/{rules.version}"
    for name in ("title", "lead", "body", "author", "published", "section", "tags", "exclude"):
        for selector in getattr(rules, name):
            assert parse_selector(selector)
