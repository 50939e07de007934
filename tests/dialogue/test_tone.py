"""Good news never gets a "sorry": the words, and the tokens a real model is kept from."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge_vdialog.bundle import Bundle
from edge_vdialog.dialogue import Sampling, load_chat
from edge_vdialog.dialogue.tokenizer import Tokenizer
from edge_vdialog.dialogue.tone import condolence_ids, good_news

ROOT = Path(__file__).resolve().parents[2]
GREEDY = Sampling(greedy=True, repetition_penalty=1.0, max_new_tokens=12)


@pytest.mark.parametrize(("text", "good"), [
    ("the seal show was amazing", True), ("we're here for my sister Emma's wedding on saturday!!", True),
    ("its my birthday today 🎉", True), ("i passed my driving test", True),
    ("my cat died", False), ("the show was amazing but my feet hurt", False), ("not a great day", False),
    ("i didn't win", False), ("what time is it", False), ("hello", False),
])
def test_good_news_is_told_from_its_words(text, good):
    assert good_news(text) is good


def test_the_words_for_sorry_are_found_in_a_real_vocabulary():
    tok = Tokenizer.load(ROOT / "models" / "default" / "dialogue" / "tokenizer.json")    # the committed GPT-2's
    ids = condolence_ids(tok)
    assert len(ids) == 4 and {tok.decode([i]).strip().lower() for i in ids} == {"sorry"}


def test_a_reply_to_good_news_never_takes_a_condolence_token(tiny):
    chat = load_chat(Bundle.load(tiny["gpt2_fp32"]))
    chat.eos_ids = set()

    def reply(text: str) -> list[int]:
        chat.reset()
        return chat.tok.encode_text("".join(chat.send(text, GREEDY)))

    good, bad = "the seal show was amazing", "the seal show was not amazing"
    said, unbanned = reply(good), reply(bad)
    chat.condolences = (said[0],)                  # the token greedy decoding chose first is now banned
    assert said[0] not in reply(good)
    assert reply(bad) == unbanned                  # not good news: the model's own words
