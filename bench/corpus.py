"""Synthetic benchmark corpus: seed texts (de/vi/en) and the pages they cite, in real layouts.

Everything is generated from a seeded RNG: no article text is copied from the recorded pages.
Page i tells story i; seed j retells story j % n_pages (a German translation most of the
time, a Vietnamese copy or an English edition otherwise) and cites page j % n_pages, so the
matcher has real work: shared names, numbers and dates across languages, and different
stories that share common names and years.

Page layouts follow the structure of tests/fixtures/html/{tuoitre,baochinhphu,vnexpress,dantri}:
the detail-* CMS (data-role containers, RelatedOneNews boxes), VnExpress fck_detail (byline as
the last right-aligned paragraph, box-tinlienquanv2), Dân trí data-slot (aside related
modules), and a generic English article page. Each page carries JSON-LD (NewsArticle,
BreadcrumbList, Organization), og: tags, navigation, related boxes, inline CSS and scripts, and
is padded to 60-150 KB the way real pages are: by the site's own chrome, not by article text.
"""

from __future__ import annotations

import json
import random
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from html import escape
from pathlib import Path

# Hosts of the synthetic web, each on its own loopback address; the benchmark's resolver maps
# them (and only them) to 127.0.0.2-9. Registered hosts get their site parser.
HOSTS: tuple[tuple[str, str, str], ...] = (
    # (host, layout, language)
    ("tuoitre.vn", "detail", "vi"),
    ("baochinhphu.vn", "detail", "vi"),
    ("vnexpress.net", "vnexpress", "vi"),
    ("dantri.com.vn", "dantri", "vi"),
    ("nld.com.vn", "detail", "vi"),
    ("thanhnien.vn", "detail", "vi"),
    ("e.vnexpress.net", "vnexpress", "en"),
    ("vietnamnews.vn", "generic", "en"),
)
VN_TZ = timezone(timedelta(hours=7))
HOST_ADDRESSES = {host: f"127.0.0.{i + 2}" for i, (host, _, _) in enumerate(HOSTS)}

VI_SYLLABLES = (
    "phát triển kinh tế xã hội chính sách nhà nước doanh nghiệp thị trường đầu tư công nghệ "
    "chuyển đổi số hạ tầng giao thông nông nghiệp người dân địa phương thành phố tỉnh huyện "
    "quốc tế hợp tác hội nghị bộ trưởng chính phủ quốc hội dự án nguồn vốn ngân sách giá cả "
    "tăng trưởng xuất khẩu nhập khẩu hàng hóa dịch vụ du lịch giáo dục đào tạo y tế bệnh viện "
    "an toàn môi trường năng lượng điện nước khí hậu thời tiết mưa bão lũ lụt cứu trợ khẩn cấp "
    "lao động việc làm thu nhập bảo hiểm tiền lương cải cách hành chính thủ tục minh bạch "
    "khoa học nghiên cứu đổi mới sáng tạo khởi nghiệp sinh viên trường đại học giảng viên "
    "kế hoạch triển khai thực hiện hiệu quả nâng cao chất lượng đảm bảo quy định pháp luật "
    "các những được đã sẽ đang cho với của trong theo về tại từ khi này đó cũng như rất nhiều "
    "hơn nữa để và là có không một hai ba năm tháng ngày tuần sau trước cùng giữa trên dưới "
    "người lao động cán bộ công chức lãnh đạo chuyên gia nhà khoa học đại biểu ông bà anh chị"
).split()
DE_WORDS = (
    "die der das und in zu den mit von für auf ist im dem nicht ein eine als auch es an werden "
    "aus er hat dass sie nach wird bei einer um am sind noch wie einem über einen so zum war "
    "haben nur oder aber vor zur bis mehr durch man sein wurde sei Jahr Jahre Zusammenarbeit "
    "Entwicklung Wirtschaft Regierung Ministerium Minister Unternehmen Förderung Bereich "
    "digitale Transformation Infrastruktur Investitionen Bevölkerung Provinz Stadt Delegation "
    "Arbeitssitzung Programm Projekte Umsetzung Verbesserung Qualität Fachkräfte Ausbildung "
    "Innovation Technologie Forschung Hochschulen Studierende nachhaltige wichtige beide Seiten "
    "Länder Beziehungen Partnerschaft Austausch Erfahrungen Maßnahmen Behörden Verwaltung "
    "öffentlichen Dienstleistungen Wachstum Export Import Handel Märkte Preise Energie Umwelt "
    "Klimawandel Landwirtschaft Gesundheit Krankenhäuser Bildung Schulen Arbeitskräfte Löhne "
    "Versicherung Reform Verfahren Transparenz Gesetz Vorschriften Plan Ziel Ergebnisse "
    "betonte erklärte sagte vereinbarten tauschten würdigte forderte unterzeichneten besuchte "
    "führte stärken fördern ausbauen verbessern gewährleisten umsetzen unterstützen schaffen "
    "große neue weitere zahlreiche konkrete gemeinsame regionale internationale nationale"
).split()
EN_WORDS = (
    "the of and to in a is that for on with as was by at from it be this have are has an "
    "which not but were their they will its also been more after said would about than over "
    "government ministry minister development economy cooperation investment infrastructure "
    "province city delegation meeting programme projects implementation quality workforce "
    "training innovation technology research universities students sustainable important "
    "both sides countries relations partnership exchange experience measures authorities "
    "public services growth exports imports trade markets prices energy environment climate "
    "agriculture health hospitals education schools workers wages insurance reform procedures "
    "transparency law regulations plan target results stressed explained agreed signed "
    "visited strengthen promote expand improve ensure implement support create large new "
    "further numerous concrete joint regional international national digital transformation"
).split()

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
          "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
MIDDLE = ("Văn", "Thị", "Mạnh", "Thanh", "Minh", "Hữu", "Đức", "Quốc", "Ngọc", "Xuân",
          "Hoài", "Thu", "Kim", "Gia", "Bảo", "Trọng")
GIVEN = ("Hùng", "Sơn", "Lan", "Hương", "Tuấn", "Dũng", "Hải", "Long", "Phương", "Quỳnh",
         "Tú", "Anh", "Bình", "Cường", "Hà", "Khánh", "Linh", "Nam", "Thảo", "Trang", "Vinh",
         "Yến", "Đạt", "Giang", "Hiếu", "Kiên", "Mai", "Nhung", "Oanh", "Phúc", "Quân", "Tâm")
PLACES = ("Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Nghệ An", "Quảng Ninh", "Huế",
          "Lào Cai", "Bình Dương", "Đồng Nai", "Khánh Hòa", "Lâm Đồng", "An Giang", "Thanh Hóa",
          "Hưng Yên", "Bắc Ninh", "Gia Lai", "Đắk Lắk", "Tây Ninh", "Vĩnh Long")
ORGS = ("MIC", "PTIT", "VNPT", "FPT", "Viettel", "EVN", "ASEAN", "WEF", "UNDP", "WTO", "SJC",
        "VCCI", "JICA", "KOICA", "ADB", "IMF")
SECTIONS_VI = ("Kinh doanh", "Thời sự", "Thế giới", "Giáo dục", "Sức khỏe", "Công nghệ",
               "Pháp luật", "Xã hội", "Văn hóa", "Du lịch")
SECTIONS_EN = ("Business", "Politics", "World", "Education", "Health", "Tech", "Society")


def fold_ascii(text: str) -> str:
    """Vietnamese names as German translations print them: without diacritics."""
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class Story:
    """What one event is about: the anchors its copies share."""

    index: int
    people: tuple[str, ...]
    place: str
    org: str
    when: datetime
    numbers: tuple[str, ...]
    percent: str
    slug_words: tuple[str, ...]
    section: int


def to_story(index: int) -> Story:
    """The story behind page `index` (deterministic)."""
    rng = random.Random(index * 7919 + 17)
    people = tuple(
        f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}" for _ in range(3)
    )
    when = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(
        days=rng.randrange(420), hours=rng.randrange(24), minutes=rng.randrange(60)
    )
    numbers = tuple(str(rng.randrange(12, 9800)) for _ in range(4))
    return Story(
        index=index,
        people=people,
        place=rng.choice(PLACES),
        org=rng.choice(ORGS),
        when=when,
        numbers=numbers,
        percent=f"{rng.randrange(1, 60)},{rng.randrange(10)}",
        slug_words=tuple(rng.sample(VI_SYLLABLES, 8)),
        section=rng.randrange(len(SECTIONS_VI)),
    )


def page_host(index: int) -> tuple[str, str, str]:
    """(host, layout, language) of page `index`."""
    return HOSTS[index % len(HOSTS)]


def page_path(index: int) -> str:
    """The path of page `index` on its host (slug + numeric id, like the real sites)."""
    story = to_story(index)
    slug = "-".join(fold_ascii(w).lower() for w in story.slug_words)
    return f"/{slug}-{20250000000000 + index * 7331}.htm"


def page_url(index: int, port: int) -> str:
    """The absolute URL of page `index`."""
    host = page_host(index)[0]
    return f"http://{host}:{port}{page_path(index)}"


# -- Text -------------------------------------------------------------------------------------


def _sentence(rng: random.Random, lang: str, story: Story, facts: bool) -> str:
    """One sentence: vocabulary words with, sometimes, one of the story's facts."""
    vocab = {"vi": VI_SYLLABLES, "de": DE_WORDS, "en": EN_WORDS}[lang]
    words = rng.choices(vocab, k=rng.randrange(12, 30))
    if facts:
        fact = rng.randrange(6)
        person = rng.choice(story.people)
        if lang != "vi":
            person = fold_ascii(person)
        if fact == 0:
            insert = person
        elif fact == 1:
            unit = {"vi": "tỷ đồng", "de": "Mrd. VND", "en": "billion VND"}[lang]
            insert = f"{rng.choice(story.numbers)} {unit}"
        elif fact == 2:
            insert = f"{story.percent}%"
        elif fact == 3:
            d = story.when
            insert = {
                "vi": f"ngày {d.day}/{d.month}/{d.year}",
                "de": f"am {d.day}.{d.month}.{d.year}",
                "en": f"on {d:%B} {d.day}, {d.year}",
            }[lang]
        elif fact == 4:
            insert = story.place if lang == "vi" else fold_ascii(story.place)
        else:
            insert = story.org
        words.insert(rng.randrange(len(words)), insert)
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random, lang: str, story: Story) -> str:
    """Two to five sentences, about half of them stating a fact."""
    return " ".join(
        _sentence(rng, lang, story, rng.random() < 0.5) for _ in range(rng.randrange(2, 6))
    )


def _title(rng: random.Random, lang: str, story: Story) -> str:
    """A headline naming the place or the organisation."""
    vocab = {"vi": VI_SYLLABLES, "de": DE_WORDS, "en": EN_WORDS}[lang]
    words = rng.choices(vocab, k=rng.randrange(6, 12))
    place = story.place if lang == "vi" else fold_ascii(story.place)
    words.insert(rng.randrange(len(words)), rng.choice((place, story.org)))
    text = " ".join(words)
    return text[0].upper() + text[1:]


@dataclass(frozen=True, slots=True)
class ArticleText:
    """Generated text of one article copy."""

    title: str
    lead: str
    paragraphs: tuple[str, ...]
    captions: tuple[str, ...]
    author: str


def to_article_text(story: Story, lang: str, variant: int) -> ArticleText:
    """The text of one copy of a story in one language (variant picks the wording)."""
    # Not hash(lang): str hashes are salted per process.
    key = {"vi": 1, "de": 2, "en": 3}[lang]
    rng = random.Random((story.index * 31 + variant) * 1_000_003 + key)
    title = _title(rng, lang, story)
    lead = " ".join(_sentence(rng, lang, story, True) for _ in range(2))
    paragraphs = tuple(_paragraph(rng, lang, story) for _ in range(rng.randrange(6, 14)))
    captions = tuple(_sentence(rng, lang, story, True) for _ in range(rng.randrange(1, 4)))
    author = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}"
    return ArticleText(title, lead, paragraphs, captions, author)


# -- Seeds ------------------------------------------------------------------------------------


def seed_lang(j: int) -> str:
    """Seed languages: 70% German translations, 20% Vietnamese copies, 10% English."""
    r = j % 10
    return "de" if r < 7 else ("vi" if r < 9 else "en")


def to_seed_text(j: int, n_pages: int, port: int) -> str:
    """Seed article j, shaped like seeds/*: paragraphs, image lines, Quelle line, comments."""
    index = j % n_pages
    story = to_story(index)
    lang = seed_lang(j)
    text = to_article_text(story, lang, variant=1 + j // n_pages)
    rng = random.Random(j * 104729 + 3)
    lines: list[str] = []
    if lang == "vi" or rng.random() < 0.3:
        lines.append(text.title)
    lines.append(text.lead)
    captions = list(text.captions)
    for k, para in enumerate(text.paragraphs):
        lines.append(para)
        if captions and k % 3 == 1:
            name = rng.choice(("IMG_", "DSC_", "anh-", "Foto")) + f"{rng.randrange(1000, 9999)}.jpg"
            credit = {"de": "Foto: PV", "vi": "Ảnh: PV", "en": "Photo: PV"}[lang]
            lines.append(f"{name}\n{captions.pop()} {credit}")
    if rng.random() < 0.5:
        lines.append(text.author if lang == "vi" else fold_ascii(text.author))
    lines.append(f"Quelle: {page_url(index, port)}")
    sep = "\n" if lang == "vi" else "\n\n"
    body = sep.join(lines)
    comments = {"de": "Kommentar (0)", "vi": "Bình luận (0)", "en": "Comments (0)"}[lang]
    return body + "\n\n\n\n\n\n" + comments


def write_seeds(directory: Path, n_seeds: int, n_pages: int, port: int) -> int:
    """Write n_seeds seed files; returns the bytes written."""
    directory.mkdir(parents=True, exist_ok=True)
    total = 0
    for j in range(n_seeds):
        data = to_seed_text(j, n_pages, port).encode("utf-8")
        (directory / f"{j // 1000:03d}_{j:06d}.txt").write_bytes(data)
        total += len(data)
    return total


# -- Page chrome (per host, generated once): CSS, scripts, navigation ----------------------------


def _ident(rng: random.Random) -> str:
    """A JS/CSS-looking identifier."""
    parts = rng.choices(("box", "item", "detail", "news", "list", "nav", "ads", "video", "img",
                         "title", "main", "wrap", "col", "row", "btn", "icon", "menu", "tab"),
                        k=rng.randrange(1, 4))
    return "-".join(parts) + str(rng.randrange(100))


def _css(rng: random.Random, rules: int) -> str:
    """Minified-looking CSS rules."""
    props = ("display:block", "margin:0 auto", "padding:10px 0", "color:#333", "font-size:14px",
             "line-height:1.6", "position:relative", "width:100%", "overflow:hidden",
             "background:#f7f7f7", "border:1px solid #ddd", "float:left", "text-align:center")
    return "".join(
        f".{_ident(rng)} .{_ident(rng)}{{{';'.join(rng.sample(props, rng.randrange(2, 6)))}}}"
        for _ in range(rules)
    )


def _js(rng: random.Random, functions: int) -> str:
    """Tracker/ads-looking inline JavaScript."""
    out = []
    for _ in range(functions):
        name = _ident(rng).replace("-", "_")
        keys = ", ".join(f'"{_ident(rng)}": {rng.randrange(10000)}' for _ in range(6))
        out.append(
            f"function {name}(e,t){{var n={{{keys}}};if(!e)return null;"
            f"for(var i=0;i<t.length;i++){{n[t[i]]=(n[t[i]]||0)+e.offsetTop*{rng.randrange(9)};}}"
            f'window.dataLayer=window.dataLayer||[];dataLayer.push({{"event":"{name}",'
            f'"value":n}});return n;}}'
        )
    return "\n".join(out)


@dataclass(frozen=True, slots=True)
class Chrome:
    """A host's shared page parts."""

    css: str
    scripts: tuple[str, ...]
    nav: str
    footer: str


_CHROME: dict[str, Chrome] = {}


def to_chrome(host: str) -> Chrome:
    """The host's CSS, a pool of script blocks, its navigation and footer (cached)."""
    chrome = _CHROME.get(host)
    if chrome is not None:
        return chrome
    rng = random.Random(sum(map(ord, host)) * 13)
    css = _css(rng, 260)
    scripts = tuple(_js(rng, rng.randrange(8, 20)) for _ in range(24))
    sections = SECTIONS_EN if host.endswith(("e.vnexpress.net", "vietnamnews.vn")) else SECTIONS_VI
    links = []
    for k in range(140):
        sec = sections[k % len(sections)]
        links.append(
            f'<li class="menu-item"><a href="/{fold_ascii(sec).lower().replace(" ", "-")}/'
            f'{_ident(rng)}.htm" title="{sec}">{sec} {k // len(sections) or ""}</a></li>'
        )
    nav = f'<nav class="menu-nav"><ul class="menu-list">{"".join(links)}</ul></nav>'
    footer_links = "".join(
        f'<a href="/{_ident(rng)}.htm">{escape(_ident(rng))}</a>' for _ in range(60)
    )
    footer = (
        f'<footer class="footer"><div class="footer-links">{footer_links}</div>'
        f"<p>© {host} 2026. Giấy phép số {rng.randrange(100, 999)}/GP-BTTTT.</p></footer>"
    )
    chrome = Chrome(css, scripts, nav, footer)
    _CHROME[host] = chrome
    return chrome


# -- Pages ------------------------------------------------------------------------------------


def _jsonld(story: Story, text: ArticleText, url: str, host: str, image: str, lang: str) -> str:
    """NewsArticle, BreadcrumbList and Organization JSON-LD blocks."""
    published = story.when.astimezone(VN_TZ)
    sections = SECTIONS_VI if lang == "vi" else SECTIONS_EN
    section = sections[story.section % len(sections)]
    article = {
        "@context": "http://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": text.title,
        "description": text.lead,
        "image": {"@type": "ImageObject", "url": image, "width": 1200, "height": 630},
        "datePublished": published.isoformat(),
        "dateModified": (published + timedelta(minutes=17)).isoformat(),
        "author": {"@type": "Person", "name": text.author},
        "publisher": {"@type": "Organization", "name": host,
                      "logo": {"@type": "ImageObject", "url": f"http://{host}/logo.png"}},
        "inLanguage": lang,
    }
    crumbs = {
        "@context": "http://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Trang chủ", "item": f"http://{host}/"},
            {"@type": "ListItem", "position": 2, "name": section,
             "item": f"http://{host}/{fold_ascii(section).lower().replace(' ', '-')}.htm"},
        ],
    }
    org = {"@context": "http://schema.org", "@type": "Organization", "name": host,
           "url": f"http://{host}/", "sameAs": [f"https://facebook.com/{host}"]}
    return "\n".join(
        f'<script type="application/ld+json">{json.dumps(obj, ensure_ascii=False)}</script>'
        for obj in (article, crumbs, org)
    )


def _head(story: Story, text: ArticleText, url: str, host: str, image: str, lang: str,
          chrome: Chrome, rng: random.Random) -> str:
    """<head>: meta and og tags, JSON-LD, CSS and a few scripts."""
    published = story.when.astimezone(VN_TZ).isoformat()
    t, d = escape(text.title), escape(text.lead)
    metas = (
        f'<meta charset="utf-8"><title>{t} | {host}</title>'
        f'<meta name="description" content="{d}"><meta name="keywords" content="{t}">'
        f'<link rel="canonical" href="{url}">'
        f'<meta property="og:type" content="article"><meta property="og:site_name" '
        f'content="{host}"><meta property="og:title" content="{t}">'
        f'<meta property="og:description" content="{d}"><meta property="og:url" content="{url}">'
        f'<meta property="og:image" content="{image}">'
        f'<meta property="article:published_time" content="{published}">'
        f'<meta property="article:author" content="{escape(text.author)}">'
        f'<meta name="language" content="{lang}">'
    )
    scripts = "".join(
        f"<script>{s}</script>" for s in rng.sample(chrome.scripts, 4)
    )
    return (
        f"<head>{metas}{_jsonld(story, text, url, host, image, lang)}"
        f"<style>{chrome.css}</style>{scripts}</head>"
    )


def _related(rng: random.Random, host: str, n: int) -> list[tuple[str, str]]:
    """(href, title) of other articles on the host."""
    out = []
    for _ in range(n):
        other = rng.randrange(1_000_000)
        story = to_story(other % 50_000)
        lang = "en" if host in ("e.vnexpress.net", "vietnamnews.vn") else "vi"
        out.append((page_path(other % 50_000), escape(_title(rng, lang, story))))
    return out


def _body_detail(text: ArticleText, images: list[str], rng: random.Random, host: str) -> str:
    """detail-* CMS article block (tuoitre, baochinhphu, nld, thanhnien)."""
    parts = []
    caps = list(text.captions)
    for k, para in enumerate(text.paragraphs):
        parts.append(f"<p>{escape(para)}</p>")
        if k == 2:
            href, title = _related(rng, host, 1)[0]
            parts.append(
                f'<div type="RelatedOneNews" class="VCSortableInPreviewMode"><a href="{href}">'
                f'<img src="{images[0]}" alt="{title}"></a><div><a href="{href}">{title}</a>'
                f"</div></div>"
            )
        if caps and k % 4 == 1:
            cap = escape(caps.pop())
            parts.append(
                f'<figure class="VCSortableInPreviewMode" type="Photo"><div><img '
                f'src="{images[len(caps) % len(images)]}" alt="{cap}"></div>'
                f'<figcaption class="PhotoCMS_Caption"><p>{cap}</p></figcaption></figure>'
            )
        if k == 5:
            parts.append(f"<h2>{escape(text.title[:40])}</h2>")
    day, hour, minute = rng.randrange(1, 28), rng.randrange(24), rng.randrange(60)
    published = f"{day:02d}/03/2026 {hour:02d}:{minute:02d} GMT+7"
    return (
        f'<div class="detail-cate"><a href="/kinh-doanh.htm">Kinh doanh</a></div>'
        f'<h1 class="detail-title article-title" data-role="title">{escape(text.title)}</h1>'
        f'<div class="detail-info"><div class="detail-author"><div class="author-info">'
        f'<a class="name" href="/tac-gia/{rng.randrange(9999)}.htm">{escape(text.author)}</a>'
        f'</div></div><div class="detail-time"><div data-role="publishdate">{published}</div>'
        f"</div></div>"
        f'<h2 class="detail-sapo" data-role="sapo">{escape(text.lead)}</h2>'
        f'<div class="detail-cmain"><div class="detail-content afcbc-body" data-role="content" '
        f'itemprop="articleBody">{"".join(parts)}</div></div>'
        f'<div class="detail-tab">'
        + "".join(f'<a href="/tag/{rng.randrange(999)}.htm">{escape(w)}</a>'
                  for w in rng.sample(VI_SYLLABLES, 5))
        + "</div>"
    )


def _body_vnexpress(text: ArticleText, images: list[str], rng: random.Random, host: str) -> str:
    """VnExpress fck_detail article block."""
    parts = []
    caps = list(text.captions)
    for k, para in enumerate(text.paragraphs):
        parts.append(f'<p class="Normal">{escape(para)}</p>')
        if caps and k % 4 == 1:
            cap = escape(caps.pop())
            parts.append(
                f'<figure data-size="true" itemprop="associatedMedia image" itemscope="" '
                f'itemtype="http://schema.org/ImageObject" class="tplCaption">'
                f'<div class="fig-picture"><picture><img itemprop="contentUrl" '
                f'src="{images[len(caps) % len(images)]}" alt="{cap}"></picture></div>'
                f'<figcaption itemprop="description"><p class="Image">{cap}. Ảnh: Reuters</p>'
                f"</figcaption></figure>"
            )
        if k == 3:
            rel = "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in _related(rng, host, 3))
            parts.append(f'<div class="box-tinlienquanv2"><ul>{rel}</ul></div>')
    parts.append(
        f'<p class="Normal" style="text-align:right;"><strong>{escape(text.author)}</strong></p>'
    )
    return (
        '<ul class="breadcrumb"><li><a href="/kinh-doanh">Kinh doanh</a></li></ul>'
        f'<span class="date">Thứ bảy, 7/3/2026, 00:05 (GMT+7)</span>'
        f'<h1 class="title-detail">{escape(text.title)}</h1>'
        f'<p class="description">{escape(text.lead)}</p>'
        f'<article class="fck_detail ">{"".join(parts)}</article>'
        '<div class="tags">'
        + "".join(f'<h4 class="item-tag"><a href="/tag/{rng.randrange(999)}">{escape(w)}</a></h4>'
                  for w in rng.sample(VI_SYLLABLES, 4))
        + "</div>"
    )


def _body_dantri(text: ArticleText, images: list[str], rng: random.Random, host: str) -> str:
    """Dân trí data-slot article block."""
    parts = []
    caps = list(text.captions)
    for k, para in enumerate(text.paragraphs):
        parts.append(f"<p>{escape(para)}</p>")
        if k == 2:
            href, title = _related(rng, host, 1)[0]
            parts.append(
                f'<aside data-module="related-article-in-content" data-id="{rng.randrange(10**9)}"'
                f'><article><a href="{href}">{title}</a></article></aside>'
            )
        if caps and k % 4 == 1:
            cap = escape(caps.pop())
            parts.append(
                f'<figure class="image align-center"><img src="{images[len(caps) % len(images)]}"'
                f' alt="{cap}"><figcaption><p>{cap}</p></figcaption></figure>'
            )
    return (
        '<article data-slot="container" class="dt-flex dt-flex-col">'
        '<ul class="dt-breadcrumb"><li><a href="/kinh-doanh.htm">Kinh doanh</a></li></ul>'
        f'<h1 data-slot="title" class="dt-font-inter dt-text-4xl">{escape(text.title)}</h1>'
        f'<div class="dt-flex"><a href="/tac-gia/{rng.randrange(9999)}.htm">'
        f"{escape(text.author)}</a>"
        f'<time datetime="2026-03-07 08:07">Thứ bảy, 07/03/2026 - 08:07</time></div>'
        f'<h2 data-slot="sapo" class="dt-font-arial">(Dân trí) - {escape(text.lead)}</h2>'
        f'<div data-slot="content" id="desktop-in-article" class="dt-font-arial">'
        f'{"".join(parts)}</div></article>'
    )


def _body_generic(text: ArticleText, images: list[str], rng: random.Random, host: str) -> str:
    """A plain English article page, parsed by the generic extractor."""
    parts = [f"<p>{escape(p)}</p>" for p in text.paragraphs]
    if text.captions:
        parts.insert(2, f'<figure><img src="{images[0]}" alt=""><figcaption>'
                        f"{escape(text.captions[0])}</figcaption></figure>")
    rel = "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in _related(rng, host, 6))
    return (
        f'<article class="post"><h1 class="post-title">{escape(text.title)}</h1>'
        f'<div class="byline">By <span class="author">{escape(text.author)}</span></div>'
        f'<p class="lead"><strong>{escape(text.lead)}</strong></p>'
        f'<div class="article-body">{"".join(parts)}</div></article>'
        f'<aside class="related"><h3>Related</h3><ul>{rel}</ul></aside>'
    )


LAYOUTS = {
    "detail": _body_detail,
    "vnexpress": _body_vnexpress,
    "dantri": _body_dantri,
    "generic": _body_generic,
}


def to_page_html(index: int, port: int) -> bytes:
    """Page `index` as its site would serve it (60-150 KB, UTF-8)."""
    host, layout, lang = page_host(index)
    story = to_story(index)
    text = to_article_text(story, lang, variant=0)
    url = page_url(index, port)
    rng = random.Random(index * 2654435761 % 2**32)
    chrome = to_chrome(host)
    images = [
        f"https://cdn.{host}/{story.when:%Y/%m/%d}/{'-'.join(story.slug_words[:3])}-"
        f"{rng.randrange(10**12)}.jpg"
        for _ in range(3)
    ]
    head = _head(story, text, url, host, images[0], lang, chrome, rng)
    article = LAYOUTS[layout](text, images, rng, host)
    side = "".join(
        f'<li class="box-item"><a href="{h}"><img src="{images[1]}" alt=""></a>'
        f'<h3><a href="{h}">{t}</a></h3></li>'
        for h, t in _related(rng, host, 12)
    )
    target = rng.randrange(60_000, 150_000)
    parts = [
        f'<!DOCTYPE html><html lang="{lang}">{head}<body class="page-detail">',
        f'<header class="header"><a class="logo" href="/">{host}</a>{chrome.nav}</header>',
        f'<main class="main-detail"><div class="container">{article}</div>',
        f'<div class="box-related"><h3>Tin liên quan</h3><ul>{side}</ul></div></main>',
        chrome.footer,
    ]
    size = sum(len(p.encode("utf-8")) for p in parts)
    tail = []
    pool = chrome.scripts
    k = index
    while size < target:
        block = f"<script>{pool[k % len(pool)]}</script>"
        tail.append(block)
        size += len(block)
        k += 7
    return ("".join(parts) + "".join(tail) + "</body></html>").encode("utf-8")


def write_pages(directory: Path, n_pages: int, port: int) -> int:
    """Write pages 0..n_pages-1 as directory/<host><path>; returns the bytes written."""
    total = 0
    for index in range(n_pages):
        host = page_host(index)[0]
        path = directory / host / page_path(index).lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        data = to_page_html(index, port)
        path.write_bytes(data)
        total += len(data)
    return total
