"""A "sorry" only with cause, no cheer for grief: the words, and the tokens a real model is kept from."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge_vdialog.bundle import Bundle
from edge_vdialog.dialogue import load_chat
from edge_vdialog.dialogue.tokenizer import Tokenizer
from edge_vdialog.dialogue.tone import (
    CHEERS,
    cheer_ids,
    condolence_ids,
    grieves,
    sorry_fits,
)
from tests.dialogue.sampled import GREEDY, greedy_reply_ids

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("text", "cause"), [
    ("the seal show was amazing", False), ("we're here for my sister Emma's wedding on saturday!!", False),
    ("quiet in here today, i like it", False), ("hello", False), ("what time is it", False),
    ("my cat died", True), ("the show was amazing but my feet hurt", True), ("not a great day", True),
    ("i didn't win", True), ("security took my shampoo 😤", True), ("sorry, wrong button", True),
])
def test_a_sorry_needs_a_cause_in_the_line(text, cause):
    assert sorry_fits(text) is cause


def test_the_words_for_sorry_are_found_in_a_real_vocabulary():
    tok = Tokenizer.load(ROOT / "models" / "default" / "dialogue" / "tokenizer.json")    # the committed GPT-2's
    ids = condolence_ids(tok)
    assert len(ids) == 4 and {tok.decode([i]).strip().lower() for i in ids} == {"sorry"}


def test_a_reply_without_cause_never_takes_a_condolence_token(tiny):
    chat = load_chat(Bundle.load(tiny["gpt2_fp32"]))
    chat.eos_ids = set()

    def reply(text: str) -> list[int]:
        chat.reset()
        return chat.tok.encode_text("".join(chat.send(text, GREEDY)))

    glad, sad = "the seal show was amazing", "the seal show was not amazing"
    said, unbanned = reply(glad), reply(sad)
    chat.condolences = (said[0],)                  # the token greedy decoding chose first is now banned
    assert said[0] not in reply(glad)
    assert reply(sad) == unbanned                  # a cause: the model's own words


@pytest.mark.parametrize(("text", "grief"), [
    ("Came in to register my dad's death. Everyone's been very kind.", True), ("off to a funeral in Dublin", True),
    ("my nan passed away on sunday", True), ("my dad died", True), ("she passed in march", True),
    ("my dad is cancer free!", False),
    ("we passed the test!", False), ("dead tired lol", False), ("dying for a coffee", False),
    ("which terminal for easyjet", False), ("the seal show was amazing", False),
])
def test_grief_is_told_by_its_words(text, grief):
    assert grieves(text) is grief


def test_the_words_of_cheer_are_found_in_a_real_vocabulary():
    tok = Tokenizer.load(ROOT / "models" / "default" / "dialogue" / "tokenizer.json")
    ids = cheer_ids(tok)
    assert len(ids) >= 15 and {tok.decode([i]) for i in ids} <= set(CHEERS)


def test_a_reply_to_grief_never_takes_a_cheer_token(tiny):
    chat = load_chat(Bundle.load(tiny["gpt2_fp32"]))
    reply = greedy_reply_ids(chat)

    grief, other = "my grandad's funeral is today", "my grandad's party is today"
    said, unbanned = reply(grief), reply(other)
    chat.cheers = (said[0],)                       # the token greedy decoding chose first is now cheer
    assert said[0] not in reply(grief)
    assert reply(other) == unbanned                # no grief: the model's own words
