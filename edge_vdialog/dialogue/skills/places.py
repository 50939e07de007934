"""The ``places`` skill: where something is ("where is the nearest toilet?", "is there a pharmacy
around here?"), from the owner's ``[dialogue.places]`` table, else an honest "I don't have a map".

A small model invents directions ("the dinosaur section is right on the left"); a kiosk must not.
A line is a place question when it is nothing but "where is / which way to / how do I get to /
is there ... near here" about one of :data:`PLACES` (or "the nearest" anything). The owner's table
maps a word to an answer: ``toilet = "The toilets are past the lifts, on your left."`` answers every
question naming "toilet" or "toilets"; a question naming no word of the table gets the honest reply.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from edge_vdialog.dialogue.skills.phrases import END, POLITE, TELL_ME

if TYPE_CHECKING:
    from edge_vdialog.dialogue.skills import Context

PLACES = {
    "toilet", "restroom", "bathroom", "loo", "wc", "ladies", "gents", "baby changing", "lift", "elevator",
    "stairs", "escalator", "exit", "way out", "entrance", "reception", "information desk", "info desk",
    "help desk", "cafe", "café", "coffee", "canteen", "restaurant", "food court", "shop", "store",
    "supermarket", "pharmacy", "chemist", "atm", "cash machine", "cashpoint", "bank", "parking", "car park",
    "bus stop", "station", "taxi", "platform", "gate", "ticket", "cloakroom", "locker", "lost property",
    "first aid", "water fountain", "charging", "charger", "exhibit", "exhibition", "gallery",
    "museum", "meeting room", "fitting room", "checkout", "till", "hospital", "police", "post office",
    "hotel", "library", "bar", "pub",
}
"""Things a visitor asks the way to (singular; a trailing s is allowed)."""
ROOMS = {"room", "hall", "lounge", "court", "studio", "centre", "theatre", "cinema", "screen", "garden",
         "playground", "park", "pool", "gym", "sauna", "spa", "tunnel", "zone", "area", "section", "wing",
         "floor", "level", "terminal", "office", "counter", "kiosk desk", "play area", "food hall"}
"""More parts of a building that "is the ... upstairs?" may ask about."""
_QUESTION = re.compile(
    POLITE + rf"(?:(?:{TELL_ME}) )?"
    r"(?P<ask>where(?:'s|’s|s| is| are| can i find| do i find| can i get| do i go for)|which way (?:is|are|to)|"
    r"how do i get to|how can i get to|directions to|is there|are there)"
    r" (?:(?:a|an|any|the|some) )?(?P<thing>[\w' -]+?)"
    r"(?P<here> (?:near(?:by| here)?|around(?: here)?|close by|in here|here|in this building|on this floor))?"
    + END, re.IGNORECASE)
_WHERE_TO = re.compile(
    POLITE + rf"(?:(?:{TELL_ME}) )?"
    r"(?:where (?:do|can|should|shall|would) (?:i|we) (?!find\b|go for\b)\w+|"
    r"which (?:platform|gate|floor|level|room|stop|bus stop|entrance|exit|door|desk|counter|queue|line|way)"
    r"(?: (?:is|for|to|do|does|should|shall|'s|s)\b)?)\b(?P<rest>[\w' -]*?)" + END, re.IGNORECASE)
"""Where to do something ("where do i return books", "which platform for manchester"): no thing to look
up, so only the honest reply."""
_WHICH_SIDE = re.compile(
    POLITE + rf"(?:(?:{TELL_ME}) )?(?:is|are) (?:the )?(?P<thing>[\w' -]+?) (?:upstairs|downstairs|inside|outside|"
    r"this way|that way|down here|up here|on (?:this|that|the \w+|the same) (?:floor|level|side)|on level \w+|"
    r"far(?: from here)?|nearby|near here|close by|round the corner)\b[\w' -]*?" + END, re.IGNORECASE)
"""Which way or floor a named place is ("is the cafe upstairs or down by the fountain")."""
_ANYWHERE = re.compile(
    POLITE + rf"(?:(?:{TELL_ME}) )?(?:is|are) there (?:anywhere|somewhere|a place|any place|anyplace)"
    r"(?: (?:round|around|near|in) here| nearby)? (?:to|i can|we can|i could|we could|for)\b[\w' -]*?" + END,
    re.IGNORECASE)
"""Somewhere to do something here ("is there anywhere to leave luggage for a few hours")."""
_WHERE_ON = re.compile(
    POLITE + rf"(?:(?:{TELL_ME}) )?where(?:'s|’s|s| is| are) (?:the )?(?:[\w'-]+ ){{0,5}}"
    r"(?:happening|being held|on|taking place)\b(?: today| tonight| now)?" + END + "|"
    + POLITE + r"where(?:'s|’s|s| is) (?:the )?best (?:spot|place|seat|view|place to stand) (?:to|for) "
    r"(?:watch|see|sit|view|stand)\b[\w' -]*?" + END, re.IGNORECASE)
"""Where an event is, or the best spot here to watch it ("where is the psychology talk happening")."""
MOST_WORDS = 6
_NOT_A_PLACE = {"you", "your", "my", "me", "i", "and", "or", "but", "how", "what", "why", "when", "who",
                "does", "do", "did"}
"""Words that make a line more (or other) than the way to a place: the model answers it."""
_NOT_A_WAY = _NOT_A_PLACE - {"i", "my", "me", "do", "does", "did"}
"""The same for "where do I ..." / "which gate do I ...", which name the visitor."""
NO_MAP = (("I don't have a map of this place, I'm afraid. The signs nearby or a member of staff can "
            "point you the right way!"),
           "I can't see a map from here, sorry! A member of staff or the information desk will know the way.")


def answer(text: str, context: Context) -> str | None:
    side = _WHICH_SIDE.fullmatch(text)
    if side and len(side["thing"].split()) <= 3:
        thing = side["thing"].lower()
        owners = _owners(thing, context)
        if owners or any(_names(thing, p) for p in PLACES | ROOMS):
            return owners or context.rng.choice(NO_MAP)
    if ((_ANYWHERE.fullmatch(text) or _WHERE_ON.fullmatch(text)) and len(text.split()) <= 14
            and not set(text.lower().split()) & _NOT_A_WAY):
        return context.rng.choice(NO_MAP)
    match = _QUESTION.fullmatch(text)
    if match is None:
        where_to = _WHERE_TO.fullmatch(text)
        if where_to and len(where_to["rest"].split()) <= MOST_WORDS and not set(
                where_to["rest"].lower().split()) & _NOT_A_WAY:
            return context.rng.choice(NO_MAP)
        return None
    thing = match["thing"].lower()
    if len(thing.split()) > MOST_WORDS or set(thing.split()) & _NOT_A_PLACE:
        return None                                   # "where are you from?", "where is X and how much ..."
    owners = _owners(thing, context)
    if owners is not None:
        return owners
    asks_there = match["ask"].lower() in ("is there", "are there")
    if any(_names(thing, p) for p in PLACES) or thing.startswith("nearest ") or (asks_there and match["here"]):
        return context.rng.choice(NO_MAP)
    return None


def _owners(thing: str, context: Context) -> str | None:
    """The owner's answer (``[dialogue.places]``) for a place that ``thing`` names; None: none."""
    return next((where for word, where in context.places.items() if _names(thing, word.lower())), None)


def _names(thing: str, word: str) -> bool:
    """``thing`` names ``word`` (or its plural) as whole words."""
    return re.search(rf"\b{re.escape(word)}(?:s|es)?\b", thing) is not None
