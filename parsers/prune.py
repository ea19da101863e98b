"""The cut before parsing: scripts, styles, inline SVG, templates and comments, in one scan."""

from __future__ import annotations

import re

# Scripts, styles, inline SVG and comments are 71-87% of the recorded pages' characters and
# none of their text; a linear scan cuts them for less than BeautifulSoup would spend building
# their nodes. Comments must go anyway: baochinhphu hides timestamps in them inside the body.
# The name must end the tag name: "<style-guide>" is a custom element, not a style.
# Tag names are ASCII case-insensitive (HTML): without re.ASCII, re takes the long s (U+017F)
# for an "s", and "<ſcript>" was cut as a script whose end it then had no pattern for.
# The case-sensitive lookahead lists every character the names' first letters and "!" match:
# most "<" fail on it at once, instead of being tried against four names letter by letter;
# it halves the scan (measured).
STRIP_START_RE = re.compile(
    r"<(?=(?-i:[sStT!]))(?:(script|style|svg|template)(?=[\s>/])|!--)",
    re.IGNORECASE | re.ASCII,
)
STRIP_END_RES = {
    name: re.compile(rf"</{name}\s*>", re.IGNORECASE | re.ASCII)
    for name in ("script", "style", "svg", "template")
}
RAW_TEXT_TAGS = frozenset({"script", "style"})


def prestrip(text: str) -> tuple[str, list[str]]:
    """Cut scripts, styles, SVG and comments in one linear scan; keep JSON-LD script texts."""
    parts: list[str] = []
    jsonld: list[str] = []
    unclosed: set[str] = set()
    pos = 0
    while True:
        m = STRIP_START_RE.search(text, pos)
        if m is None:
            parts.append(text[pos:])
            break
        parts.append(text[pos : m.start()])
        name = (m.group(1) or "").lower()
        if not name:
            end = text.find("-->", m.end())
            if end < 0:
                break  # An unterminated comment runs to the end, as in a browser.
            pos = end + 3
            continue
        gt = text.find(">", m.end())
        if gt < 0:
            break
        close = None if name in unclosed else STRIP_END_RES[name].search(text, gt + 1)
        if close is None:
            if name in RAW_TEXT_TAGS:
                break  # An unterminated script or style swallows the rest, as in a browser.
            # An unclosed <svg> is markup to keep; remember it so the scan stays linear.
            unclosed.add(name)
            parts.append(text[m.start() : gt + 1])
            pos = gt + 1
            continue
        if name == "script" and "ld+json" in text[m.end() : gt].lower():
            jsonld.append(text[gt + 1 : close.start()])
        pos = close.end()
    return "".join(parts), jsonld
