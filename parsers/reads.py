"""What the cascade will read of a page, found on its lxml tree before any soup is built.

BeautifulSoup spends tens of µs per element; a news page is mostly menus, footers and related
lists that no extraction step looks at. Every reader of the soup is accounted for here:

- head (read_head): <title>, the <meta>s of the keys it records, canonical <link>s; <html>
  is the root, always kept; <h1> (generic_title);
- the site's selectors, or the generic ones a site lacks (markup.py), with all they hold;
- the body container with all it holds: the match of the body selectors select_container
  takes (and those it tried), or else the block find_main_content picks (content.py);
- date labels' blocks (labelled_date); each <picture>'s first <source> (images).

Anything else (images, captions, bylines, citations, link density) is read inside the body
container. A site module's parse() must read the page only through its SiteRules.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from parsers.content import INLINE_TAGS, LEAF_BLOCKS, MIN_SCORED_TEXT, SKIP_TAGS, is_boilerplate
from parsers.document import SiteRules
from parsers.lxml_select import LxmlSelect
from parsers.markup import GENERIC_AUTHOR, GENERIC_PUBLISHED, label_pattern
from parsers.metadata import META_KEY_ATTRS, META_READ

ALWAYS_READ = ("title", "h1")
# Strings in these never count as text for select_container (get_text skips their types).
NOT_TEXT_TAGS = frozenset({"script", "style", "template", "rt", "rp"})
# find_main_content's limit on how far a text looks up for its block.
MAX_INLINE_DEPTH = 50
CONTAINER_TRIES = 5
KEY_ATTRS = frozenset(META_KEY_ATTRS)


def find_reads(root: Any, rules: SiteRules) -> tuple[set[Any], set[Any]]:
    """Elements read with all they hold, and the elements on the way to them (see tree.py)."""
    selectors = read_selectors(rules)
    index = LxmlSelect(root, (*selectors, *rules.body))
    whole: set[Any] = set(root.iter(*ALWAYS_READ))
    whole.update(_head_tags(root))
    for selector in selectors:
        whole.update(index.select(selector))
    if rules.date_labels:
        whole.update(_label_blocks(root, rules))
    tried, found = _container_tries(index, rules.body)
    whole.update(tried)
    if not found:
        best = main_content(root, index)
        if best is not None:
            whole.add(best)
    path: set[Any] = set()
    for el in whole:
        while el is not None and el not in path:
            path.add(el)
            el = el.getparent()
    return whole, path


def _head_tags(root: Any) -> list[Any]:
    """Metas read_head records, canonical links, and the first <source> of every <picture>."""
    out = [el for el in root.iter("meta") if _is_read_meta(el.items())]
    out.extend(
        el
        for el in root.iter("link")
        if "canonical" in [t.lower() for t in el.get("rel", "").split()]
    )
    # images._image_url reads picture.find("source"), the first in document order.
    sources = (next(p.iterdescendants("source"), None) for p in root.iter("picture"))
    out.extend(s for s in sources if s is not None)
    return out


def _is_read_meta(items: list[tuple[str, str]]) -> bool:
    """True for a meta with a content whose key (property, name, …) read_head records."""
    # One items() instead of five get()s: each get() parses its key anew (measured 4x).
    content = False
    key = False
    for name, value in items:
        if name == "content":
            content = True
        elif not key and name in KEY_ATTRS and value.strip().lower() in META_READ:
            key = True
    return content and key


def read_selectors(rules: SiteRules) -> tuple[str, ...]:
    """Selectors the cascade may run over the whole page, besides the body's (see below)."""
    # rules.exclude only ever looks inside the body container, which is kept whole.
    return (
        *rules.title,
        *rules.lead,
        *rules.author,
        *(rules.published or GENERIC_PUBLISHED),
        *rules.section,
        *rules.tags,
        *(() if rules.author else GENERIC_AUTHOR),
    )


def _container_tries(index: LxmlSelect, body: tuple[str, ...]) -> tuple[list[Any], bool]:
    """What select_container looks at, up to the container it surely takes (if it does)."""
    tried: list[Any] = []
    for selector in body:
        for el in index.select(selector)[:CONTAINER_TRIES]:
            tried.append(el)
            if _has_text(el):
                return tried, True
    return tried, False


def _has_text(el: Any) -> bool:
    """True when get_text(strip=True) is surely not empty; unsure cases say False."""
    node = el
    while node is not None:
        if node.tag in NOT_TEXT_TAGS:
            return False
        node = node.getparent()
    walk = etree.iterwalk(el, events=("start",))
    for _, node in walk:
        if node is not el and node.tail and node.tail.strip():
            return True
        if node.tag in NOT_TEXT_TAGS:
            walk.skip_subtree()
        elif node.text and node.text.strip():
            return True
    return False


def _label_blocks(root: Any, rules: SiteRules) -> list[Any]:
    """The blocks around every text holding a date label (labelled_date reads their text)."""
    pattern = label_pattern(rules.date_labels)
    blocks = []
    for holder, text in _texts(root):
        if pattern.search(text):
            block = holder
            while block.tag in INLINE_TAGS and block.getparent() is not None:
                block = block.getparent()
            blocks.append(block)
    return blocks


def _texts(root: Any) -> Any:
    """(parent element, text) of every text node, in document order."""
    for event, el in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            if el.text:
                yield el, el.text
        elif el.tail and el is not root:
            yield el.getparent(), el.tail


def main_content(root: Any, index: LxmlSelect) -> Any | None:
    """find_main_content's pick, on the lxml tree.

    Kept whole, the pick stays the pick on the pruned tree: its score comes only from texts
    inside it, and dropping texts elsewhere only lowers other scores (ties keep their order).
    """
    scores: dict[Any, float] = {}
    for holder, text in _texts(root):
        n = len(text.strip())
        if n < MIN_SCORED_TEXT:
            continue
        block, in_link = _block_of(holder)
        if block is None or in_link:
            continue
        container = block.getparent() if block.tag in LEAF_BLOCKS else block
        if container is None:
            continue
        gain = min(n, 600) / 100 + 1
        for weight, el in ((1.0, container), (0.5, container.getparent())):
            if el is not None and el.tag != "html":
                scores[el] = scores.get(el, 0.0) + weight * gain
    best: Any | None = None
    best_score = 0.0
    for el, score in scores.items():
        if is_boilerplate(index.view(el)):
            score *= 0.2
        if score > best_score:
            best, best_score = el, score
    return best


def _block_of(el: Any) -> tuple[Any | None, bool]:
    """content._block_of from a text's parent; past <html> is the document (no block)."""
    in_link = False
    depth = 0
    while el is not None and depth < MAX_INLINE_DEPTH:
        name = el.tag
        if name in SKIP_TAGS:
            return None, in_link
        if name == "a":
            in_link = True
        elif name not in INLINE_TAGS:
            return el, in_link
        el = el.getparent()
        depth += 1
    return None, in_link
