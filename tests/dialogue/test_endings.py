"""Replies end at a sentence end once long enough, and a cap never cuts a word."""

from __future__ import annotations

import pytest

from edge_vdialog.dialogue.endings import WORD_TOKENS, Endings, is_sentence_end


@pytest.mark.parametrize("text,end", [
    ("Hello there.", True), ("Really?!", True), ("He said \"yes.\"", True), ("Wait… ", True),
    ("你好。", True), ("Nice day 😊", True), ("First line\n", True), ("That is E = mc².", True), ("Room 2b.", True),
    ("It costs 3.", False), ("Hello there", False), ("well,", False), ("\n", False), ("", False),
])
def test_sentence_ends(text, end):
    assert is_sentence_end(text) is end


def run(endings: Endings, pieces: list[str]) -> tuple[str, int]:
    """What is shown (with the tail) and how many pieces were taken before the stop."""
    shown = ""
    for n, piece in enumerate(pieces, 1):
        out, stop = endings.add(piece)
        shown += out
        if stop:
            return shown + endings.tail(), n
    return shown + endings.tail(), len(pieces)


def test_soft_length_stops_at_the_next_sentence_end():
    pieces = ["Hi", " there", ".", " The", " weather", " is", " nice", " today", ".", " More", "."]
    assert run(Endings(soft_chars=5, max_tokens=50), pieces) == ("Hi there.", 3)
    assert run(Endings(soft_chars=20, max_tokens=50), pieces) == ("Hi there. The weather is nice today.", 9)
    assert run(Endings(soft_chars=0, max_tokens=50), pieces)[1] == len(pieces)   # no soft stop


def test_cap_finishes_the_word_then_adds_an_ellipsis():
    # the cap (2 tokens) falls inside "cat": "t" completes it, " sat" would start a new word
    assert run(Endings(0, max_tokens=2), ["The", " ca", "t", " sat"]) == ("The cat…", 4)
    assert run(Endings(0, max_tokens=3), ["The", " cat", " sat", ",", " on"]) == ("The cat sat…", 4)


def test_cap_at_a_sentence_end_adds_nothing():
    assert run(Endings(0, max_tokens=2), ["Hi", ".", " More"]) == ("Hi.", 2)
    assert run(Endings(0, max_tokens=2), ["Oh", " well", "."]) == ("Oh well.", 3)


def test_a_word_that_never_ends_is_cut_after_the_budget():
    endings = Endings(0, max_tokens=2)
    shown, taken = run(endings, ["a"] * 100)
    assert taken == endings.token_budget == 2 + WORD_TOKENS and shown == "a" * taken + "…"
