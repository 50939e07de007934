"""The ``staff`` skill: the committed bundle's learnt classifier with its real text encoder, the skill's
replies, the training command, and broken classifier files."""

from __future__ import annotations

import random
import shutil
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from edge_vdialog.bundle import Bundle
from edge_vdialog.dialogue.answers import AnswerBank
from edge_vdialog.dialogue.skills import SKILLS, Context, skill, skill_answer
from edge_vdialog.dialogue.skills.places import NO_MAP
from edge_vdialog.dialogue.skills.staff import kind_of
from edge_vdialog.dialogue.skills.venue import REPLIES
from edge_vdialog.dialogue.staff_lines import BUCKETS, StaffLines, word_features
from edge_vdialog.errors import BundleError
from export.__main__ import main as export_main

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
    assert bank.staff.asks(text), bank.staff.probability(text)
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
    assert not bank.staff.asks(text), bank.staff.probability(text)
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
    assert bank.staff.asks(line)                                      # the classifier would take the whole line
    assert skill_answer(line, SKILLS, context) in NO_MAP              # the places skill takes its first part


def test_the_skill_comes_after_recall_and_needs_the_bank():
    assert SKILLS.index("recall") < SKILLS.index("staff") < SKILLS.index("closers")
    context = Context(datetime(2026, 12, 2, 12), random.Random(0))                  # no bank: not answered
    assert skill_answer("which shelf are the light bulbs on", ["staff"], context) is None


def test_word_features_are_stable_and_in_range():
    got, value = word_features("Where's the LIFT, please?")
    assert got.tolist() == word_features("where's the lift please")[0].tolist()
    assert len(got) == 7 and 0 <= got.min() and got.max() < BUCKETS                 # 4 words, 3 pairs
    assert value == pytest.approx(7 ** -0.5) and word_features("🙂")[1] == 0


def _bundle_copy(tmp_path: Path) -> Path:
    out = tmp_path / "b"
    shutil.copytree(DEFAULT, out)
    return out


def test_a_broken_classifier_is_a_clear_error(tmp_path):
    out = _bundle_copy(tmp_path)
    bundle = Bundle.load(out)
    weights = bundle.component("staff_lines").path("weights")
    weights.write_bytes(b"not a zip file" * 10)
    with pytest.raises(BundleError, match="staff_lines|checksum|sha256|size|bytes"):
        AnswerBank.load(Bundle.load(out))
    encoder = AnswerBank.load(Bundle.load(DEFAULT)).encoder
    with pytest.raises(ValueError, match="shape"):
        StaffLines(encoder, np.zeros(10, np.float32), 0.0, 0.5)


def test_training_writes_a_classifier_the_skill_loads(tmp_path, capsys):
    out = _bundle_copy(tmp_path)
    staff = ["where is the cafe", "how much is parking here", "what time do you close", "do you sell stamps",
             "is there a toilet on this floor", "can i book a table here", "where do i pay",
             "do you do gift wrapping", "which floor is menswear on", "is the lift working"]
    other = ["hello there", "draw me a cat", "my dog is ill", "what is the capital of france", "you are funny",
             "i love this place", "how do i boil an egg", "tell me a joke", "who made you", "thanks bye"]
    labels = tmp_path / "labels.tsv"
    labels.write_text("".join(f"{t}\t1\tlabelled\n" for t in staff) + "".join(f"{t}\t0\tlabelled\n" for t in other),
                      encoding="utf-8")
    assert export_main(["staff-lines", "--bundle", str(out), "--labels", str(labels), "--steps", "60",
                        "--precision", "0.6"]) == 0
    assert "cross-validated" in capsys.readouterr().out
    lines = AnswerBank.load(Bundle.load(out)).staff
    assert lines.probability("where is the cafe") > lines.probability("draw me a cat")
    labels.write_text("where is it\t2\twritten\n", encoding="utf-8")
    assert export_main(["staff-lines", "--bundle", str(out), "--labels", str(labels)]) != 0
