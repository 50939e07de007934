"""The ``recall`` skill: a line close in meaning to one the kiosk has a written answer for gets that
answer (:class:`~edge_vdialog.dialogue.answers.AnswerBank`: the owner's ``[dialogue.answers]``, then
the bundle's ``answers``), e.g. "whats better, cats or dogs? be honest" -> the reply written for
"honestly cats are better than dogs". Not after the kiosk asked a question: the visitor is then
answering it ("yes", "the red one"), which only the model reads in context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from edge_vdialog.dialogue.skills import Context


def answer(text: str, context: Context) -> str | None:
    if context.answers is None or context.follows_question:
        return None
    return context.answers.match(text, context.rng, context.pictures)
