"""A reply's tone follows the visitor's news: good news never gets a "sorry".

The persona-tuned 135M model opens a reply to good news with "I'm so sorry" now and then, depending on
the seed: "we're here for my sister Emma's wedding on saturday!!" -> "I'm so sorry to hear about your
sister. Congratulations, she'll be in heaven!", "the seal show was amazing" -> "I'm so sorry to hear
about the seal." (rounds 28-29, docs/dialogue_models.md). When a line is good news (a word of
:data:`GOOD`, none of :data:`BAD`), the tokens that spell "sorry" are never sampled in its reply, so the
model says what it says next most ("I'm so glad you enjoyed it!").
"""

from __future__ import annotations

import re

from edge_vdialog.dialogue.skills.phrases import word_set
from edge_vdialog.dialogue.tokenizer import Tokenizer

GOOD = word_set(
    "amazing awesome brilliant great best loved love lovely fun beautiful fantastic wonderful incredible "
    "excellent perfect gorgeous wedding married marrying engaged birthday anniversary promoted promotion "
    "passed won win winning finally yay woohoo hooray excited exciting happy proud celebrating celebrate "
    "graduated graduation retired retiring holiday congrats 😊 😀 😁 😄 🎉 🥳 ❤️ 😍")
"""Words of good news."""
BAD = word_set(
    "sad sorry tired exhausted wrecked knackered hurt hurts hurting ill sick died dead death funeral lost lose "
    "losing broke broken awful terrible horrible bad worst hate hated angry annoyed stressed stressful nervous "
    "worried scared crying cried missed cancelled canceled delayed late bored boring hungry pain ache aching "
    "rain raining cold freezing dropped ruined failed fail stuck hospital ugh argh ffs but except no not never "
    "nothing nobody cant can't couldnt couldn't dont don't didnt didn't wont won't isnt isn't wasnt wasn't "
    "😭 😢 😡 😩 😞 😔")
"""Words of bad news, of mixed news ("but") or of a negation ("not great"): the model's tone is left alone."""
CONDOLENCES = ("sorry", " sorry", "Sorry", " Sorry")
"""Spellings of the word a reply to good news must not use (those that are one token are banned)."""
_TOKEN = re.compile(r"[\w']+|[^\w\s]")


def good_news(text: str) -> bool:
    """``text`` tells good news and nothing bad."""
    words = set(_TOKEN.findall(text.lower().replace("’", "'")))
    return bool(words & GOOD) and not words & BAD


def condolence_ids(tokenizer: Tokenizer) -> tuple[int, ...]:
    """The token ids that alone spell one of :data:`CONDOLENCES` in ``tokenizer``'s vocabulary."""
    ids = {tuple(tokenizer.encode_text(word)) for word in CONDOLENCES}
    return tuple(sorted(i[0] for i in ids if len(i) == 1))
