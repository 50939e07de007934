"""The ``urgent`` skill: someone needs help now (a person lost in the building, someone taken ill, an
emergency): the kiosk says, at once and plainly, to get a member of staff or the emergency services.

A small model answers "lost my mum near the escalators, she's got a green coat on, have u seen her" with
"I'm so glad they're safe!" and "i think im having a heart attack" with advice about rest. A kiosk cannot
help with either itself; it must not waste the visitor's time. First in the default order: nothing else
may answer such a line.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from edge_vdialog.dialogue.skills import Context

_WHO = (r"(?:little |\d+ ?(?:yr|year)s? old )?(?:mum|mom|mother|dad|father|son|daughter|child|kid|kids|boy|girl|"
        r"baby|brother|sister|nan|nana|gran|granny|grandma|grandad|grandpa|grandson|granddaughter|wife|husband|"
        r"friend|friends|partner|group|class|children)")
_LOST = re.compile(
    rf"\b(?:(?:can't|cant|cannot|can not) find (?:my|our) {_WHO}|(?:lost|losing) (?:my|our) {_WHO} (?:near|by|"
    rf"somewhere|around|in (?:the|here)|at the|outside|inside)|(?:have|has) (?:you|u|anyone) seen (?:a|my|our) "
    rf"{_WHO})\b", re.IGNORECASE)
_DEATH = re.compile(r"\b(?:died|dead|passed|cancer|war|ago|last (?:year|month|week)|funeral|covid)\b", re.IGNORECASE)
"""Words that make "lost my dad" a death, not a person lost in the building."""
_EMERGENCY = re.compile(
    r"\b(?:(?:i think )?(?:i'?m|im|i am|(?:he|she)(?:'s| is)|my \w+(?:'s| is)) having (?:a )?(?:heart attack|stroke|"
    r"seizure|fit|asthma attack|allergic reaction)|(?:i|he|she|they|my \w+) (?:can'?t|cannot|can not) breathe|"
    r"chest pains?|call (?:an |the )?ambulance|(?:someone|somebody|a (?:man|woman|lady|kid|child|boy|girl)|"
    r"(?:he|she|my \w+))(?:'s| is| has| just)? (?:collapsed|fainted|passed out|unconscious|not breathing)|"
    r"bleeding (?:badly|a lot|heavily)|there'?s a fire|(?:fire|smoke) alarm (?:is )?going off)\b", re.IGNORECASE)
_NOT_NOW = re.compile(r"\b(?:lol|lmao|haha\w*|last (?:year|month|week)|years? ago|yesterday|once|used to|film|movie|"
                      r"show|book|game|practice|drill|test)\b|😂|🤣", re.IGNORECASE)
"""A story, a joke or a drill, not an emergency now."""

REPLIES = {
    "lost": ("Please tell a member of staff straight away: they can help find them. Stay somewhere easy to spot.",),
    "emergency": ("Please get help now: tell a member of staff straight away, or call the emergency services.",),
}


def answer(text: str, context: Context) -> str | None:
    kind = kind_of(text)
    return None if kind is None else context.rng.choice(REPLIES[kind])


def kind_of(text: str) -> str | None:
    """Which of :data:`REPLIES` ``text`` calls for; None: nothing urgent."""
    if _EMERGENCY.search(text) and not _NOT_NOW.search(text):
        return "emergency"
    if _LOST.search(text) and not _DEATH.search(text):
        return "lost"
    return None
