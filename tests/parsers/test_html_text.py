"""clean_text collapses whitespace and drops every zero-width character."""

from __future__ import annotations

import pytest

from parsers.text import ZERO_WIDTH_CHARS, clean_text


@pytest.mark.parametrize("char", list(ZERO_WIDTH_CHARS), ids=lambda c: f"U+{ord(c):04X}")
def test_each_zero_width_character_is_dropped(char: str) -> None:
    assert clean_text(f" Hà{char} Nội\u00a0 {char}hôm nay ") == "Hà Nội hôm nay"
