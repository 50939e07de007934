"""Written answers recalled by meaning: the committed bundle's answer bank with its real text encoder,
the recall skill in front of a real model, the owner's answers, and broken banks."""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest

from edge_vdialog.bundle import Bundle
from edge_vdialog.dialogue import Sampling, load_chat
from edge_vdialog.dialogue.answers import AnswerBank
from edge_vdialog.dialogue.skills import SKILLS, SkilledDialogue
from edge_vdialog.errors import BundleError, ConfigError
from edge_vdialog.settings import load_settings
from tests.dialogue.cli import run_cli

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "models" / "default"
QUICK = Sampling(greedy=True, max_new_tokens=8)


@pytest.fixture(scope="module")
def bank() -> AnswerBank:
    return AnswerBank.load(Bundle.load(DEFAULT), {"when do you close": "We close at 6 pm today."})


def written(bundle: Path = DEFAULT) -> dict[str, list[str]]:
    """Visitor line (lower case, no punctuation) -> the replies written for it."""
    out: dict[str, list[str]] = {}
    for line in (bundle / "answers" / "answers.jsonl").read_text(encoding="utf-8").splitlines():
        visitor, reply = json.loads(line)
        out.setdefault(re.sub(r"[^\w' ]+", "", visitor.lower()).strip(), []).append(reply)
    return out


def test_a_line_close_to_a_written_one_gets_its_reply(bank):
    replies = written()
    assert 7000 < len(bank) <= sum(map(len, replies.values())) + 1       # + the owner's; lines with letters
    got = bank.match("whats better, cats or dogs? be honest", random.Random(0))
    assert got in replies["honestly cats are better than dogs"]
    assert bank.match("Who made you?", random.Random(0)) in replies["who made you"]
    assert {bank.match("hello", random.Random(seed)) for seed in range(10)} <= set(replies["hello"])
    assert len({bank.match("hello", random.Random(seed)) for seed in range(10)}) > 1   # not always the same words


@pytest.mark.parametrize("text", [
    "my cat knocked a glass of purple paint onto the neighbour's tortoise",
    "the red one", "I'm going to the dentist after lunch and I'm nervous about the drill",
])
def test_a_line_nothing_was_written_for_goes_to_the_model(bank, text):
    assert bank.match(text, random.Random(0)) is None


def test_numbers_must_be_the_same(bank):
    assert bank.match("my goldfish is 10 years old", random.Random(0)) in written()["my goldfish is 10 years old"]
    assert bank.match("my goldfish is 37 years old", random.Random(0)) is None    # cosine 0.91, other number


TWINS = [("you're funny", "Thank you!"), ("it's my birthday", "Happy birthday!"), ("are you happy", "I'm a screen."),
         ("i like cats", "Cats are great."), ("my exam went terribly", "I'm sorry."), ("hello", "Hi there!")]


@pytest.fixture(scope="module")
def twins(bank) -> AnswerBank:
    """A bank of six written lines, with the real text encoder."""
    return AnswerBank(bank.encoder, TWINS)


@pytest.mark.parametrize(("text", "near"), [
    ("you're not funny", "you're funny"),              # a "not" (cosine 0.97)
    ("it's not my birthday", "it's my birthday"),
    ("i'm happy", "are you happy"),                    # about the visitor, not the kiosk (0.96)
    ("do you like cats", "i like cats"),
    ("my exam went well", "my exam went terribly"),    # an opposite word (0.92)
    ("HELLO", "hello"),                                # shouted: a reply may say so
])
def test_an_opposite_line_is_not_answered_as_its_near_twin(twins, text, near):
    assert twins.match(text, random.Random(0)) is None
    assert twins.match(near, random.Random(0)) == dict(TWINS)[near]


def test_emoji_lines_are_not_matched(bank):
    assert bank.match("🐸🌮🚀", random.Random(0)) is None                  # they all embed alike


def test_without_pictures_no_exchange_about_drawing(bank):
    assert bank.match("draw a monster", random.Random(0)) is not None
    assert bank.match("draw a monster", random.Random(0), pictures=False) is None
    for seed in range(10):
        reply = bank.match("hello", random.Random(seed), pictures=False)
        assert reply and "draw" not in reply and "picture" not in reply


def test_the_owners_answer_wins(bank):
    assert bank.match("When do you close?", random.Random(0)) == "We close at 6 pm today."
    assert bank.match("when does this place close?", random.Random(0)) != "We close at 6 pm today."  # 0.75: not close


def test_recall_answers_before_the_model_but_not_an_answer_to_its_question(tiny, bank):
    chat = load_chat(Bundle.load(tiny["llama_fp32"]))
    kiosk = SkilledDialogue(chat, SKILLS, answers=bank)
    assert "".join(kiosk.send("who made you", QUICK)) in written()["who made you"]
    assert chat.history[-2].text == "who made you"                    # it joins the model's history
    kiosk.reset()
    no_bank = "".join(SkilledDialogue(chat, SKILLS).send("who made you", QUICK))
    assert no_bank and no_bank not in written()["who made you"]      # the (tiny) model answers
    asked = SkilledDialogue(_Asking(), ["recall"], answers=bank)
    assert "".join(asked.send("anything fun to do around here", QUICK)) == "What do you like?"
    assert "".join(asked.send("hello", QUICK)) == "Nice."              # answers its question: the model's
    assert "".join(asked.send("hello", QUICK)) in written()["hello"]   # after a statement: recalled
    asked.reset()
    assert "".join(asked.send("anything fun to do around here", QUICK)) == "What do you like?"
    assert "".join(asked.send("who made you?", QUICK)) in written()["who made you"]   # a question of its own


class _Asking:
    """A dialogue whose replies alternate: a question, then a statement."""

    provider = "CPUExecutionProvider"

    def __init__(self) -> None:
        self.turn = 0

    def send(self, text, sampling=None, cancel=None):
        self.turn += 1
        yield "What do you like?" if self.turn % 2 else "Nice."

    def remember(self, text, reply):
        self.turn = 0                                   # the next model reply is a question

    def reset(self):
        self.turn = 0


def test_a_broken_or_missing_bank_is_a_clear_error(tmp_path):
    copy = shutil.copytree(DEFAULT, tmp_path / "bundle")
    with (copy / "answers" / "answers.jsonl").open("a", encoding="utf-8") as f:
        f.write("not json\n")
    with pytest.raises(BundleError, match="answers.jsonl has"):
        AnswerBank.load(Bundle.load(copy))
    manifest = json.loads((copy / "manifest.json").read_text())
    del manifest["components"]["answers"]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match="no 'answers'") as e:
        AnswerBank.load(Bundle.load(copy))
    assert "answer-bank" in e.value.hint
    assert len(AnswerBank.load_for(copy)) > 7000          # a picture bundle without answers: the default's


def test_owner_answers_are_validated(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[dialogue.answers]\n"When do you close?" = " At 6 pm. "\n')
    assert load_settings(config).dialogue.answers == {"When do you close?": "At 6 pm."}
    for bad in ('"???" = "x"', '"when" = ""', f'"{"a" * 161}" = "x"'):
        config.write_text(f"[dialogue.answers]\n{bad}\n")
        with pytest.raises(ConfigError, match="answers"):
            load_settings(config)


def test_chat_command_recalls_without_drawing(tiny):
    out = run_cli("chat", "--bundle", str(tiny["gpt2_int8"]), "who made you")
    assert out.returncode == 0 and out.stdout.strip() in written()["who made you"], out.stderr
    assert "draw" not in out.stdout


def joke(bank, text: str, seed: int = 0, pictures: bool = True) -> str | None:
    from datetime import datetime

    from edge_vdialog.dialogue.skills import Context, skill_answer
    return skill_answer(text, ("jokes",), Context(datetime(2026, 12, 1), random.Random(seed), answers=bank,
                                                  pictures=pictures))


def test_a_joke_asked_for_is_a_written_one_about_its_topic(bank):
    jokes = {reply for line, replies in written().items() if "joke" in line for reply in replies}
    for seed in range(5):
        penguin = joke(bank, "can you tell me a joke about penguins please", seed)
        assert penguin in jokes and "penguin" in penguin.lower()
        assert "Knock knock" in joke(bank, "know any good knock knock jokes", seed)
        assert joke(bank, "tell me a joke", seed) in jokes
    hotel = joke(bank, "tell me a joke about hotels")
    assert hotel.startswith("I don't know a hotel joke, but here's another: ")
    assert hotel.split(": ", 1)[1] in jokes


@pytest.mark.parametrize("text", ["thanks for the joke", "that joke was bad", "jokes on you", "i have a joke for you",
                                  "your jokes are bad"])
def test_lines_about_a_joke_are_not_requests(bank, text):
    assert joke(bank, text) is None


def test_jokes_need_the_bank_and_keep_to_what_is_shown(bank):
    from datetime import datetime

    from edge_vdialog.dialogue.skills import Context, skill_answer
    assert skill_answer("tell me a joke", ("jokes",), Context(datetime(2026, 12, 1), random.Random(0))) is None
    told = {joke(bank, "tell me a joke about cats", seed, pictures=False) for seed in range(30)}
    assert told and not any(re.search(r"\b(?:draw\w*|sketch\w*|picture)\b", t, re.IGNORECASE) for t in told)
    assert any("sketch" in t for t in {joke(bank, "tell me a joke about cats", s) for s in range(60)})


def test_the_owners_answer_reaches_every_question_of_its_kind(bank):
    from datetime import datetime

    from edge_vdialog.dialogue.skills import Context, skill_answer

    def kiosk(text: str) -> str | None:
        return skill_answer(text, SKILLS, Context(datetime(2026, 12, 1), random.Random(0), answers=bank))

    owned = "We close at 6 pm today."
    for text in ("what time do you close tonight?", "excuse me, when do you shut"):
        assert kiosk(text) == owned, text
        assert bank.match(text, random.Random(0)) != owned                # too far apart to be recalled
    pool = kiosk("what time does the pool close?")
    assert pool and pool != owned                                         # the pool may close at another time
