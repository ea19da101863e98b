"""The cut before parsing: scripts, styles, inline SVG, templates and comments, in one scan."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

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


# The same scan on UTF-8 bytes (parse_html, when the page is declared UTF-8): every byte the
# patterns test is ASCII, and in UTF-8 an ASCII byte is always that character, never part
# of another, so the cuts fall where they fall in the decoded text; only the kept parts are
# decoded, an eighth of the page (and bytes patterns scan faster than UCS-2 text).
STRIP_START_BYTES_RE = re.compile(STRIP_START_RE.pattern.encode(), re.IGNORECASE | re.ASCII)
STRIP_END_BYTES_RES = {
    name: re.compile(pattern.pattern.encode(), re.IGNORECASE | re.ASCII)
    for name, pattern in STRIP_END_RES.items()
}


@dataclass(frozen=True, slots=True)
class _Marks:
    """The patterns and literals of one scan, as str or as bytes."""

    start: re.Pattern[Any]
    ends: dict[str, re.Pattern[Any]]
    comment_end: Any
    gt: Any
    jsonld: Any


STR_MARKS = _Marks(STRIP_START_RE, STRIP_END_RES, "-->", ">", "ld+json")
BYTES_MARKS = _Marks(STRIP_START_BYTES_RE, STRIP_END_BYTES_RES, b"-->", b">", b"ld+json")


def prestrip(text: str) -> tuple[str, list[str]]:
    """Cut scripts, styles, SVG and comments in one linear scan; keep JSON-LD script texts."""
    parts, jsonld = _cut(text, STR_MARKS)
    return "".join(parts), jsonld


class Utf8Cut(NamedTuple):
    """prestrip of a UTF-8 page, cut before decoding."""

    text: str
    jsonld: list[str]
    # Nothing was cut: text is the whole page.
    whole: bool
    # The text's own UTF-8 bytes, when no byte needed replacing (lxml may parse these).
    utf8: bytes | None


def prestrip_utf8(body: bytes) -> Utf8Cut:
    """prestrip of a UTF-8 page's text, cut before decoding (see Utf8Cut)."""
    parts, jsonld = _cut(body, BYTES_MARKS)
    # Each part decoded apart, as the whole page would decode them: joined first, a broken
    # sequence before a cut and stray continuation bytes after it could make one character.
    text = "".join([part.decode("utf-8", errors="replace") for part in parts])
    blobs = [blob.decode("utf-8", errors="replace") for blob in jsonld]
    # Without a U+FFFD, no byte was replaced: the parts are valid UTF-8, encoding the text.
    utf8 = b"".join(parts) if "\ufffd" not in text else None
    return Utf8Cut(text, blobs, sum(map(len, parts)) == len(body), utf8)


def _cut(text: Any, marks: _Marks) -> tuple[list[Any], list[Any]]:
    """prestrip's scan over a str or a bytes: the parts kept and the JSON-LD texts."""
    parts: list[Any] = []
    jsonld: list[Any] = []
    unclosed: set[str] = set()
    pos = 0
    while True:
        m = marks.start.search(text, pos)
        if m is None:
            parts.append(text[pos:])
            break
        parts.append(text[pos : m.start()])
        found = m.group(1)
        name = (found if isinstance(found, str) else (found or b"").decode("ascii")).lower()
        if not name:
            end = text.find(marks.comment_end, m.end())
            if end < 0:
                break  # An unterminated comment runs to the end, as in a browser.
            pos = end + 3
            continue
        gt = text.find(marks.gt, m.end())
        if gt < 0:
            break
        close = None if name in unclosed else marks.ends[name].search(text, gt + 1)
        if close is None:
            if name in RAW_TEXT_TAGS:
                break  # An unterminated script or style swallows the rest, as in a browser.
            # An unclosed <svg> is markup to keep; remember it so the scan stays linear.
            unclosed.add(name)
            parts.append(text[m.start() : gt + 1])
            pos = gt + 1
            continue
        if name == "script" and marks.jsonld in text[m.end() : gt].lower():
            jsonld.append(text[gt + 1 : close.start()])
        pos = close.end()
    return parts, jsonld
