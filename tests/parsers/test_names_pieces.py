"""Names read from the pieces of a text equal names read from its runs (the regex scan)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.anchors import _name_anchors, read_names, to_name_runs, to_names
from parsers.folding import fold_word
from parsers.pieces import to_pieces

WORDS = st.sampled_from(
    ["Nguyễn", "Mạnh", "Hà", "Nội", "PTIT", "ZZ", "Die", "Delegation", "und", "O", "Brien"]
    + ["Москва", "İstanbul", "3D", "x1", "McDonald", "iPhone", "Über", "ß"]
)
# Separators of a run, and what ends one: ASCII spaces (between pieces) in any number, line
# breaks and other white space, punctuation, digits, underscores, brackets.
GLUE = st.sampled_from(
    [" ", "  ", "\u00a0", "-", "'", "’", " - ", " -", "- ", ", ", ".", "\n", " \n", "\t"]
    + ["_", "1", "(", ") ", "x", "", " '", "\u00a0 "]
)
TEXTS = st.lists(st.tuples(WORDS, GLUE), max_size=24).map(
    lambda parts: "".join(w + g for w, g in parts)
)


def _by_runs(text: str) -> tuple[list[str], list[str]]:
    """Name anchors and native bigrams of the runs the regex scan finds."""
    runs = to_name_runs(text)
    native = [
        f"{fold_word(a)} {fold_word(b)}"
        for run in runs
        for a, b in zip(run, run[1:], strict=False)
        if not (a.isascii() and b.isascii())
    ]
    return _name_anchors(runs), native


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_names_of_the_pieces_are_the_names_of_the_runs(text: str) -> None:
    assert read_names(to_pieces(text)) == _by_runs(text)


def test_a_run_goes_on_across_spaces_and_separators_only() -> None:
    anchors, _ = to_names("Hà - Nội (Delegation Brien) x.Mạnh Nguyễn")
    assert anchors == [
        "nm:ha noi",
        "ns:h n",
        "nm:delegation brien",
        "ns:dlgtn brn",
        "nm:manh nguyen",
        "ns:mn ngn",
    ]


def test_a_line_break_ends_a_run() -> None:
    assert to_names("Delegation Hà\nNội Brien") == (
        ["nm:delegation ha", "ns:dlgtn h", "nm:noi brien", "ns:n brn"],
        ["delegation ha", "noi brien"],
    )
