"""Host → site parser: an explicit table, suffix-matched so www. and subdomains find their site."""

from __future__ import annotations

from parsers.document import SiteParser, SiteRules
from parsers.sites import (
    article_cms,
    baotintuc,
    dantri,
    detail_cms,
    gov_portal,
    vietnam_vn,
    vnexpress,
)


class DuplicateSite(ValueError):
    """A host was registered twice; one host has exactly one parser."""


# Longest registered suffix wins: "mst.gov.vn" → detail_cms beats "gov.vn" → gov_portal.
SITES: tuple[tuple[str, SiteParser], ...] = (
    ("tuoitre.vn", detail_cms.parse),
    ("baochinhphu.vn", detail_cms.parse),
    ("nld.com.vn", detail_cms.parse),
    ("thanhnien.vn", detail_cms.parse),
    ("mst.gov.vn", detail_cms.parse),
    ("vnexpress.net", vnexpress.parse),
    ("dantri.com.vn", dantri.parse),
    ("nhandan.vn", article_cms.parse),
    ("vietnamplus.vn", article_cms.parse),
    ("baotintuc.vn", baotintuc.parse),
    ("vietnam.vn", vietnam_vn.parse),
    # Provincial and ministry portals (sokhcn.haiphong.gov.vn, …) share a few portal CMSes.
    ("gov.vn", gov_portal.parse),
)

# Each site module's parse() is the cascade run with its RULES and reads the page through them
# only; parse_html prunes the tree to what those rules read (parsers/reads.py). A parser not
# listed here gets the whole page.
SITE_RULES: dict[SiteParser, SiteRules] = {
    m.parse: m.RULES
    for m in (article_cms, baotintuc, dantri, detail_cms, gov_portal, vietnam_vn, vnexpress)
}

_REGISTRY: dict[str, SiteParser] = {}


def register(host: str, parser: SiteParser) -> None:
    """Register a parser for a host and its subdomains; refuse a host registered twice."""
    key = host.strip().lower().rstrip(".")
    if key in _REGISTRY:
        raise DuplicateSite(f"host {key!r} is already registered")
    _REGISTRY[key] = parser


def find_parser(host: str) -> SiteParser | None:
    """The parser registered for the host or its nearest registered parent domain."""
    labels = host.strip().lower().rstrip(".").split(".")
    for i in range(len(labels) - 1):
        parser = _REGISTRY.get(".".join(labels[i:]))
        if parser is not None:
            return parser
    return None


def rules_of(parser: SiteParser) -> SiteRules | None:
    """The selectors a registered site parser reads the page through, if known."""
    return SITE_RULES.get(parser)


def registered_hosts() -> tuple[str, ...]:
    """Every registered host, sorted."""
    return tuple(sorted(_REGISTRY))


for _host, _parser in SITES:
    register(_host, _parser)
