"""The ``draw`` skill: "can you draw me a dragon?" -> "Here's a dragon! What should I draw next?"

The kiosk draws a picture for every line (the picture path draws the visitor's words at once), so a
drawing request needs a reply that says so; a small model often answers "I can't draw dragons" or
describes something else. Only a line that is nothing but the request, with a concrete subject of at
most :data:`MOST_WORDS` words; a vague one ("draw something"), one about the kiosk or the visitor
("draw yourself", "draw me") or one with more to it ("draw a cat and tell me a story") goes to the
model. The kiosk leaves this skill out when it draws no pictures (``[imagegen] enabled = false``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from edge_vdialog.dialogue.skills.phrases import END, POLITE

if TYPE_CHECKING:
    from edge_vdialog.dialogue.skills import Context

MOST_WORDS = 8
_REQUEST = re.compile(
    POLITE + r"(?:(?:can|could|would|will) (?:you|u) (?:please )?|please )?"
    r"(?:(?:draw|paint|sketch)(?: me| us)?(?: (?:a )?(?:picture|drawing|painting|sketch) of)?|"
    r"(?:show me |make me |i want |i'd like |i would like )?(?:a )?(?:picture|drawing|painting|sketch) of)"
    r" (?P<thing>[\w' -]+?)" + END, re.IGNORECASE)
_VAGUE = {"something", "anything", "whatever", "what", "how", "why", "who", "when", "where", "it", "that",
          "this", "me", "us", "you", "yourself", "yourselves", "myself", "ourselves", "stuff", "things",
          "u", "i", "i'm", "your", "yours", "picture", "pictures", "nothing", "everything"}
"""Subjects that are no subject, or are the kiosk itself: the model answers those."""
_MORE = {"and", "tell", "say", "explain", "give", "sing", "write", "then", "but", "or"}
"""Words that mean the line asks for more than a drawing."""
_SWAP = {"my": "your", "our": "your", "mine": "yours"}
_DETERMINERS = {"a", "an", "the", "your", "his", "her", "their", "its", "this", "that", "these", "those",
                "some", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "many",
                "lots", "every", "each", "one"}
_PLURAL_DETERMINERS = {"these", "those", "some", "two", "three", "four", "five", "six", "seven", "eight",
                       "nine", "ten", "many", "lots"}
_NEXT = ("What should I draw next?", "What else shall I draw?", "Tell me what to draw next!")


def answer(text: str, context: Context) -> str | None:
    match = _REQUEST.fullmatch(text)
    if match is None:
        return None
    said = match["thing"].split()
    lower = [w.lower() for w in said]
    if not 1 <= len(said) <= MOST_WORDS or lower[0] in _VAGUE or set(lower) & (_MORE | {"you", "your", "yourself"}):
        return None
    words = [_SWAP.get(w, said[i]) for i, w in enumerate(lower)]       # "my house" -> "your house"
    first = words[0].lower()
    thing = " ".join(words)
    if first in _DETERMINERS or first.isdigit():
        plural = first in _PLURAL_DETERMINERS or (first.isdigit() and first != "1")
    else:                                             # "dragon" -> "a dragon"; "cats" stay "cats"
        plural = len(words) == 1 and _plural(first)
        if not plural:
            thing = ("an " if first[0] in "aeiou" else "a ") + thing
    here = "Here are" if plural else "Here's"
    return f"{here} {thing}! {context.rng.choice(_NEXT)}"


def _plural(word: str) -> bool:
    word = word.lower()
    return word.endswith("s") and not word.endswith(("ss", "us", "is"))
