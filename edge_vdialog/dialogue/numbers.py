"""A reply to news says no number the visitor did not say.

The persona-tuned 135M model turns the visitor's numbers into others and invents the rest: "been stood
here 40 mins" -> "Four hundred and forty! That's exhausting.", "they let 40 of us go ... 22 years I gave that
place" -> "Two hundred years!", "how long does a cooked chicken last in the fridge" -> "around 2-3 weeks",
"whats the tallest roller coaster in the world" -> "150 metres". Judges scored such replies 1-2 (rounds
64-77, docs/dialogue_models.md). Sums, times and dates are the skills' (they compute them); a number in a
model's reply is a guess. So, in a reply to a line that asks nothing, the tokens that spell a number (digits,
and the one-token number words "two" to "billion") are never sampled unless the line has that number: "40"
lets the reply say "40" or "forty", and nothing else. A question ("how long do elephants live?") is left
alone: kept from the number it wants, the model writes broken text ("up to antinging!"), worse than a wrong
figure. Nor is a token of spaces alone sampled then: this vocabulary spells " 40" as " ", "4", "0", so a model
that took the space meaning a number wrote "up to  thousands tons" (rounds 78-81).
"""

from __future__ import annotations

import re

from edge_vdialog.dialogue.tokenizer import Tokenizer

WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
         "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
         "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
         "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
         "million": 1_000_000, "billion": 1_000_000_000, "dozen": 12}
"""Number words a reply may not use unless the line has their value ("one" is too often not a number)."""
_DIGITS = re.compile(r"\d+")
_SPACE_MARKS = frozenset(" Ġ▁")
"""How a space is written in a vocabulary's raw pieces (plain, byte-level BPE, SentencePiece)."""
_ASKS = re.compile(r".*\?|\W*(?:how|what|whats|when|which|who|whos|why|where|tell me|give me)\b|"
                   r"\W*(?:is|are|was|were|do|does|did|can|could|will|would|should|have|has) (?:you|u|it|there|they|he|"
                   r"she|we|i|the|this|that|these|those|any)\b", re.IGNORECASE | re.DOTALL)
"""A line that asks something: a question mark anywhere, a question word first, or a verb first that asks
("did you", "is the"; "did my first parkrun" is news)."""
_WORD = re.compile(r"[a-z]+")


class Numbers:
    """The number tokens of a vocabulary, and which of them a reply to a line may not use."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.digits: dict[int, str] = {}
        """Token id -> the digits it spells (with or without a leading space)."""
        self.words: dict[int, int] = {}
        """Token id -> the value of the number word it spells alone."""
        self.spaces: list[int] = []
        """Token ids that are spaces alone (a number's first token in some vocabularies)."""
        for piece, i in tokenizer.hf.get_vocab(with_added_tokens=False).items():
            if any(c.isdigit() for c in piece):             # a cheap filter of the raw pieces, then their text
                text = tokenizer.decode([i]).strip()
                if text.isdecimal() and text.isascii():
                    self.digits[i] = text
            elif set(piece) <= _SPACE_MARKS and tokenizer.decode([i]).strip(" ") == "":
                self.spaces.append(i)
        for word, value in WORDS.items():
            for i in tokenizer.one_token_ids((word, " " + word, word.capitalize(), " " + word.capitalize())):
                self.words[i] = value

    def banned(self, line: str) -> tuple[int, ...]:
        """The number tokens a reply to ``line`` may not use: none if it asks something, else all but those of
        the numbers it says."""
        if _ASKS.match(line):
            return ()
        said = said_numbers(line)
        runs = "|".join(str(n) for n in said)
        return tuple(sorted([i for i, digits in self.digits.items() if digits not in runs]
                            + [i for i, value in self.words.items() if value not in said] + self.spaces))


def said_numbers(line: str) -> set[int]:
    """The numbers ``line`` says, in digits ("40", "22") or words ("forty", "two")."""
    text = line.lower()
    said = {int(d) for d in _DIGITS.findall(text) if len(d) <= 12}
    said |= {WORDS[w] for w in _WORD.findall(text) if w in WORDS}
    return said
