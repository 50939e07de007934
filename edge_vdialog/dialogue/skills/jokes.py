"""The ``jokes`` skill: a joke asked for ("tell me a joke about zebras", "know any good jokes?") gets one
of the jokes written in the answer bank, about the topic asked when one is written for it.

The model's jokes fall flat ("What do you call a zebra who can't sleep? A sleeping zebra!", judged 2),
and recall by meaning matches "a joke about hotels" to one about horses. The bank's written exchanges
that ask for a joke (about 270: cows, eggs, space, dinosaurs, teachers, knock-knock ...) are indexed by
the words of their topic. A request's topic is what it says before "joke" or after "about"; a joke
whose request or reply names the topic (or its singular) is told, else another joke, saying so. A
request without a topic gets a joke of any kind. Without an answer bank the skill answers nothing.
"""

from __future__ import annotations

import re
import weakref
from typing import TYPE_CHECKING

from edge_vdialog.dialogue.skills.phrases import END, POLITE, word_set

if TYPE_CHECKING:
    from edge_vdialog.dialogue.answers import AnswerBank
    from edge_vdialog.dialogue.skills import Context

_REQUEST = re.compile(
    POLITE + r"(?:(?:can|could|will|would) (?:you|u) |what(?:'s|’s|s| is) |do (?:you|u) know |(?:you|u) know |"
    r"know |got |have you got |i want |i need |tell me |give me |(?:can|could) i (?:have|get) )?"
    r"(?:(?:tell|give|say|do) (?:me |us )?)?"
    r"(?:(?:a|an|another|one|some|any|more|your|ur|the)\s+)?(?P<before>(?:[\w'-]+\s+){0,3}?)jokes?"
    r"(?:\s+(?:about|on|with|abt)\s+(?:a |an |the |some )?(?P<after>[\w' -]+?))?"
    r"(?:\s+(?:kiosk|robot|mate))?" + END, re.IGNORECASE)
"""A line that only asks for a joke (about something)."""
_FUNNY = re.compile(POLITE + r"(?:(?:say|tell me|tell us) something (?:funny|silly)|make (?:me|us) laugh)" + END,
                    re.IGNORECASE)
"""A request for any joke."""
_AGAIN = re.compile(r"\b(?:another|more|again)\b", re.IGNORECASE)
"""A request for one more: its written reply assumes an earlier joke ("Alright, last one, maybe.")."""
_NOT_BEFORE = word_set("thanks thank that this was is for the of i im it its")
"""Words before "joke" of a line about one, not asking for one ("thanks for the joke")."""
NOT_TOPIC = word_set(
    "a an the another one some any more your ur my good funny bad really silly clean short best worst great new "
    "quick little other of for kids kid child children me us very most funniest really really cheesy joke jokes "
    "knock-knock please pls plz")
"""Words of a request that are not its topic ("a really good joke")."""
_COMMON = word_set(
    "what why how who where when which did do does is are was were it its that this to in on at and or but so "
    "because with you i he she they we his her their them be been have has had not no into out up down off over "
    "under than then there here just as if by from call called get got say said make made want another shall "
    "too all can cant dont doesnt didnt isnt would could should will one two")
"""Words of a joke that say nothing of its topic."""
_AT_ME = frozenset({"you", "u", "me", "yourself"})
""""the joke's on you": not a request."""
_SETUP = re.compile(r"(?:Why|What|How|Where|When|Who|Which|Did|Knock)\b")
"""A joke that starts with its set-up: told after "I don't know one about X, but here's another:"."""


def answer(text: str, context: Context) -> str | None:
    if context.answers is None:
        return None
    jokes = index(context.answers, context.pictures)
    if _FUNNY.fullmatch(text):
        return _any(jokes, context)
    request = _REQUEST.fullmatch(text)
    if request is None or set(request["before"].lower().split()) & _NOT_BEFORE:
        return None
    wanted = _asked(request)
    if not wanted:
        return _any(jokes, context)
    if wanted <= _AT_ME:
        return None
    about = sorted({joke for word in wanted for joke in jokes.by_word.get(word, ())})
    if about:
        return context.rng.choice(about)
    if not jokes.plain:
        return None
    name = " ".join(_singular(w) for w in (request["after"] or request["before"]).lower().split()
                    if w not in NOT_TOPIC)
    article = "an" if name[:1] in "aeiou" else "a"
    return f"I don't know {article} {name} joke, but here's another: {context.rng.choice(jokes.plain)}"


def _any(jokes: _Jokes, context: Context) -> str | None:
    """A joke of no topic in particular."""
    return context.rng.choice(jokes.any) if jokes.any else None


def _asked(request: re.Match[str]) -> frozenset[str]:
    """The topic words of a :data:`_REQUEST` match ("a joke about penguins": {"penguin"})."""
    return topic(" ".join(filter(None, (request["before"], request["after"]))))


def topic(words: str) -> frozenset[str]:
    """The topic words of a request (singular, lower case)."""
    return frozenset(_singular(w) for w in re.findall(r"[a-z]+", words.lower()) if w not in NOT_TOPIC)


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") and len(word) > 3 else word


class _Jokes:
    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.by_word: dict[str, list[str]] = {}
        """A topic word -> jokes whose request or reply names it."""
        self.any: list[str] = []
        """Jokes written for a request without a topic."""
        for line, reply in pairs:
            request = _REQUEST.fullmatch(line)
            if request is None or _AGAIN.search(line):
                continue
            words = _asked(request)
            if not words:
                self.any.append(reply)
            for word in words | (topic(reply) - _COMMON):
                self.by_word.setdefault(word, []).append(reply)
        self.plain = [joke for joke in self.any if _SETUP.match(joke)]


def index(bank: AnswerBank, pictures: bool) -> _Jokes:
    """The bank's jokes, indexed once per bank (an ``AnswerBank`` is never changed after it is made) and
    dropped with it."""
    per_bank = _INDEXES.setdefault(bank, {})
    if pictures not in per_bank:
        per_bank[pictures] = _Jokes(bank.written(pictures))
    return per_bank[pictures]


_INDEXES: weakref.WeakKeyDictionary[AnswerBank, dict[bool, _Jokes]] = weakref.WeakKeyDictionary()
