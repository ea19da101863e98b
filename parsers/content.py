"""Main-content detection and the tag rules shared by body reading: skip, inline, boilerplate."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from bs4 import BeautifulSoup, Tag
from bs4.element import Comment, NavigableString, PageElement

from parsers.document import Document
from parsers.selectors import Element

# Elements never read as body text, wherever they are.
SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "nav",
        "aside",
        "footer",
        "form",
        "button",
        "input",
        "select",
        "textarea",
        "iframe",
        "object",
        "embed",
        "video",
        "audio",
        "canvas",
        "figure",
        "figcaption",
        "img",
        "picture",
        "map",
        "head",
        "title",
        "meta",
        "link",
    }
)
LEAF_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "dd", "dt"})
INLINE_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "code",
        "data",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "ins",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
        "var",
        "wbr",
        "label",
    }
)
# Class/id tokens of boxes that sit inside article containers but are not the article.
BOILERPLATE_RE = re.compile(
    r"(?:^|[-_\s])(?:related|relate|relation|relatednews|lienquan|tinlienquan|share|sharing|"
    r"social|comments?|widget|banner|ads?|advert\w*|sponsor\w*|promo|newsletter|subscribe|"
    r"breadcrumbs?|navbar|nav|menu|footer|sidebar|popup|modal|toolbar|rating|vote|readmore|"
    r"see-?also|xemthem|tags?|keywords?|hidden|d-none|hide|recommend\w*|most-?read|trending|"
    r"box-category|kbwscwl\w*|signature)(?:$|[-_\s])",
    re.IGNORECASE,
)
# CMS "type" attributes of embedded boxes (tuoitre/baochinhphu VCSortableInPreviewMode).
BOILERPLATE_TYPES = frozenset(
    {"relatedonenews", "relatednewsbox", "relatednews", "wrapnote-related", "boxrelated"}
)
BOILERPLATE_ROLES = frozenset({"navigation", "complementary", "banner", "contentinfo", "search"})

# Caption holders inside bodies: figcaption-less CMSes put captions in td/p with these classes.
CAPTION_CLASS_RE = re.compile(r"caption|^image$|^desc_?image$", re.IGNORECASE)

MIN_SCORED_TEXT = 25


def link_density(container: Tag) -> float:
    """Share of a block's text that sits inside links."""
    total = 0
    linked = 0
    for s in container.find_all(string=True):
        if isinstance(s, Comment):
            continue
        n = len(s.strip())
        total += n
        if s.find_parent("a") is not None:
            linked += n
    return linked / total if total else 0.0


def find_main_content(soup: BeautifulSoup) -> Tag | None:
    """The element holding most of the page's non-link prose (a readability-style score)."""
    scores: dict[int, float] = {}
    tags: dict[int, Tag] = {}
    for s in soup.find_all(string=True):
        if isinstance(s, Comment):
            continue
        n = len(s.strip())
        if n < MIN_SCORED_TEXT:
            continue
        block, in_link = _block_of(s)
        if block is None or in_link:
            continue
        container = block.parent if block.name in LEAF_BLOCKS else block
        if not isinstance(container, Tag):
            continue
        gain = min(n, 600) / 100 + 1
        for weight, el in ((1.0, container), (0.5, container.parent)):
            if isinstance(el, Tag) and el.name not in ("html", "[document]"):
                key = id(el)
                tags[key] = el
                scores[key] = scores.get(key, 0.0) + weight * gain
    best: Tag | None = None
    best_score = 0.0
    for key, score in scores.items():
        el = tags[key]
        if is_boilerplate(el):
            score *= 0.2
        if score > best_score:
            best, best_score = el, score
    return best


def _block_of(s: PageElement) -> tuple[Tag | None, bool]:
    """The nearest non-inline ancestor of a text node, and whether a link is in between."""
    in_link = False
    el = s.parent
    depth = 0
    while isinstance(el, Tag) and depth < 50:
        name = el.name
        if name in SKIP_TAGS:
            return None, in_link
        if name == "a":
            in_link = True
        elif name not in INLINE_TAGS:
            return el, in_link
        el = el.parent
        depth += 1
    return None, in_link


def is_boilerplate(tag: Element) -> bool:
    """True for related boxes, share bars, widgets: by class, id, CMS type or ARIA role."""
    attrs = tag.attrs
    if not attrs:
        return False
    typ = attrs.get("type")
    if isinstance(typ, str) and typ.lower() in BOILERPLATE_TYPES:
        return True
    role = attrs.get("role")
    if isinstance(role, str) and role.lower() in BOILERPLATE_ROLES:
        return True
    module = attrs.get("data-module")
    if isinstance(module, str) and "related" in module.lower():
        return True
    cls = attrs.get("class")
    if cls:
        joined = " ".join(cls) if isinstance(cls, list) else str(cls)
        if is_boilerplate_name(joined):
            return True
    ident = attrs.get("id")
    if isinstance(ident, str) and is_boilerplate_name(ident):
        return True
    style = attrs.get("style")
    return isinstance(style, str) and "display:none" in style.replace(" ", "").lower()


# Pure, and asked for the same few class strings of a CMS on every page: the case-blind
# alternation of forty words costs a few µs a string, a cache hit a tenth of that.
@lru_cache(maxsize=4096)
def is_boilerplate_name(value: str) -> bool:
    """True when a class string or id names a boilerplate box (BOILERPLATE_RE)."""
    return BOILERPLATE_RE.search(value) is not None


@lru_cache(maxsize=4096)
def _is_caption_token(token: str) -> bool:
    """True for a class token of a caption holder (CAPTION_CLASS_RE)."""
    return CAPTION_CLASS_RE.search(token) is not None


def select_container(doc: Document, selectors: tuple[str, ...]) -> Tag | None:
    """The first selector match that holds some text (tuoitre has an empty twin container)."""
    for selector in selectors:
        for el in doc.select(selector, limit=5):
            # get_text(strip=True) is not empty: its first string is enough to know.
            if next(iter(el.stripped_strings), None) is not None:
                return el
    return None


def is_caption(tag: Tag) -> bool:
    """True for caption holders outside <figcaption> (td.caption, p.Image)."""
    cls = tag.attrs.get("class")
    if not cls:
        return False
    tokens = cls if isinstance(cls, list) else str(cls).split()
    return any(_is_caption_token(t) for t in tokens)


def inline_text(tag: Tag) -> tuple[str, int]:
    """Text of an element with <br> as a line break, skipping images and scripts; link chars."""
    out: list[str] = []
    links = 0
    stack: list[tuple[Iterator[PageElement], bool]] = [(iter(tag.children), tag.name == "a")]
    while stack:
        children, in_link = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            continue
        if isinstance(child, NavigableString):
            if type(child) is NavigableString:
                out.append(str(child))
                if in_link:
                    links += len(child.strip())
            continue
        if not isinstance(child, Tag) or child.name in SKIP_TAGS:
            continue
        if child.name == "br":
            out.append("\n")
        else:
            stack.append((iter(child.children), in_link or child.name == "a"))
    return "".join(out), links


def excluded_ids(doc: Document, container: Tag, exclude: tuple[str, ...]) -> set[int]:
    """Ids of the elements inside a container that a site's exclude selectors match."""
    # body_blocks and body_images both ask, for the same container: select once.
    key = ("excluded_ids", id(container), exclude)
    found = doc.memo.get(key)
    if found is None:
        found = {id(el) for sel in exclude for el in doc.select(sel, within=container)}
        doc.memo[key] = found
    return found
