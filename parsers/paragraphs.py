"""Body paragraphs: blocks of the main container, widget lines dropped, bylines and sources."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bs4 import Tag
from bs4.element import NavigableString, PageElement

from parsers.content import (
    INLINE_TAGS,
    LEAF_BLOCKS,
    SKIP_TAGS,
    excluded_ids,
    inline_text,
    is_boilerplate,
    is_caption,
)
from parsers.document import Document
from parsers.records import Citation
from parsers.text import absolute_url, clean_text, fold

# Short lines that are widgets, not prose.
BOILERPLATE_TEXT_RE = re.compile(
    r"^(?:xem thêm|đọc thêm|đọc tiếp|tin liên quan|bài liên quan|tham khảo thêm|chia sẻ|"
    r"về trang chủ đề|theo dõi .{0,40} trên|bình luận|ý kiến|share|related|read more|"
    r"advertisement|quảng cáo)\b",
    re.IGNORECASE,
)
BOILERPLATE_TEXT_MAX = 120

# A source line, as seed texts write it: "Nguồn: https://…", "Quelle: …".
CITATION_RE = re.compile(r"^(?:Quelle|Source|Sources|Nguồn|Fuente|Fonte)\s*:", re.IGNORECASE)
URL_IN_TEXT_RE = re.compile(r"https?://\S+")
CITATION_TAIL = 3

# A last paragraph longer than this is prose, not a signature.
BYLINE_MAX_CHARS = 60
BYLINE_MAX_WORDS = 8


@dataclass(slots=True)
class Block:
    """One paragraph of body text and the element it came from."""

    text: str
    tag: Tag
    link_chars: int = 0


def body_blocks(doc: Document, container: Tag, exclude: tuple[str, ...] = ()) -> list[Block]:
    """Paragraphs of a container in document order, boilerplate boxes and figures left out."""
    skip_ids = excluded_ids(doc, container, exclude)
    blocks: list[Block] = []
    inline: list[str] = []
    inline_links = 0

    def flush(anchor: Tag) -> None:
        """Turn the pending inline text into blocks."""
        nonlocal inline_links
        if inline:
            _add_lines(blocks, "".join(inline), anchor, inline_links)
            inline.clear()
            inline_links = 0

    # An explicit stack instead of recursion: pages nest thousands of levels deep.
    stack: list[tuple[Tag, Iterator[PageElement]]] = [(container, iter(container.children))]
    while stack:
        parent, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            flush(parent)
            continue
        if isinstance(child, NavigableString):
            if type(child) is NavigableString:
                inline.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name in SKIP_TAGS or id(child) in skip_ids or is_boilerplate(child) or is_caption(child):
            continue
        if name == "br":
            flush(parent)
        elif name in LEAF_BLOCKS and not _has_block_child(child):
            flush(parent)
            text, links = inline_text(child)
            _add_lines(blocks, text, child, links)
        elif name in INLINE_TAGS:
            text, links = inline_text(child)
            inline.append(text)
            inline_links += links
        else:
            flush(parent)
            stack.append((child, iter(child.children)))
    return blocks


def _has_block_child(tag: Tag) -> bool:
    """True when a paragraph-like element wraps blocks (an <li> holding <p>s)."""
    return any(
        isinstance(c, Tag) and c.name not in INLINE_TAGS and c.name not in ("br", "img")
        for c in tag.children
    )


def _add_lines(blocks: list[Block], text: str, tag: Tag, links: int) -> None:
    """Append each non-empty line of a text as a block."""
    lines = [clean_text(line) for line in text.split("\n")]
    lines = [line for line in lines if line]
    for line in lines:
        share = links if len(lines) == 1 else min(links, len(line))
        blocks.append(Block(line, tag, share))


def clean_body(blocks: list[Block], title: str | None, lead: str | None) -> list[str]:
    """Drop widget lines, link-only lines and repeats of the title or lead."""
    seen: set[str] = set()
    out: list[str] = []
    skip = {fold(title), fold(lead)} - {""}
    for block in blocks:
        text = block.text
        # Block texts are clean_text's output (_add_lines): folding them is casefold alone.
        folded = text.casefold()
        if folded in skip or folded in seen:
            continue
        if len(text) <= BOILERPLATE_TEXT_MAX and BOILERPLATE_TEXT_RE.match(text):
            continue
        if block.link_chars >= 0.8 * len(text) and len(text) < 200:
            continue
        seen.add(folded)
        out.append(text)
    return out


def trailing_byline(blocks: list[Block]) -> str | None:
    """The body's last paragraph when it is a byline ("Hà Thu (tổng hợp)", bold or right)."""
    last = blocks[-1]
    text = last.text
    if len(text) > BYLINE_MAX_CHARS or len(text.split()) > BYLINE_MAX_WORDS:
        return None
    name = re.sub(r"\s*\([^)]*\)\s*$", "", text).strip(" .-–—")
    # A name: capitalised, no sentence punctuation (initials like "H.Y.T." are fine).
    if not re.fullmatch(r"[^\W\d_][\w.\s'-]*", name) or not name[0].isupper():
        return None
    if name.lower().startswith(("theo ", "nguồn", "source")):
        return None
    tag = last.tag
    style = str(tag.get("style") or "").replace(" ", "").lower()
    align = str(tag.get("align") or "").lower()
    right = "text-align:right" in style or align == "right"
    bold = _all_bold(tag)
    classes = " ".join(tag.get("class") or []).lower()
    if right or bold or "author" in classes:
        return name
    return None


def trailing_citations(blocks: list[Block], base_url: str) -> tuple[Citation, ...]:
    """Source lines ("Nguồn: https://…") among the last paragraphs, moved out of the body."""
    found: list[Citation] = []
    for block in list(blocks[-CITATION_TAIL:]):
        if not CITATION_RE.match(block.text):
            continue
        m = URL_IN_TEXT_RE.search(block.text)
        link = block.tag.find("a", href=True) if m is None else None
        href = m.group(0).rstrip(".,;)") if m else (link.get("href") if link else None)
        url = absolute_url(href if isinstance(href, str) else None, base_url)
        if url:
            found.append(Citation(url=url, kind="source", text=block.text))
            blocks.remove(block)
    return tuple(found)


def _all_bold(tag: Tag) -> bool:
    """True when every word of an element's name part sits in <b>/<strong>."""
    strong = tag.find(("strong", "b"))
    if strong is None:
        return False
    text = clean_text(tag.get_text())
    bold = clean_text(strong.get_text())
    return bool(bold) and text.startswith(bold) and len(bold) >= len(text) / 2
