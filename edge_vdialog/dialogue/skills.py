"""Skills: visitor lines the kiosk answers exactly instead of asking the language model.

A 135M-parameter model gets sums wrong ("12 times 7 is 90"), cannot know the time, and answers a
keyboard mash or a lone "?" with a ramble. Those lines are recognised here, on the kiosk, the same
for every bundle and backend, and answered at once; every other line goes to the model.

* ``arithmetic``: a sum in digits or number words, alone or after "what is", "how much is",
  "calculate" ...: ``+ - * / x × ÷ ^``, plus, minus, times, multiplied by, divided by, over,
  squared, cubed, to the power of, percent (of), brackets. "what's 345 plus 278?" -> "345 plus 278
  is 623."
* ``clock``: the time, day, date, month or year, from the kiosk's own clock (local time).
* ``unreadable``: a line with no letter or digit ("?", "...", "👍") or whose every word is
  unpronounceable (a keyboard mash such as "asdfghjkl"): a friendly request to say it again.

The exchange joins the conversation's history like a model's reply (``Dialogue.remember``), so the
model sees it on the next turn.
"""

from __future__ import annotations

import math
import random
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from edge_vdialog.dialogue.tokenizer import clean_text

if TYPE_CHECKING:
    from edge_vdialog.dialogue.sampling import Sampling
    from edge_vdialog.interfaces import Dialogue

SKILLS = ("arithmetic", "clock", "unreadable")
"""Every skill, in the order they are tried."""
MAX_LINE_CHARS = 160
"""Longer lines always go to the model: no skill question is that long."""


class SkilledDialogue:
    """A :class:`~edge_vdialog.interfaces.Dialogue` that answers skill lines itself and passes every
    other line to ``inner``; anything else (``provider``, ``status``, ``reconnects``) is ``inner``'s."""

    def __init__(self, inner: Dialogue, skills: Sequence[str] = SKILLS,
                 clock: Callable[[], datetime] = datetime.now) -> None:
        unknown = sorted(set(skills) - set(SKILLS))
        if unknown:
            raise ValueError(f"unknown skills {unknown}; known: {', '.join(SKILLS)}")
        self.inner, self.skills, self.clock = inner, tuple(skills), clock

    def __getattr__(self, name: str):
        if name == "inner":                  # not set yet: no recursion
            raise AttributeError(name)
        return getattr(self.inner, name)

    def send(self, text: str, sampling: Sampling, cancel: threading.Event | None = None) -> Iterator[str]:
        answer = skill_answer(text, self.skills, self.clock(), random.Random(sampling.seed))
        if answer is None:
            yield from self.inner.send(text, sampling, cancel)
            return
        yield answer
        self.inner.remember(clean_text(text), answer)

    def reset(self) -> None:
        self.inner.reset()


def skill_answer(text: str, skills: Sequence[str], now: datetime, rng: random.Random) -> str | None:
    """The answer of the first of ``skills`` that recognises ``text``; None: ask the model."""
    text = clean_text(text)
    if not text or len(text) > MAX_LINE_CHARS:     # empty: the dialogue's own "empty message" error
        return None
    for name in skills:
        answer = _ANSWERS[name](text, now, rng)
        if answer is not None:
            return answer
    return None


# ---------------------------------------------------------------- arithmetic

_ASK = re.compile(r"^(?:(?:hey|hi|hello|um|ok|okay|so|quick question|excuse me|sorry|please|kiosk)[,:!]?\s+)*"
                  r"(?:(?:can|could) you (?:tell me |work out |calculate |compute )?|do you know |"
                  r"tell me |please )?(?:what(?:'s|’s|s| is| are| does)|how much is|how much are|"
                  r"calculate|compute|work out|solve)?\s*", re.IGNORECASE)
_TAIL = re.compile(r"\s*(?:please|pls|thanks|thank you|equals?|=|makes?)?\s*[?!.=]*\s*$", re.IGNORECASE)
_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
          "fifteen sixteen seventeen eighteen nineteen").split()
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i > 1}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}
_WORD_OPS = [("multiplied by", "*"), ("divided by", "/"), ("to the power of", "^"), ("percent of", "% *"),
             ("take away", "-"), ("plus", "+"), ("minus", "-"), ("times", "*"), ("over", "/"),
             ("squared", "^ 2"), ("cubed", "^ 3"), ("percent", "%"), ("x", "*"), ("×", "*"), ("÷", "/"),
             ("of", "*")]
_SAY = {"+": "plus", "-": "minus", "*": "times", "/": "divided by", "^": "to the power of"}
_TOKEN = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?|\.\d+|[a-z]+|[-+*/^%()]")
BIGGEST = 1e15
"""Results beyond this are not read out digit by digit."""


def _arithmetic(text: str, now: datetime, rng: random.Random) -> str | None:
    body = _TAIL.sub("", _ASK.sub("", text.lower(), count=1), count=1)
    body = re.sub(r"(?<=\d)\s*x\s*(?=\d)", " * ", body)            # 12x7
    for words, op in _WORD_OPS:
        body = re.sub(rf"(?<![a-z]){re.escape(words)}(?![a-z])", f" {op} ", body)
    tokens = _numbers(_TOKEN.findall(body))
    if tokens is None or "".join(_TOKEN.findall(body)) != re.sub(r"\s+", "", body):
        return None                      # something in the line is neither a number nor an operator
    if not any(t in "+-*/^%" for t in tokens if isinstance(t, str)) or not any(
            isinstance(t, float) for t in tokens):
        return None                      # a bare number or no number: not a sum
    try:
        parser = _Parser(tokens)
        value = parser.expression()
        if parser.pos != len(tokens):
            return None
    except _NotASum:
        return None
    except ZeroDivisionError:
        return "Dividing by zero has no answer, not even for me! Try another number."
    except OverflowError:
        return "That number is too big for my screen!"
    except ValueError:                   # math.pow(-8, 1 / 3)
        return "That one has no answer among the ordinary numbers, I'm afraid."
    said = _spoken(tokens)
    if not math.isfinite(value) or abs(value) > BIGGEST:
        return f"{said} is a very big number: about {value:.3g}." if math.isfinite(value) else \
            "That number is too big for my screen!"
    return f"{said[0].upper()}{said[1:]} is {_number(value)}."


def _numbers(tokens: list[str]) -> list[float | str] | None:
    """Tokens with digits and runs of number words turned into floats; None if a word is neither."""
    out: list[float | str] = []
    words: list[str] = []
    for t in tokens + ["<end>"]:
        if t in _UNITS or t in _TENS or t in _SCALES or (t == "and" and words) or (t == "a" and not words):
            words.append(t)
            continue
        if words:
            value = _number_words([w for w in words if w != "and"])
            if value is None:
                return None
            out.append(value)
            words = []
        if t == "<end>":
            break
        if t[0].isdigit() or t[0] == ".":
            value = float(t.replace(",", ""))
            if value > BIGGEST:
                return None              # a number that long is not a sum a visitor asks for
            out.append(value)
        elif t in "+-*/^%()":
            out.append(t)
        else:
            return None
    return out


def _number_words(words: list[str]) -> float | None:
    """"twenty one" -> 21, "three hundred and five" -> 305, "a hundred" -> 100; None if malformed."""
    total, current, last = 0, 0, ""
    for w in words:
        if w == "a":
            current = 1
        elif w in _SCALES:
            if not current and not total:
                return None
            if _SCALES[w] == 100:
                current *= 100
            else:
                total, current = total + current * _SCALES[w], 0
        elif w in _TENS:
            if current % 100:
                return None
            current += _TENS[w]
        else:
            if current % 10 or (current % 100 and last not in _TENS):
                return None
            current += _UNITS.index(w)
        last = w
    return float(total + current)


class _NotASum(Exception):
    pass


class _Parser:
    """expression := term (+|- term)*; term := power (*|/ power)*; power := unary (^ power)?;
    unary := - unary | atom %*; atom := number | ( expression )."""

    def __init__(self, tokens: list[float | str]) -> None:
        self.tokens, self.pos = tokens, 0

    def peek(self) -> float | str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> float | str:
        if self.pos >= len(self.tokens):
            raise _NotASum
        self.pos += 1
        return self.tokens[self.pos - 1]

    def expression(self) -> float:
        value = self.term()
        while self.peek() in ("+", "-"):
            value = value + self.term() if self.take() == "+" else value - self.term()
        return value

    def term(self) -> float:
        value = self.power()
        while self.peek() in ("*", "/"):
            value = value * self.power() if self.take() == "*" else value / self.power()
        return value

    def power(self) -> float:
        base = self.unary()
        if self.peek() != "^":
            return base
        self.take()
        exponent = self.power()
        if abs(exponent) > 1000:
            raise OverflowError
        return math.pow(base, exponent)

    def unary(self) -> float:
        if self.peek() == "-":
            self.take()
            return -self.unary()
        token = self.take()
        if token == "(":
            value = self.expression()
            if self.take() != ")":
                raise _NotASum
        elif isinstance(token, float):
            value = token
        else:
            raise _NotASum
        while self.peek() == "%":
            self.take()
            value /= 100
        return value


def _spoken(tokens: list[float | str]) -> str:
    """The sum as the answer repeats it: "345 plus 278", "15% of 80"."""
    out, i = [], 0
    while i < len(tokens):
        t = tokens[i]
        if t == "%" and i + 1 < len(tokens) and tokens[i + 1] == "*":
            out[-1] += "%"
            out.append("of")
            i += 2
            continue
        if t == "^" and i + 1 < len(tokens) and tokens[i + 1] in (2.0, 3.0) and (
                i + 2 == len(tokens) or tokens[i + 2] in _SAY):
            out.append("squared" if tokens[i + 1] == 2.0 else "cubed")
            i += 2
            continue
        out.append(out.pop() + "%" if t == "%" and out else _number(t) if isinstance(t, float) else _SAY.get(t, t))
        i += 1
    return re.sub(r"\( ", "(", re.sub(r" \)", ")", " ".join(out)))


def _number(value: float) -> str:
    """12.0 -> "12", 1234567.0 -> "1,234,567", 2/3 -> "0.6667"."""
    if value == int(value):
        return f"{int(value):,}"
    if abs(value) < 0.001:                  # three significant digits: 1e-05 -> "0.00001"
        return f"{value:.{2 - math.floor(math.log10(abs(value)))}f}".rstrip("0")
    return f"{value:,.4f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------- clock

_POLITE = r"(?:(?:hey|hi|hello|excuse me|sorry|please|so|ok|okay|kiosk)[,!]?\s+)*"
_END = r"(?:\s*(?:please|pls|now|right now|today|at the moment))?\s*[?!.]*"
_CLOCK = [
    ("time", r"(?:what(?:'s|’s|s| is)? the time|what time is it|do you (?:have|know) the time|"
             r"(?:can|could) you tell me the time|time)"),
    ("day", r"(?:what(?:'s|’s|s| is)? (?:the )?day(?: of the week)?(?: is it| it is)?(?: today)?|"
            r"what day is today|which day is (?:it|today))"),
    ("date", r"(?:what(?:'s|’s|s| is)? (?:the |today'?s |todays )?date(?: today)?|what date is it|"
             r"what(?:'s|’s|s| is) today)"),
    ("month", r"(?:what(?:'s|’s|s| is)? (?:the )?month(?: is it)?|what month is it|which month is it)"),
    ("year", r"(?:what(?:'s|’s|s| is)? (?:the )?year(?: is it)?|what year is it|which year is it)"),
]
_CLOCK_RE = [(kind, re.compile(_POLITE + pattern + _END, re.IGNORECASE)) for kind, pattern in _CLOCK]


def _clock(text: str, now: datetime, rng: random.Random) -> str | None:
    for kind, pattern in _CLOCK_RE:
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


# ---------------------------------------------------------------- unreadable

_NO_WORDS = ("I'm here! Say or type anything, and I'll answer and draw a picture for it.",
             "Hello! What would you like to talk about? I can draw a picture for anything you say.",
             "I didn't catch anything there. Tell me something, and I'll draw it for you!")
_MASH = ("That looks like a keyboard having fun! What would you like to talk about?",
         "I couldn't read that one. Could you say it another way?",
         "Hmm, those letters don't make a word I know. Try me again?")
LONGEST_CONSONANT_RUN = 6
"""A word with this many consonants in a row is not pronounceable ("strengths" has 5, y counts as a
vowel); nor is one of 5 letters or more with no vowel and 4 or more different letters ("hmmmm" is)."""


def _unreadable(text: str, now: datetime, rng: random.Random) -> str | None:
    if not any(c.isalnum() for c in text):
        return rng.choice(_NO_WORDS)
    words = re.findall(r"[^\W\d_]+", text.lower())
    if words and not re.search(r"\d", text) and all(_unpronounceable(w) for w in words):
        return rng.choice(_MASH)
    return None


def _unpronounceable(word: str) -> bool:
    """Latin-letter words of 5 letters or more only (see :data:`LONGEST_CONSONANT_RUN`)."""
    if not word.isascii() or len(word) < 5:
        return False
    runs = re.split(r"[aeiouy]+", word)
    return max(map(len, runs)) >= LONGEST_CONSONANT_RUN or (len(runs) == 1 and len(set(word)) >= 4)


_ANSWERS: dict[str, Callable[[str, datetime, random.Random], str | None]] = {
    "arithmetic": _arithmetic, "clock": _clock, "unreadable": _unreadable}
