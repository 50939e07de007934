"""The ``arithmetic`` skill: a sum in digits or number words, answered exactly.

Alone or after "what is", "how much is", "calculate" ...: ``+ - * / x × ÷ ^``, plus, minus, times,
multiplied by, divided by, over, squared, cubed, to the power of, percent (of), brackets.
"what's 345 plus 278?" -> "345 plus 278 is 623." A line with any other word goes to the model.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from edge_vdialog.dialogue.skills.phrases import POLITE

if TYPE_CHECKING:
    from edge_vdialog.dialogue.skills import Context

_ASK = re.compile("^" + POLITE + r"(?:(?:can|could) you (?:tell me |work out |calculate |compute )?|do you know |"
                  r"tell me |please )?(?:what(?:'s|’s|s| is| are| does)|how much is|how much are|"
                  r"calculate|compute|work out|solve)?\s*", re.IGNORECASE)
_TAIL = re.compile(r"\s*(?:please|pls|thanks|thank you|equals?|=|makes?)?\s*[?!.=]*\s*$", re.IGNORECASE)
_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
          "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}
_WORD_OPS = [("multiplied by", "*"), ("divided by", "/"), ("to the power of", "^"), ("percent of", "% *"),
             ("take away", "-"), ("plus", "+"), ("minus", "-"), ("times", "*"), ("over", "/"),
             ("squared", "^ 2"), ("cubed", "^ 3"), ("percent", "%"), ("x", "*"), ("×", "*"), ("÷", "/"),
             ("of", "*")]
_SAY = {"+": "plus", "-": "minus", "*": "times", "/": "divided by", "^": "to the power of"}
_TOKEN = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?|\.\d+|[a-z]+|[-+*/^%()]")
BIGGEST = 1e15
"""Results beyond this are not read out digit by digit."""


def answer(text: str, context: Context) -> str | None:
    """"12 times 7 is 84." for a sum in ``text``; None for anything else."""
    body = _TAIL.sub("", _ASK.sub("", text.lower(), count=1), count=1)
    body = re.sub(r"(?<=\d)\s*x\s*(?=\d)", " * ", body)            # 12x7
    for words, op in _WORD_OPS:
        body = re.sub(rf"(?<![a-z]){re.escape(words)}(?![a-z])", f" {op} ", body)
    found = _TOKEN.findall(body)
    tokens = _numbers(found)
    if tokens is None or "".join(found) != re.sub(r"\s+", "", body):
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
    if not math.isfinite(value):
        return "That number is too big for my screen!"
    said = _spoken(tokens)
    said = said[0].upper() + said[1:]
    if abs(value) > BIGGEST:
        mantissa, exponent = f"{value:.2e}".split("e")
        return f"{said} is about {mantissa} times 10 to the power of {int(exponent)}."
    return f"{said} is {_number(value)}."


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
