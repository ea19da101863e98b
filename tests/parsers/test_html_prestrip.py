"""The pre-strip's scan finds the same tags a plain case-insensitive search finds."""

from __future__ import annotations

import re

from parsers.prune import STRIP_START_RE, prestrip

# The pattern before its lookahead: what the scan must keep finding.
PLAIN_START_RE = re.compile(
    r"<(?:(script|style|svg|template)(?=[\s>/])|!--)", re.IGNORECASE | re.ASCII
)


def test_start_scan_finds_what_a_plain_case_insensitive_search_finds() -> None:
    names = ("script", "style", "svg", "template")
    spellings = [n for name in names for n in (name, name.upper(), name.title())]
    text = "".join(f"<p>a</p><{s} x>y</{s}><{s}>z<{s}/><!-- c --><a><i>" for s in spellings)
    # Tag names are ASCII: the long s (U+017F), an "s" to re's Unicode case folding, is not.
    text += "".join(f"<{n.replace('s', chr(0x17F), 1)}>k" for n in names if "s" in n)
    text += "<sup>1</sup><table><tr><td>t</td></tr></table><style-guide>k</style-guide><!x>"
    found = [m.span() for m in STRIP_START_RE.finditer(text)]
    assert found == [m.span() for m in PLAIN_START_RE.finditer(text)]
    assert len(found) == 4 * len(spellings)


def test_upper_case_scripts_styles_and_templates_are_cut() -> None:
    page = "<P>a</P><SCRIPT>x()</SCRIPT><Style>p{}</Style><TEMPLATE>t</TEMPLATE><!--c--><p>b</p>"
    assert prestrip(page)[0] == "<P>a</P><p>b</p>"


def test_a_long_s_tag_is_markup_to_keep_not_a_script() -> None:
    page = "<p>a</p><\u017fcript>x</\u017fcript><script>y()</script><p>b</p>"
    assert prestrip(page)[0] == "<p>a</p><\u017fcript>x</\u017fcript><p>b</p>"
