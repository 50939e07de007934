"""Cut streamed reply text into sentences, so speech starts before the reply ends.

``feed(piece)`` returns the sentences that the new piece completed; ``flush()`` returns the rest
when the reply is over. A sentence ends at ``.``, ``!``, ``?`` (or ``…``, CJK ``。！？``) followed by
whitespace, or at a line break; a point after a single letter or a short abbreviation (``e.g.``,
``Dr.``) or between digits (``3.5``) does not end one. What cannot be spoken (emoji, symbols) is
left out; currency and maths signs stay (espeak-ng says them).
"""

from __future__ import annotations

import re
import unicodedata

from edge_vdialog.dialogue.endings import CLOSERS, TERMINALS

END = re.compile(rf"(?<=[{re.escape(TERMINALS)}])[{re.escape(CLOSERS)}]*\s+|\n+")
"""Where a sentence ends: terminal punctuation (and closing quotes) then whitespace, or newlines."""
NOT_AN_END = re.compile(r"(?:\b[A-Za-z]|\b(?:Mr|Mrs|Ms|Dr|St|vs|etc|e\.g|i\.e))\.$")
"""A point that ends an abbreviation or initial, not a sentence."""


def speakable(text: str) -> str:
    """``text`` without emoji, pictographs, controls and variation selectors (Unicode categories
    So, Sk, C*), spaces collapsed."""
    kept = "".join(c for c in text if c.isspace() or not (
        unicodedata.category(c) in ("So", "Sk") or unicodedata.category(c)[0] == "C"
        or "\ufe00" <= c <= "\ufe0f"))
    return " ".join(kept.split())


class SentenceSplitter:
    def __init__(self) -> None:
        self._text = ""

    def feed(self, piece: str) -> list[str]:
        """Sentences completed by ``piece``, in order, speakable and non-empty."""
        self._text += piece
        out, start = [], 0
        for m in END.finditer(self._text):
            head = self._text[start:m.start()].rstrip()
            if m.group().startswith("\n") or not NOT_AN_END.search(head):
                out.append(head)
                start = m.end()
        self._text = self._text[start:]
        return [s for s in map(speakable, out) if s]

    def flush(self) -> list[str]:
        """What is left (an unfinished last sentence), and start over."""
        rest, self._text = speakable(self._text), ""
        return [rest] if rest else []
