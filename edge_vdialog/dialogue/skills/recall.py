"""The ``recall`` skill: a line close in meaning to one the kiosk has a written answer for gets that
answer (:class:`~edge_vdialog.dialogue.answers.AnswerBank`: the owner's ``[dialogue.answers]``, then
the bundle's ``answers``), e.g. "whats better, cats or dogs? be honest" -> the reply written for
"honestly cats are better than dogs".

Right after the kiosk asked a question, only a line that is itself a question or a request ("what
are you?", "tell me a joke") is recalled: any other line is probably the answer ("yes", "the red
one", "just waiting for my train"), which only the model reads in context.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from edge_vdialog.dialogue.skills.phrases import ASKING

if TYPE_CHECKING:
    from edge_vdialog.dialogue.skills import Context

_ASKS = re.compile(r".*\?\W*$|(?:" + ASKING + r"|whos|wheres|hows|tell|draw|show|give|sing|say|make|teach)\b",
                   re.IGNORECASE | re.DOTALL)


def answer(text: str, context: Context) -> str | None:
    if context.answers is None or (context.follows_question and not _ASKS.match(text)):
        return None
    return context.answers.match(text, context.rng, context.pictures)
