"""Pieces of patterns the skills share: the polite words around a question."""

from __future__ import annotations

POLITE = r"(?:(?:hey|hi|hello|um|so|ok|okay|excuse me|sorry|please|kiosk|quick question)[,:!]?\s+)*"
"""Words a visitor may put before a question ("excuse me, ...")."""
END = r"(?:\s*(?:please|pls|plz|now|right now|today|at the moment|for me|thanks|thank you))*\s*[?!.]*"
"""Words and marks a visitor may put after it ("... please?")."""
IS = r"(?:'s|’s|s| is)"
"""The "is" of "what's", "whats", "what is"."""
ASKING = r"what|whats|who|where|when|why|how|which|are|is|do|does|did|can|could|will|would|should"
"""Words a question starts with (alternatives for a group; "what's" is "what" followed by a non-word)."""


def word_set(words: str) -> frozenset[str]:
    """The words of a space-separated list, as a set (word lists read better written as one string)."""
    return frozenset(words.split())
