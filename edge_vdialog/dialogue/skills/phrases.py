"""Pieces of patterns the skills share: the polite words around a question."""

from __future__ import annotations

import re
from collections.abc import Sequence

POLITE = r"(?:(?:hey|hi|hello|um|so|ok|okay|excuse me|sorry|please|kiosk|quick question)[,:!]?\s+)*"
"""Words a visitor may put before a question ("excuse me, ...")."""
END = r"(?:\s*\b(?:please|pls|plz|now|right now|today|at the moment|for me|thanks|thank you)\b)*\s*[?!.]*"
"""Words and marks a visitor may put after it ("... please?")."""
TELL_ME = r"do you know|can you tell me|could you tell me|can u tell me"
"""Words that wrap a question ("can you tell me where ..."); alternatives for a group."""
LETTER = re.compile(r"[^\W\d_]")
"""A letter of any script (a line or word without one is emoji, digits or signs)."""
IS = r"(?:'s|’s|s| is)"
"""The "is" of "what's", "whats", "what is"."""
ASKING = r"what|whats|who|where|when|why|how|which|are|is|do|does|did|can|could|will|would|should"
"""Words a question starts with (alternatives for a group; "what's" is "what" followed by a non-word)."""
ASKS = re.compile(rf"(?:{ASKING}|wheres|hows)\b|.*\?\W*$", re.IGNORECASE | re.DOTALL)
"""A line (or part of one) that asks something: it opens with a question word or ends with "?"."""
ASKS_IN = re.compile(rf"(?:^|[,;:.!?]\s*|\s(?:and|but|so|or)\s+){POLITE}(?:(?:roughly|approximately|honestly|"
                     rf"seriously|also|btw|out of interest|just wondering|random question)[,:]?\s+)?"
                     rf"(?:{ASKING}|wheres|hows|r(?= u\b))\b|\?\W*$", re.IGNORECASE)
"""A line with a sentence or clause that asks something ("its rammed today, is there a match on", "roughly how
far is london to edinburgh"): for :meth:`~re.Pattern.search`."""

ABOUT_KIOSK = re.compile(r"\b(?:screen|kiosk|this (?:thing|machine)|are (?:you|u)|(?:you|u) (?:are|were)|"
                         r"you're|youre|(?:can|could|will|would) (?:you|u) (?!tell\b|show\b|point\b|help\b)\w+)\b",
                         re.IGNORECASE)
"""A question to or about the kiosk itself ("can u do the floss", "can i touch the screen")."""

MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
"""The months (alternatives for a group)."""
PASSED_WHEN = re.compile(rf"\b(?:he|she|they|(?:my|our) (?:\w+ )?\w+)\s+passed\s+(?:in (?:{MONTHS}|"
                         r"the (?:spring|summer|autumn|winter)|\d{4})|"
                         r"on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|last \w+|"
                         r"recently|suddenly|peacefully|this (?:morning|week|year)|earlier|yesterday|"
                         r"(?:a|\d+|two|three|four|five|six) (?:days?|weeks?|months?|years?) ago)\b", re.IGNORECASE)
"""A death said as "she passed in march", "my dad passed on tuesday" (not "she passed her test")."""


class Kinds:
    """Kinds of line told by their words: ``(kind, pattern)`` pairs, tried in order, case-insensitive."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self._patterns = tuple((kind, re.compile(words, re.IGNORECASE)) for kind, words in pairs)

    def of(self, text: str) -> str | None:
        """The first kind whose pattern is found in ``text``; None: none is."""
        return next((kind for kind, words in self._patterns if words.search(text)), None)


def word_set(words: str) -> frozenset[str]:
    """The words of a space-separated list, as a set (word lists read better written as one string)."""
    return frozenset(words.split())
