"""The ``facts`` skill: the committed bundle's learnt ``fact_lines`` classifier with its real text encoder, and the
skill's honest replies."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from edge_vdialog.dialogue.answers import AnswerBank
from edge_vdialog.dialogue.skills import SKILLS, Context, skill, skill_answer
from edge_vdialog.dialogue.skills.facts import REPLIES, kind_of

FACTS = {reply for replies in REPLIES.values() for reply in replies}


def context(answers: AnswerBank | None, seed: int = 0) -> Context:
    return Context(datetime(2026, 12, 2, 12), random.Random(seed), answers=answers)


@pytest.mark.parametrize("text", [
    "what year did shakespeare die",                       # facts a small model gets wrong with confidence
    "how long is a cow pregnant for",
    "whats the diffrence between an isa and a normal savings account",
    "how do you get grass stains out of white shorts",
    "why do they say break a leg",
    "can chocolate actually kill a dog or is that a myth",
    "roughly how many languages are there in the world",   # a question after a word of its own
    "idk lol. what's the biggest country",                 # a question in the second sentence
])
def test_general_knowledge_gets_an_honest_reply(default_bank, text):
    facts = default_bank.classifiers["fact_lines"]
    assert facts.says(text), facts.probability(text)
    assert skill("facts")(text, context(default_bank)) in FACTS


@pytest.mark.parametrize("text", [
    "my nan taught me how to knit when i was six",          # news that mentions knowing how
    "are you a robot or is someone typing",                 # the kiosk itself
    "can you recommend a good film for tonight",            # taste
    "draw a volcano erupting",
    "so many people here today",
])
def test_other_lines_are_left_alone(default_bank, text):
    assert skill("facts")(text, context(default_bank)) is None


@pytest.mark.parametrize(("text", "kind"), [
    ("what year did shakespeare die", "facts"),
    ("how do i get nail polish off a carpet", "how-to"),
    ("whats the best way to floss properly", "how-to"),
    ("what's the difference between ibuprofen and paracetamol", "health"),
    ("how do you get rid of a mouth ulcer fast", "health"),
    ("can chocolate actually kill a dog", "pets"),
    ("how often should a rabbit get its nails trimmed?", "pets"),
    ("how long do budgies live for", "facts"),                  # a pet, but not its care
    ("do bees die after they sting you", "facts"),
    ("my toes have actually gone numb, is that normal", "health"),
])
def test_the_kind_of_reply_is_read_from_its_words(text, kind):
    assert kind_of(text) == kind


def test_earlier_skills_answer_first_and_the_bank_is_needed(default_bank):
    assert SKILLS.index("staff") < SKILLS.index("facts")
    assert skill_answer("whats 12 times 7", SKILLS, context(default_bank)) == "12 times 7 is 84."
    assert skill_answer("how do i get to the toilets", SKILLS, context(default_bank)) not in FACTS
    assert skill_answer("what year did shakespeare die", ["facts"], context(None)) is None     # no classifier
    assert skill_answer("what year did shakespeare die", SKILLS, context(default_bank)) in FACTS
