"""Written answers recalled by meaning: the ``answers`` component of a bundle, plus the owner's own.

A bundle's ``answers`` component (kind ``answer-bank``, built by ``python -m export answer-bank``) is
a JSONL file of ``[visitor line, kiosk reply]`` pairs, written for the kiosk persona and checked (see
export/dialogue/answer_bank.py). Its visitor lines are embedded once, at load, with the same bundle's
``text_encoder`` (~0.35 s for 7,500 lines on one core); a visitor's line is then one embedding
(~0.1 ms) and one matrix-vector product (~0.7 ms) away from its nearest written line. A line whose
nearest neighbour is at least ``min_cosine`` close (component config) gets that neighbour's reply;
measured on 200 spent evaluation lines, 0.9 kept replies that fit and 0.85-0.9 let in ones that miss a
detail ("my goldfish is 11" -> "Ten years, wow!"), docs/dialogue_models.md.

The encoder pools its word vectors, so it hardly sees word order or a "not": "you're not funny" is
0.97 from "you're funny", "i'm happy" 0.96 from "are you happy", "my exam went well" 0.92 from "my exam
went terribly". So the two lines must also have the same :func:`signature`: the same numbers, both
negated or neither, both about "you" (the kiosk) or neither, the same words of :data:`POLARITY`, and
both in capitals or neither. Where no
picture is drawn, an exchange that talks of drawing is never chosen. The owner's answers
(``[dialogue.answers]``: a question -> its answer) are tried before the bundle's and win over them.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edge_vdialog.bundle import Bundle, default_bundle_dir
from edge_vdialog.dialogue.line_classifier import KIND as CLASSIFIER
from edge_vdialog.dialogue.line_classifier import LineClassifier
from edge_vdialog.dialogue.skills.phrases import LETTER, word_set
from edge_vdialog.engines import EngineOptions
from edge_vdialog.errors import BundleError
from edge_vdialog.imagegen.text_encoder import TextEncoder

KIND = "answer-bank"
DEFAULT_MIN_COSINE = 0.9
TIE = 0.005
"""Written lines within this cosine of the nearest one are equally good (the same line written more
than once): one is picked at random, so a visitor who says "hello" twice may get other words."""


_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_NEGATION = word_set("not no never nothing nobody none nor cannot cant dont didnt doesnt isnt wasnt werent arent "
                   "couldnt wont wouldnt shouldnt aint havent hasnt hadnt")
_SECOND = word_set("you you're youre you've your yours yourself u ur")
POLARITY = word_set(
    "good bad well badly great terrible terribly awful amazing horrible brilliant rubbish best worst better worse "
    "love loved hate hated like liked dislike enjoy enjoyed happy sad glad angry excited bored boring fun funny "
    "nice mean kind rude easy hard hot cold warm early late open opened close closed opening closing start "
    "started end ended finish finished pass passed fail failed win won lose lost first last new old before "
    "after yes big small more less right wrong full empty cheap expensive fast slow")
"""Words that turn a line into its opposite when swapped for another of them (the encoder scores
"my exam went well" 0.92 from "my exam went terribly"): two lines must use the same ones."""
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*|\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                     r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
                     r"sixty|seventy|eighty|ninety|hundred|thousand|million|half|dozen)\b", re.IGNORECASE)
_DRAWING = re.compile(r"\b(?:draw|draws|drawing|drew|drawn|sketch\w*|picture|pictures)\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Rows:
    lines: list[str]
    replies: list[str]
    vectors: np.ndarray
    """(N, dim) float32 unit vectors of ``lines``."""
    signatures: list[tuple]
    drawing: np.ndarray
    """(N,) bool: the line or its reply talks of drawing."""


class AnswerBank:
    """Written replies for visitor lines close in meaning to one already answered."""

    def __init__(self, encoder: TextEncoder, pairs: list[tuple[str, str]],
                 owner: Mapping[str, str] | None = None, min_cosine: float = DEFAULT_MIN_COSINE,
                 classifiers: Mapping[str, LineClassifier] | None = None) -> None:
        self.encoder, self.min_cosine = encoder, min_cosine
        self.classifiers = dict(classifiers or {})
        """The bundle's learnt questions about a line, by component name (``staff_lines``, ``fact_lines``;
        :mod:`edge_vdialog.dialogue.line_classifier`), over the same encoder."""
        self.owner = self._rows(list((owner or {}).items()))
        self._written = self._rows(pairs)

    @classmethod
    def load(cls, bundle: Bundle, owner: Mapping[str, str] | None = None,
             options: EngineOptions | None = None) -> AnswerBank:
        """The bundle's ``answers`` (verified), embedded with its ``text_encoder`` (default: one thread), and
        its line classifiers (every component of kind ``line-classifier``)."""
        if not bundle.has("answers"):
            raise BundleError(f"bundle {bundle.root} has no 'answers' component (the recall skill's written answers)",
                              "build them with python -m export answer-bank --bundle DIR, or leave recall "
                              "out of [dialogue] skills")
        comp = bundle.component("answers")
        if comp.kind != KIND:
            raise BundleError(f"bundle {bundle.root}: component 'answers' is of kind '{comp.kind}', not {KIND}",
                              "rebuild it: python -m export answer-bank --bundle DIR")
        path = comp.path("answers")
        try:
            pairs = [tuple(json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line]
            if not all(len(p) == 2 and all(isinstance(t, str) and t.strip() for t in p) for p in pairs):
                raise ValueError("each line must be [visitor line, reply]")
            min_cosine = float(comp.config.get("min_cosine", DEFAULT_MIN_COSINE))
        except (ValueError, TypeError) as e:                 # json.JSONDecodeError is a ValueError
            raise BundleError(f"{path} is not an answer bank: {str(e)[:200]}",
                              "rebuild it: python -m export answer-bank --bundle DIR") from None
        if not 0.5 <= min_cosine <= 1.0:
            raise BundleError(f"{path}: min_cosine {min_cosine} is outside 0.5-1", "rebuild the bundle")
        encoder = TextEncoder.load(bundle.component("text_encoder"), options or EngineOptions(threads=1))
        classifiers = {name: LineClassifier.load(bundle.component(name), encoder)
                       for name, c in bundle.components.items() if c.kind == CLASSIFIER}
        return cls(encoder, pairs, owner, min_cosine, classifiers)

    @classmethod
    def load_for(cls, imagegen: Path, owner: Mapping[str, str] | None = None) -> AnswerBank:
        """The kiosk's answers: those of the ``imagegen`` bundle (whose text encoder the picture path
        uses) if it has them, else the default bundle's (a picture bundle of its own needs none)."""
        bundle = Bundle.load(imagegen)
        return cls.load(bundle if bundle.has("answers") else Bundle.load(default_bundle_dir()), owner)

    def __len__(self) -> int:
        return len(self.owner.lines) + len(self._written.lines)

    def match(self, text: str, rng: random.Random, pictures: bool = True) -> str | None:
        """The reply written for the line nearest ``text`` in meaning, if near enough; else None.
        ``pictures``: whether a picture is drawn (else replies that talk of drawing are skipped)."""
        if not LETTER.search(text):                 # emoji and symbols all embed alike: no meaning to match
            return None
        vector = self.encoder.encode([text])[0]
        sign = signature(text)
        for rows in (self.owner, self._written):
            if not rows.lines:
                continue
            scores = rows.vectors @ vector                                 # (N,) cosines
            near = [i for i in np.flatnonzero(scores >= self.min_cosine).tolist()
                    if (pictures or not rows.drawing[i]) and rows.signatures[i] == sign]
            if not near:
                continue
            best = max(scores[i] for i in near)
            return rows.replies[rng.choice([i for i in near if scores[i] >= best - TIE])]
        return None

    def owner_answer(self, text: str, accept: Callable[[str], bool]) -> str | None:
        """The owner's answer to the question nearest ``text`` in meaning among those ``accept`` takes
        (no cosine floor: a skill's own test says they ask the same thing); None: none taken."""
        near = [i for i, question in enumerate(self.owner.lines) if accept(question)]
        if not near:
            return None
        vector = self.encoder.encode([text])[0]
        return self.owner.replies[max(near, key=lambda i: float(self.owner.vectors[i] @ vector))]

    def written(self, pictures: bool = True) -> list[tuple[str, str]]:
        """The bundle's ``[visitor line, reply]`` pairs (without those that talk of drawing unless
        ``pictures``), for skills that choose among them by other means (``jokes``)."""
        rows = self._written
        return [(line, reply) for line, reply, drawing in zip(rows.lines, rows.replies, rows.drawing)
                if pictures or not drawing]

    def _rows(self, pairs: list[tuple[str, str]]) -> _Rows:
        pairs = [(line, reply) for line, reply in pairs if LETTER.search(line)]
        lines = [line for line, _ in pairs]
        replies = [reply.strip() for _, reply in pairs]
        return _Rows(lines, replies, self.encoder.encode_all(lines), [signature(line) for line in lines],
                     np.array([bool(_DRAWING.search(f"{line} {reply}")) for line, reply in zip(lines, replies)], bool))


def signature(text: str) -> tuple:
    """What two lines close in meaning must share: (numbers, negated, says you, polarity words, in
    capitals: a reply written for "HELLO" says "Loud and clear!")."""
    original, text = text, text.lower().replace("’", "'")
    words = set(_WORD.findall(text))
    negated = bool(words & _NEGATION) or any(w.endswith("n't") for w in words)
    numbers = frozenset(n.replace(",", "") for n in _NUMBER.findall(text))
    shouting = sum(c.isupper() for c in original) > max(3, sum(c.islower() for c in original))
    return numbers, negated, bool(words & _SECOND), frozenset(words & POLARITY), shouting
