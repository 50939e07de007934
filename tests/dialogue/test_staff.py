"""The ``staff`` skill: the committed bundle's learnt ``staff_lines`` classifier with its real text encoder, and
the skill's replies."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

import pytest

from edge_vdialog.bundle import Bundle
from edge_vdialog.dialogue.answers import AnswerBank
from edge_vdialog.dialogue.skills import SKILLS, Context, skill, skill_answer
from edge_vdialog.dialogue.skills.places import NO_MAP
from edge_vdialog.dialogue.skills.staff import kind_of
from edge_vdialog.dialogue.skills.venue import REPLIES

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "models" / "default"
STAFF = set(REPLIES["services"] + REPLIES["rules"] + REPLIES["times"] + REPLIES["prices"] + NO_MAP)


@pytest.fixture(scope="module")
def bank() -> AnswerBank:
    return AnswerBank.load(Bundle.load(DEFAULT), {"do you sell batteries in the shop": "Batteries are at the tills."})


def ask(bank: AnswerBank, text: str, seed: int = 0) -> str | None:
    return skill("staff")(text, Context(datetime(2026, 12, 2, 12), random.Random(seed), answers=bank))


@pytest.mark.parametrize("text", [
    "which shelf are the light bulbs on",                  # wordings no pattern of venue or places knows
    "do you do key cutting here",
    "is anyone about who can reach the top shelf for me",
    "can i get my photo printed here",
    "which floor has the school shoes",
])
def test_questions_only_the_staff_know_get_an_honest_staff_reply(bank, text):
    staff = bank.classifiers["staff_lines"]
    assert staff.says(text), staff.probability(text)
    assert ask(bank, text) in STAFF


@pytest.mark.parametrize("text", [
    "how do i get red wine out of a carpet",                # advice anyone could give
    "what's the tallest mountain in scotland",
    "are you a robot or is someone typing",                 # the kiosk itself
    "my son just passed his driving test!!",                # news
    "draw a fox in a top hat",
    "can you tell me a joke",
    "whats your favourite colour",
])
def test_other_lines_are_not_the_staffs(bank, text):
    staff = bank.classifiers["staff_lines"]
    assert not staff.says(text), staff.probability(text)
    assert ask(bank, text) is None


def test_the_reply_fits_what_is_asked(bank):
    assert ask(bank, "which shelf are the light bulbs on") in NO_MAP                # the way to something
    assert ask(bank, "how much is it to get a key cut", 1) in REPLIES["prices"] + REPLIES["services"]
    assert ask(bank, "any batteries in this shop?") == "Batteries are at the tills."        # the owner's answer


@pytest.mark.parametrize(("text", "kind"), [
    ("which shelf are the light bulbs on", "way"),
    ("any chance of the wifi code", "wifi"),
    ("do you do gift wrapping and is it free", "prices"),
    ("what time does the last collection go", "times"),
    ("whats your returns policy", "rules"),
    ("can i take my coffee in with me", "rules"),
    ("can i get euros changed here", "services"),
    ("do you do gluten free stuff in the cafe", "services"),
])
def test_the_kind_of_question_is_read_from_its_words(text, kind):
    assert kind_of(text) == kind


def test_a_pattern_answer_to_each_part_comes_before_the_classifier(bank):
    context = Context(datetime(2026, 12, 2, 12), random.Random(0), answers=bank)
    line = "is there anywhere to eat before the show or is it just the bar"
    assert bank.classifiers["staff_lines"].says(line)                 # the classifier would take the whole line
    assert skill_answer(line, SKILLS, context) in NO_MAP              # the places skill takes its first part


def test_the_skill_comes_after_recall_and_needs_the_bank():
    assert SKILLS.index("recall") < SKILLS.index("staff") < SKILLS.index("facts") < SKILLS.index("closers")
    context = Context(datetime(2026, 12, 2, 12), random.Random(0))                  # no bank: not answered
    assert skill_answer("which shelf are the light bulbs on", ["staff"], context) is None
