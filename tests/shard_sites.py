"""A small web of four hosts on 127.0.0.x, two per shard of two, and seeds that cite it.

    with ShardSites() as sites:             # four LocalServers, balanced over two shards
        sites.write_seeds(tmp_path / "seeds")
        sites.article_urls                   # the pages that parse into articles

Every host serves real recorded pages (ETag set, so a revisit gets a 304), and between them
one 404 (a fetch reject) and one page that is not an article (a parse reject). The
repository's five seeds are included, 003 citing one of the pages and 004 the 404.
"""

from __future__ import annotations

import re
from pathlib import Path

from flows.fetch import to_host_key
from flows.shards import shard_of_url
from tests.conftest import ROOT, SEEDS
from tests.servers import LocalServer

SHARDS = 2
PER_SHARD = 2
FIXTURES = ROOT / "tests" / "fixtures"
# (path on its host, recorded page); the hosts take them in turn.
PAGES = [
    ("/thoi-su/viet-nam-lao-hop-tac-so.htm", FIXTURES / "pages" / "vn_laos_digital.html"),
    ("/xa-hoi/pho-di-bo.htm", FIXTURES / "html" / "baotintuc" / "article.html"),
    ("/tin/mua-lon-can-tho.htm", FIXTURES / "html" / "generic" / "article.html"),
    ("/khoa-hoc/10-su-kien.htm", FIXTURES / "html" / "mst" / "article.html"),
    ("/kinh-te/cao-toc-bac-nam.htm", FIXTURES / "html" / "nhandan" / "article.html"),
    ("/kinh-te/gia-xang-dau.htm", FIXTURES / "html" / "nld" / "article.html"),
    ("/giao-duc/robot-nong-dan.htm", FIXTURES / "html" / "thanhnien" / "article.html"),
    ("/van-hoa/festival-hoa-da-lat.htm", FIXTURES / "html" / "vietnam_vn" / "article.html"),
    ("/economy/exports-rise.htm", FIXTURES / "html" / "vietnamplus" / "article.html"),
]
NOT_ARTICLE = ("/", FIXTURES / "html" / "nonarticle" / "index.html")
MISSING = "/gone/trao-doi-kinh-nghiem.htm"
SEED_TEXT = (
    "Bericht {n} über die Meldung der Quelle, übersetzt aus dem Vietnamesischen.\n\n"
    "Die Behörden teilten am Montag mit, dass die Arbeiten planmäßig fortgesetzt werden und "
    "weitere Einzelheiten in den kommenden Tagen bekannt gegeben werden sollen.\n\n"
    "Quelle: {url}\n"
)


class ShardSites:
    """Four LocalServers on 127.0.0.2 and up, two hosts in each of two shards (context manager)."""

    def __init__(self) -> None:
        self.servers: list[LocalServer] = []
        self.article_urls: list[str] = []
        self.not_article_url = ""
        self.missing_url = ""

    def start(self) -> ShardSites:
        """Start servers until each shard has two hosts; route the pages over them."""
        taken = [0] * SHARDS
        for last in range(2, 60):
            if len(self.servers) == SHARDS * PER_SHARD:
                break
            server = LocalServer(f"127.0.0.{last}").start()
            k = shard_of_url(server.url("/"), SHARDS)
            if taken[k] < PER_SHARD:
                taken[k] += 1
                self.servers.append(server)
            else:
                server.stop()
        if len(self.servers) != SHARDS * PER_SHARD:
            self.stop()
            raise RuntimeError(f"could not balance hosts over shards: {taken}")
        for i, (path, page) in enumerate(PAGES):
            server = self.servers[i % len(self.servers)]
            server.route(path, page.read_bytes(), etag=f'"p{i}"')
            self.article_urls.append(server.url(path))
        path, page = NOT_ARTICLE
        self.servers[1].route(path, page.read_bytes(), etag='"na"')
        self.not_article_url = self.servers[1].url(path)
        self.missing_url = self.servers[2].url(MISSING)
        return self

    def stop(self) -> None:
        """Stop every server."""
        for server in self.servers:
            server.stop()

    def __enter__(self) -> ShardSites:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def hosts(self) -> list[str]:
        """The host keys (127.0.0.x:port) served."""
        return [to_host_key(s.url("/")) for s in self.servers]

    def write_seeds(self, out: Path) -> Path:
        """The repository's seeds pointed at these hosts, plus one seed citing each page."""
        out.mkdir(parents=True)
        for path in SEEDS.glob("*.txt"):
            text = path.read_text(encoding="utf-8")
            text = text.replace(
                "https://baotintuc.vn/thoi-su/viet-nam-lao-mo-rong-hop-tac-cong-nghe-du-lieu-va-"
                "chuyen-doi-so-20251125140706756.htm",
                self.article_urls[0] + "?utm_source=seed",
            )
            text = re.sub(
                r"https://sokhcn\.haiphong\.gov\.vn/\S+", self.missing_url, text
            )
            (out / path.name).write_text(text, encoding="utf-8")
        for n, url in enumerate([*self.article_urls[1:], self.not_article_url], start=1):
            (out / f"1{n:02d}_shard_site.txt").write_text(
                SEED_TEXT.format(n=n, url=url), encoding="utf-8"
            )
        return out
