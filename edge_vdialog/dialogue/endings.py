"""Where a reply ends: at a sentence end once it is long enough, never in the middle of a word.

A reply has a soft length (characters) after which it stops at the next sentence end, and a hard
cap (tokens, ``Sampling.max_new_tokens``). Reaching the cap mid-sentence finishes the word being
written (a few tokens at most) and ends the reply with an ellipsis instead of a broken word.
"""

from __future__ import annotations

import unicodedata

TERMINALS = ".!?…。！？"
CLOSERS = "\"')]}»”’」』）"
"""Characters that may follow a sentence's final mark and still belong to that sentence."""
ELLIPSIS = "…"
WORD_TOKENS = 8
"""Tokens the hard cap may be exceeded by to finish the word being written."""


def is_sentence_end(text: str) -> bool:
    """``text`` (the reply so far) ends with a complete sentence.

    A final ``.``/``!``/``?``/``…`` (or ``。！？``), optionally closed by quotes or brackets, an emoji, or a
    line end. A period after a decimal digit (``3.``) is not an end: it may be a decimal point (after ``²`` it
    cannot be).
    """
    if text.endswith("\n"):
        return bool(text.strip())
    body = text.rstrip(" " + CLOSERS)
    if not body:
        return False
    last = body[-1]
    if last in TERMINALS:
        return not (last == "." and len(body) > 1 and body[-2].isdecimal())
    return is_emoji(last)


def is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) == "So" and ord(ch) >= 0x2190


class Endings:
    """Watches a streamed reply and says when to stop. One per reply."""

    def __init__(self, soft_chars: int, max_tokens: int) -> None:
        self.soft_chars = soft_chars
        """Reply length after which the next sentence end stops it, characters; 0: no soft stop."""
        self.max_tokens = max_tokens
        self.text = ""
        self.tokens = 0
        self.truncated = False
        """The hard cap was reached mid-sentence: the reply ends with an ellipsis."""

    @property
    def token_budget(self) -> int:
        """Tokens the decoder may produce for this reply: the cap plus room to finish a word."""
        return self.max_tokens + WORD_TOKENS

    def add(self, piece: str) -> tuple[str, bool]:
        """Take the text of one more token: (what of it to show, whether the reply ends here)."""
        self.tokens += 1
        if self.tokens > self.max_tokens:                 # past the cap: finish the word, then stop
            if is_sentence_end(self.text + piece):
                return self._emit(piece), True
            if piece and (piece[0].isspace() or unicodedata.category(piece[0])[0] == "P"):
                self.truncated = True                      # the previous piece completed a word
                return "", True
            self.truncated = self.tokens >= self.token_budget
            return self._emit(piece), self.truncated
        self._emit(piece)
        long_enough = self.tokens == self.max_tokens or (
            self.soft_chars and len(self.text.strip()) >= self.soft_chars)
        return piece, bool(long_enough and is_sentence_end(self.text))

    def _emit(self, piece: str) -> str:
        self.text += piece
        return piece

    def tail(self) -> str:
        """What to append when the reply stopped: an ellipsis after a cut."""
        return ELLIPSIS if self.truncated and not self.text.rstrip().endswith(ELLIPSIS) else ""
