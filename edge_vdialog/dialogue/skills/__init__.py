"""Skills: visitor lines the kiosk answers exactly instead of asking the language model.

A 135M-parameter model gets sums wrong ("12 times 7 is 90"), cannot know the time or the building,
answers "can you draw me a dragon?" with "I can't draw dragons", and meets a keyboard mash or a lone
"?" with a ramble. Such lines are recognised here, on the kiosk, the same for every bundle and
backend, and answered at once; every other line goes to the model. One skill per module, each an
``answer(text, context) -> str | None`` (None: not mine), tried in the order of ``[dialogue] skills``:

* ``urgent`` (:mod:`.urgent`): someone needs help now (lost in the building, taken ill): a member of staff or
  the emergency services, at once.
* ``sympathy`` (:mod:`.sympathy`): hard news with nothing asked (a death, a grave illness, a break-up, a
  lost job): a few kind words (the model meets it with cheer or nonsense).
* ``arithmetic`` (:mod:`.arithmetic`): a sum in digits or number words.
* ``clock`` (:mod:`.clock`): the time, day, date, month or year, from the kiosk's clock.
* ``draw`` (:mod:`.draw`): "draw me X" -> "Here's X!" (the picture path draws the words; only where
  pictures are drawn, see :data:`NEEDS_PICTURES`).
* ``places`` (:mod:`.places`): where something is (or where to do something), from
  ``[dialogue.places]``, else an honest "I don't have a map of this place".
* ``privacy`` (:mod:`.privacy`): the camera, the microphone and what is kept, answered with what is
  true of this kiosk (:class:`Device`).
* ``unreadable`` (:mod:`.unreadable`): no letter or digit, or a keyboard mash.
* ``jokes`` (:mod:`.jokes`): a joke asked for, from the jokes written in the answer bank, about the
  topic asked when one is written for it.
* ``venue`` (:mod:`.venue`): this place's times, prices, wifi and rules: the owner's answer about the
  same thing, else a written one, else an honest "I don't know, a member of staff will".
* ``recall`` (:mod:`.recall`): a line close in meaning to one with a written answer (the owner's
  ``[dialogue.answers]``, then the bundle's; :mod:`edge_vdialog.dialogue.answers`).
* ``persona`` (:mod:`.persona`): what the kiosk is, who put it here, what it is for, and jibes at it.
* ``staff`` (:mod:`.staff`): a question only the staff here can answer, in words ``venue`` and ``places``
  do not know, recognised by the bundle's learnt classifier: the owner's answer, else "a member of staff
  will know".
* ``facts`` (:mod:`.facts`): a general-knowledge question (a fact, a meaning, how to do something),
  recognised by the bundle's learnt classifier: an honest "I'd only be guessing", and where to ask.
* ``closers`` (:mod:`.closers`): thanks, praise for a picture and goodbyes, with nothing else in the line.
* ``news`` (:mod:`.news`): everyday news of the visitor's own life with nothing asked, recognised by the bundle's
  learnt classifiers: a congratulation of its kind for good news, a rueful word (and a tip) for a mishap.
* ``remarks`` (:mod:`.remarks`): a remark about the weather, the crowd, the wait or tired feet: a friendly word.

The exchange joins the conversation's history like a model's reply (``Dialogue.remember``), so the
model sees it on the next turn.
"""

from __future__ import annotations

import importlib
import random
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from edge_vdialog.dialogue.skills.phrases import ASKS
from edge_vdialog.dialogue.tokenizer import clean_text

if TYPE_CHECKING:
    from edge_vdialog.dialogue.answers import AnswerBank
    from edge_vdialog.dialogue.sampling import Sampling
    from edge_vdialog.interfaces import Dialogue

SKILLS = ("urgent", "sympathy", "arithmetic", "clock", "draw", "places", "privacy", "unreadable", "jokes", "venue",
          "recall", "persona", "staff", "facts", "closers", "news", "remarks")
"""Every skill (a module of this package), in the default order."""
NEEDS_PICTURES = frozenset({"draw"})
"""Skills whose answer promises a picture: left out where none is drawn."""
WRITTEN = frozenset({"facts", "jokes", "news", "recall", "remarks", "staff", "venue"})
"""Skills that answer from the answer bank or the owner's answers in it (``SkilledDialogue(answers=...)``):
it is loaded for them (and its learnt classifiers with it)."""
MAX_LINE_CHARS = 160
"""Longer lines always go to the model: no skill question is that long."""
IN_PARTS = ("venue", "places")
"""Skills also tried on each part of a line ("left my scarf on the 17:30, where's lost property", "Does the
pool have a hoist? My husband uses a wheelchair."): what only the staff know is not the model's to
invent, whatever the visitor says around it."""
LEARNT = frozenset({"staff", "facts", "news"})
"""Skills that recognise a line by a learnt classifier rather than a pattern: the parts pass comes first."""
_PARTS = re.compile(r"((?<=[.?!])\s+|\s*[,;:]\s+(?!\d)|\s+or\s+|"
                    r"\s+(?:-|–|but|and|so)\s+(?=(?:is|are|do|does|can|could|will|"
                    r"what|whats|where|wheres|how|which|when)\b))", re.IGNORECASE)
"""Where a line divides into sentences and clauses; the separators are kept by ``split`` (an "or" joins two
halves of one question)."""
_NEWS = re.compile(r"\b(?:died|dead|passed away|funeral|cancer|hospital|diagnosed|divorce|redundant|fired|sacked|"
                   r"pregnant|engaged|married|wedding|birthday|anniversary|graduated|retired|promoted)\b",
                   re.IGNORECASE)
"""News that a reply about the staff alone would pass over: the model answers the whole line."""


@dataclass(frozen=True)
class Device:
    """What the kiosk has and keeps (from its settings), for questions about it."""

    camera: bool = True
    """A camera is configured (``[camera] uri`` is not none): the visitor is on the screen."""
    microphone: bool = True
    """A microphone is configured: the kiosk hears speech."""
    keeps_words: bool = False
    """Visitors' words go to the log (``[logging] visitor_words``)."""


@dataclass(frozen=True)
class Context:
    """What a skill may know besides the line."""

    now: datetime
    """The kiosk's local time."""
    rng: random.Random
    """For a choice among phrasings (seeded from ``Sampling.seed``)."""
    places: Mapping[str, str] = field(default_factory=dict)
    """``[dialogue.places]``: a word a visitor may ask for -> where it is."""
    answers: AnswerBank | None = None
    """Written answers by meaning (the ``recall`` skill); None: none loaded."""
    pictures: bool = True
    """Whether a picture is drawn for the line."""
    follows_question: bool = False
    """The kiosk's last reply asked the visitor something."""
    device: Device = Device()
    """What the kiosk has and keeps."""

    def learnt(self, question: str, text: str) -> bool:
        """The bundle's line classifier ``question`` (a component name: ``staff_lines``, ``fact_lines``)
        says yes to ``text``; False without the answer bank or that classifier."""
        classifier = self.answers.classifiers.get(question) if self.answers is not None else None
        return classifier is not None and classifier.says(text)


def skill(name: str) -> Callable[[str, Context], str | None]:
    """The ``answer`` function of skill ``name`` (one of :data:`SKILLS`)."""
    if name not in SKILLS:
        raise ValueError(f"unknown skill {name!r}; known: {', '.join(SKILLS)}")
    return importlib.import_module(f"{__name__}.{name}").answer


def skill_answer(text: str, skills: Sequence[str], context: Context) -> str | None:
    """The answer of the first of ``skills`` that recognises ``text`` (a line as
    :func:`~edge_vdialog.dialogue.tokenizer.clean_text` leaves it); else, if the line is in parts
    (sentences, clauses) and every part that asks something is one of :data:`IN_PARTS`'s, their
    answers (one per skill); None: ask the model. The parts are tried before the first of :data:`LEARNT`:
    a pattern's answer to each part beats a classifier's guess about the whole line ("is there anywhere
    to eat or is it just the bar" is a way to somewhere, not a time)."""
    if not text or len(text) > MAX_LINE_CHARS:       # empty: the dialogue's own error
        return None
    tries = [skill(name) for name in skills]
    learnt = next((i for i, name in enumerate(skills) if name in LEARNT), len(skills))
    tries.insert(learnt, lambda line, ctx: _in_parts(line, skills, ctx))
    return next((answer for attempt in tries for answer in [attempt(text, context)] if answer is not None), None)


def _in_parts(text: str, skills: Sequence[str], context: Context) -> str | None:
    """The answers of :data:`IN_PARTS`'s skills to the parts of ``text``, if they take every part that
    asks something (one answer per skill); None: they do not, or ``text`` is one part."""
    pieces = _PARTS.split(text)                      # part, separator, part, ...
    if len(pieces) == 1 or _NEWS.search(text):
        return None
    answers: dict[str, str] = {}                     # skill -> its answer to the first part it takes
    for i in range(0, len(pieces), 2):
        part, after_or = pieces[i], i > 0 and pieces[i - 1].strip().lower() == "or"
        by = next(((name, a) for name in skills if name in IN_PARTS
                   for a in [skill(name)(part, context)] if a is not None), None)
        if by is not None:
            answers.setdefault(*by)
        elif ASKS.match(part) and not (after_or and answers):
            return None                              # a question no staff skill takes (not just the other
                                                     # half of one it took: "... or is it too early"): the model's
    return " ".join(answers.values()) or None


class SkilledDialogue:
    """A :class:`~edge_vdialog.interfaces.Dialogue` that answers skill lines itself and passes every
    other line to ``inner``; anything else (``provider``, ``status``, ``reconnects``) is ``inner``'s.
    ``pictures``: whether a picture is drawn for each line (else :data:`NEEDS_PICTURES` are left out);
    ``answers``: the written answers of ``recall`` and ``jokes`` (without them they answer nothing); ``device``:
    what the kiosk has and keeps (the ``privacy`` skill's facts)."""

    def __init__(self, inner: Dialogue, skills: Sequence[str] = SKILLS, places: Mapping[str, str] | None = None,
                 clock: Callable[[], datetime] = datetime.now, pictures: bool = True,
                 answers: AnswerBank | None = None, device: Device = Device()) -> None:
        for name in skills:
            skill(name)                                  # an unknown name fails here, not mid-turn
        self.skills = tuple(s for s in skills if pictures or s not in NEEDS_PICTURES)
        self.inner, self.places, self.clock = inner, dict(places or {}), clock
        self.pictures, self.answers, self.device = pictures, answers, device
        self._asked = False                              # the last reply ended with a question
        if answers is not None and "jokes" in self.skills:
            from edge_vdialog.dialogue.skills.jokes import index
            index(answers, pictures)                     # ~80 ms now, not at the first joke asked for

    def __getattr__(self, name: str):
        if name == "inner":                              # not set yet: no recursion
            raise AttributeError(name)
        return getattr(self.inner, name)

    def send(self, text: str, sampling: Sampling, cancel: threading.Event | None = None) -> Iterator[str]:
        line = clean_text(text)
        context = Context(self.clock(), random.Random(sampling.seed), self.places, self.answers, self.pictures,
                          self._asked, self.device)
        answer = skill_answer(line, self.skills, context)
        if answer is None:
            reply = []
            try:
                for piece in self.inner.send(text, sampling, cancel):
                    reply.append(piece)
                    yield piece
            finally:                                     # also when the visitor cut the reply short
                self._asked = "".join(reply).rstrip().endswith("?")
            return
        yield answer
        self.inner.remember(line, answer)
        self._asked = answer.rstrip().endswith("?")

    def reset(self) -> None:
        self._asked = False
        self.inner.reset()
