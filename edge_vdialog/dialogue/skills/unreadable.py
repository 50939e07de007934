"""The ``unreadable`` skill: a line with no letter or digit ("?", "...", "👍"), or whose every word is
unpronounceable (a keyboard mash such as "asdfghjkl"), gets a friendly request to say it again."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from edge_vdialog.dialogue.skills import Context

_NO_WORDS = ("I'm here! Say or type anything, and I'll answer and draw a picture for it.",
             "Hello! What would you like to talk about? I can draw a picture for anything you say.",
             "I didn't catch anything there. Tell me something, and I'll draw it for you!")
_MASH = ("That looks like a keyboard having fun! What would you like to talk about?",
         "I couldn't read that one. Could you say it another way?",
         "Hmm, those letters don't make a word I know. Try me again?")
LONGEST_CONSONANT_RUN = 6
"""A word with this many consonants in a row is not pronounceable ("strengths" has 5, y counts as a
vowel); nor is one of 5 letters or more with no vowel and 4 or more different letters ("hmmmm" is)."""


def answer(text: str, context: Context) -> str | None:
    if not any(c.isalnum() for c in text):
        return context.rng.choice(_NO_WORDS)
    words = re.findall(r"[^\W\d_]+", text.lower())
    if words and not re.search(r"\d", text) and all(_unpronounceable(w) for w in words):
        return context.rng.choice(_MASH)
    return None


def _unpronounceable(word: str) -> bool:
    """Latin-letter words of 5 letters or more only (see :data:`LONGEST_CONSONANT_RUN`)."""
    if not word.isascii() or len(word) < 5:
        return False
    runs = re.split(r"[aeiouy]+", word)
    return max(map(len, runs)) >= LONGEST_CONSONANT_RUN or (len(runs) == 1 and len(set(word)) >= 4)
