"""No number in a reply to news but the visitor's: the numbers a line says, and the tokens a real model is kept from."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge_vdialog.bundle import Bundle
from edge_vdialog.dialogue import load_chat
from edge_vdialog.dialogue.numbers import Numbers, said_numbers
from edge_vdialog.dialogue.tokenizer import Tokenizer
from tests.dialogue.sampled import greedy_reply_ids

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("line", "said"), [
    ("been stood here 40 mins", {40}), ("twenty two years on the buses", {20, 2}), ("hello", set()),
    ("my 3 kids and 2 dogs", {3, 2}), ("Three cheers for 1,000 visitors", {3, 1, 0}),
])
def test_the_numbers_a_line_says_in_digits_or_words(line, said):
    assert said_numbers(line) == said


@pytest.fixture(scope="module")
def numbers():
    tok = Tokenizer.load(ROOT / "models" / "default" / "dialogue" / "tokenizer.json")    # the committed GPT-2's
    return tok, Numbers(tok)


def test_a_reply_to_news_may_say_only_its_numbers(numbers):
    tok, nums = numbers
    every = set(nums.digits) | set(nums.words)
    allowed = {tok.decode([i]).strip().lower() for i in every - set(nums.banned("been stood here 40 mins"))}
    assert allowed and allowed <= {"4", "0", "40"}              # its digits (this vocabulary has "40" whole)
    assert set(nums.banned("just got a kitten")) == every | set(nums.spaces)     # no number said: none
    assert tok.encode_text(" ten")[0] not in nums.banned("waited ten minutes")
    assert nums.spaces and set(nums.spaces) <= set(nums.banned("waited ten minutes"))     # " " before a number
    assert {tok.decode([i]) for i in nums.spaces} == {" "}


@pytest.mark.parametrize("line", [
    "how long do elephants live for", "is the 5:40 on time?", "did you see the 3 ducks", "whats 40 plus 2",
])
def test_a_question_keeps_its_numbers(numbers, line):
    assert numbers[1].banned(line) == ()


def test_news_in_the_form_of_a_question_word_is_still_news(numbers):
    assert numbers[1].banned("did my first parkrun on saturday, 34 minutes") != ()


def test_a_real_model_never_samples_a_banned_number(tiny):
    chat = load_chat(Bundle.load(tiny["gpt2_fp32"]))
    reply = greedy_reply_ids(chat)

    said = reply("my cat sat on the mat")
    chat.numbers.digits = {said[0]: "7"}           # the token greedy decoding chose first now spells a 7
    chat.numbers.words = {}
    assert said[0] not in reply("my cat sat on the mat")
    assert said[0] not in chat.numbers.banned("my 7 cats sat on the mat")     # said by the line: allowed
