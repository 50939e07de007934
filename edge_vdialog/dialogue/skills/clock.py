"""The ``clock`` skill: the time, day, date, month or year, from the kiosk's own clock (local time).

Only a line that is nothing but such a question ("excuse me, what's the time please?"); "what time do
you close?" goes to the model.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from edge_vdialog.dialogue.skills.phrases import END, IS, POLITE

if TYPE_CHECKING:
    from edge_vdialog.dialogue.skills import Context

_QUESTIONS = {
    "time": rf"what{IS}? the time|what time is it|do you (?:have|know) the time|(?:can|could) you tell me the time|"
            r"time",
    "day": rf"what{IS}? (?:the )?day(?: of the week)?(?: is it| it is)?(?: today)?|what day is today|"
           r"which day is (?:it|today)",
    "date": rf"what{IS}? (?:the |today'?s |todays )?date(?: today)?|what date is it|what{IS} today",
    "month": rf"what{IS}? (?:the )?month(?: is it)?|(?:what|which) month is it",
    "year": rf"what{IS}? (?:the )?year(?: is it)?|(?:what|which) year is it",
}
_PATTERNS = {kind: re.compile(f"{POLITE}(?:{q}){END}", re.IGNORECASE) for kind, q in _QUESTIONS.items()}


def answer(text: str, context: Context) -> str | None:
    now = context.now
    for kind, pattern in _PATTERNS.items():
        if pattern.fullmatch(text):
            hour = now.hour % 12 or 12
            return {
                "time": f"It's {hour}:{now.minute:02d} {'am' if now.hour < 12 else 'pm'}.",
                "day": f"Today is {now:%A}.",
                "date": f"Today is {now:%A}, {now.day} {now:%B %Y}.",
                "month": f"It's {now:%B}.",
                "year": f"It's {now.year}.",
            }[kind]
    return None
