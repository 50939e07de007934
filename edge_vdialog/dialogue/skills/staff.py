"""The ``staff`` skill: a question only the people who run this place can answer, in words the
``venue`` and ``places`` patterns do not know ("which aisle is the grout in", "do you cut wood to size
here and is it free", "is there someone who could help me load these slabs"), recognised by the
bundle's learnt classifier ``staff_lines`` (:mod:`edge_vdialog.dialogue.line_classifier`) and answered as ``venue``
answers: the owner's answer about the same thing, else an honest "a member of staff will know" of the
kind the line's words say (:func:`kind_of`). A line is taken when it asks something, is not about the kiosk
itself, and the classifier gives it at least its threshold.

It comes after ``recall`` in the default order: a written answer to a line that close in meaning
fits better than a generic one.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from edge_vdialog.dialogue.skills import places, venue
from edge_vdialog.dialogue.skills.phrases import ABOUT_KIOSK, ASKS_IN

if TYPE_CHECKING:
    from edge_vdialog.dialogue.skills import Context

_WAY = re.compile(r"\b(?:where|wheres|(?:which|what) (?:aisle|shelf|floor|level|way|door|entrance|exit|gate|stand|"
                  r"side|room|counter|desk|window|queue|bit|part|section|building)|"
                  r"how do (?:i|we) get (?:to|up|down|in|out))\b", re.IGNORECASE)
"""Words of a question about the way to something."""
_WHEN = re.compile(r"\b(?:what time|when|how late|how early|(?:till|until) what time|running late|late|delayed|"
                   r"on time|open|opens|close|closes|closing|opening|last (?:collection|entry|orders?|admission))\b",
                   re.IGNORECASE)
"""Words of a question about when something here happens."""
_MAY = re.compile(r"\b(?:allowed|policy|policies|rules?|(?:can|could|may) (?:i|we) (?:bring|take|eat|drink|smoke|sit|"
                  r"leave|park|wear|film|record|photograph|touch|go in|come in)|"
                  r"(?:do|would|will) (?:i|we) (?:need|have) to)\b", re.IGNORECASE)
"""Words of a question about what a visitor may or must do here."""
_FREE_OF = re.compile(r"\b(?:gluten|sugar|dairy|nut|peanut|lactose|alcohol|caffeine|fat|wheat|meat|egg|smoke|step)"
                      r"[- ]free\b", re.IGNORECASE)
"""A "free" that says what something is without ("gluten free stuff", "step-free access"), not its price."""


def answer(text: str, context: Context) -> str | None:
    if not ASKS_IN.search(text) or ABOUT_KIOSK.search(text) or not context.learnt("staff_lines", text):
        return None
    known = context.answers.owner_answer(text, lambda question: venue.names_the_same(question, text))
    if known is not None:
        return known
    kind = kind_of(text)
    return context.rng.choice(places.NO_MAP if kind == "way" else venue.REPLIES[kind])


def kind_of(text: str) -> str:
    """What a staff question asks about, by its words: "way" (the way to something), else one of
    :data:`~.venue.REPLIES` ("wifi", "prices", "times", "rules", else "services": what the place has or does)."""
    text = _FREE_OF.sub(" ", text)
    for kind, words in (("way", _WAY), ("wifi", venue.WIFI_WORD), ("prices", venue.PRICE_WORD), ("times", _WHEN),
                        ("rules", _MAY)):
        if words.search(text):
            return kind
    return "services"
