"""The ``draw`` skill: "can you draw me a dragon?" -> "Here's a dragon! What should I draw next?"

The kiosk draws a picture for every line (the picture path draws the visitor's words at once), so a
drawing request needs a reply that says so; a small model often answers "I can't draw dragons" or
describes something else. Only a line that is the request, with a concrete subject of at most
:data:`MOST_WORDS` words; a vague one ("draw something"), one about the kiosk ("draw yourself") or one
with more to it ("draw a cat and tell me a story") goes to the model. What follows the subject after a
comma or a clause ("draw a tiger for my sister, she's 4", "a picture of the beach, i'm off on holiday")
is context, not subject: "Here's a tiger for your sister!". "draw me as a pirate" (or with, in, wearing ...
a jetpack) -> "Here you are as a pirate!". The kiosk leaves this skill out when it draws no pictures
(``[imagegen] enabled = false``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from edge_vdialog.dialogue.skills.phrases import END, POLITE

if TYPE_CHECKING:
    from edge_vdialog.dialogue.skills import Context

MOST_WORDS = 12
"""Words of a subject the reply says back (rounds 90-95 met nine-word ones: "a crocodile at the dentist with a
massive grin"); a longer request is a scene the model describes."""
_PICTURE = r"(?:a |an )?(?:picture|pic|drawing|painting|sketch|image)"
_REQUEST = re.compile(
    POLITE + r"(?:(?:lol|haha|omg|ooh|oh|wow|now|next|and|also|pls|plz)[,!]?\s+)*"
    r"(?:(?:can|cn|could|would|will) (?:you|u) (?:please |pls |plz )?|please |pls |plz )?"
    r"(?:(?:draw|drw|draww|drow|darw|paint|sketch)(?P<me> me| us)?(?: " + _PICTURE + r" of)?|"
    r"(?:(?:show|make|give|do|create) (?:me |us )?|i want |i'd like |i would like )?" + _PICTURE + r" of)"
    r" (?P<thing>[\w' -]+?)"
    r"(?P<rest>(?:\s*,|\s+(?:for|because|cause|cuz|coz|since|i'm|im|i am|he's|hes|she's|shes|it's|its|they're|"
    r"theyre|he is|she is|they are)\b)[^\n]*?)?" + END, re.IGNORECASE)
_FOR = re.compile(r"\s+for (?P<whom>(?:my|our|his|her|their|the|a) [\w' ]+?)"
                  r"(?=\s*,|\s+(?:and|because|cause|cuz|coz|since|who|he|she|they|it|i|hes|shes|theyre|its|"
                  r"he's|she's|they're|it's)\b|\s*$)", re.IGNORECASE)
"""A "for my little sister" right after the subject: said back ("for your little sister")."""
_VAGUE = {"something", "anything", "whatever", "what", "how", "why", "who", "when", "where", "it", "that",
          "this", "me", "us", "you", "yourself", "yourselves", "myself", "ourselves", "stuff", "things",
          "u", "i", "i'm", "your", "yours", "picture", "pictures", "nothing", "everything"}
"""Subjects that are no subject, or are the kiosk itself: the model answers those."""
_MORE = {"tell", "say", "explain", "give", "sing", "write", "then", "but", "or"}
"""Words that mean the line asks for more than a drawing ("and" joins parts of one subject: "a penguin in a
scarf and bobble hat"; "draw a cat and tell me a story" has "tell")."""
_SWAP = {"my": "your", "our": "your", "mine": "yours"}
_DETERMINERS = {"a", "an", "the", "your", "his", "her", "their", "its", "this", "that", "these", "those",
                "some", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "many",
                "lots", "every", "each", "one"}
_PLURAL_DETERMINERS = {"these", "those", "some", "two", "three", "four", "five", "six", "seven", "eight",
                       "nine", "ten", "many", "lots"}
_ME_AS = {"as", "with", "in", "on", "at", "by", "wearing", "holding", "riding", "flying", "playing", "dressed"}
"""After "draw me": the visitor is the subject ("draw me with a jetpack" -> "Here you are with a jetpack!"), as
before any -ing word ("draw me sitting by a train window")."""
_TRAILING = {"please", "pls", "plz", "lol", "haha", "lmao", "x", "xx"}
"""Words after a subject that are not part of it ("a surfer on it please", "a shark in it lol")."""
_LINKS = {"in", "on", "at", "with", "under", "over", "near", "by", "from", "of", "into", "onto", "behind",
          "through", "across", "inside", "around", "wearing", "and"}
_LIST = re.compile(r"\s*,\s*(?:a|an|the|some|two|three|and)\b", re.IGNORECASE)
"""After "draw a cat": ", a dog and a horse" is more subjects, not context: the model answers."""
_NEXT = ("What should I draw next?", "What else shall I draw?", "Tell me what to draw next!")


def answer(text: str, context: Context) -> str | None:
    match = _REQUEST.fullmatch(text)
    if match is None:
        return None
    said = match["thing"].split()
    while said and said[-1].lower() in _TRAILING:
        said.pop()
    lower = [w.lower() for w in said]
    if not said or lower[0] == "and" or lower[-1] in _LINKS | {"like", "that", "which", "who"}:
        return None                                   # "draw me and my husband", "... like its a nest"
    if len(said) > MOST_WORDS or set(lower) & (_MORE | {"you", "your", "yourself"}) or _LIST.match(
            match["rest"] or ""):
        return None                                   # too long, more than a drawing, or a list
    if match["me"] and (lower[0] in _ME_AS or lower[0].endswith("ing")):     # "draw me as a pirate": the visitor
        said = ["you", *said]
    elif lower[0] in _VAGUE:
        return None
    thing, plural = _with_article(_swapped(said))
    whom = _FOR.match(match["rest"] or "")
    if whom and len(whom["whom"].split()) <= 4:
        thing += " for " + " ".join(_swapped(whom["whom"].split()))
    here = "Here you are" if thing.startswith("you ") else "Here are" if plural else "Here's"
    return f"{here} {thing.removeprefix('you ')}! {context.rng.choice(_NEXT)}"


def _swapped(words: list[str]) -> list[str]:
    """The visitor's words as the kiosk says them back: "my house" -> "your house"."""
    return [_SWAP.get(w.lower(), w) for w in words]


def _with_article(words: list[str]) -> tuple[str, bool]:
    """("a dragon" | "cats in a tree" | "two elephants" | "you as a pirate", plural?)."""
    first, thing = words[0].lower(), " ".join(words)
    if first == "you":
        return thing, False
    if first in _DETERMINERS or first.isdigit():
        return thing, first in _PLURAL_DETERMINERS or (first.isdigit() and first != "1")
    if _plural(_head(words)):                         # "cats", "autumn trees in a park"
        return thing, True
    return ("an " if first[0] in "aeiou" else "a ") + thing, False


def _head(words: list[str]) -> str:
    """The noun a subject is about: the word before its first preposition or -ing word ("trees" of
    "autumn trees in a park"), else its last word."""
    for i, word in enumerate(words[1:], 1):
        if word.lower() in _LINKS or word.lower().endswith("ing"):
            return words[i - 1]
    return words[-1]


def _plural(word: str) -> bool:
    word = word.lower()
    return word.endswith("s") and not word.endswith(("ss", "us", "is"))
