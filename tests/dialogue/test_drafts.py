"""Drafts: the model writes several replies from the same history; the shortest is shown and kept."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from edge_vdialog.bundle import Bundle
from edge_vdialog.dialogue import Sampling, load_chat
from edge_vdialog.dialogue.drafts import DraftedDialogue, with_drafts
from edge_vdialog.dialogue.skills import SkilledDialogue
from edge_vdialog.errors import ConfigError
from edge_vdialog.settings import load_settings

SAMPLED = Sampling(temperature=1.5, max_new_tokens=12, seed=3)


def _alone(tiny, text: str, seed: int) -> str:
    """The reply a fresh one-draft conversation gives ``text`` at ``seed``."""
    chat = load_chat(Bundle.load(tiny["gpt2_fp32"]))
    return "".join(chat.send(text, replace(SAMPLED, seed=seed))).strip()


def test_the_shortest_draft_is_shown_and_kept(tiny):
    chat = DraftedDialogue(load_chat(Bundle.load(tiny["gpt2_fp32"])), 3)
    drafts = [_alone(tiny, "hello there", 3 + k) for k in range(3)]      # seeds seed, seed + 1, ...
    assert len(set(drafts)) > 1                                          # the drafts differ
    shown = "".join(chat.send("hello there", SAMPLED))
    assert shown == min(drafts, key=lambda d: len(d.split()))
    assert [(m.role, m.text) for m in chat.kept] == [("user", "hello there"), ("assistant", shown)]


def test_each_draft_follows_the_same_history(tiny):
    """The second line's drafts all follow the first exchange; none sees another draft."""
    chat = DraftedDialogue(load_chat(Bundle.load(tiny["gpt2_fp32"])), 2)
    first = "".join(chat.send("hi", SAMPLED))
    drafts = []
    for k in range(2):                        # what a conversation holding only the first exchange writes
        plain = load_chat(Bundle.load(tiny["gpt2_fp32"]))
        plain.remember("hi", first)
        drafts.append("".join(plain.send("and you?", replace(SAMPLED, seed=3 + k))).strip())
    assert "".join(chat.send("and you?", SAMPLED)) == min(drafts, key=lambda d: len(d.split()))
    assert [m.text for m in chat.kept][::2] == ["hi", "and you?"] and len(chat.kept) == 4


def test_a_cancelled_line_leaves_no_trace(tiny):
    chat = DraftedDialogue(load_chat(Bundle.load(tiny["gpt2_fp32"])), 2)
    cancel = threading.Event()
    cancel.set()
    assert list(chat.send("hello", SAMPLED, cancel)) == [] and chat.kept == []


def test_skills_answer_before_the_drafts(tiny):
    chat = SkilledDialogue(with_drafts(load_chat(Bundle.load(tiny["gpt2_fp32"])), 2), ["arithmetic"])
    assert "".join(chat.send("what is 2 + 3", SAMPLED)) == "2 plus 3 is 5."
    assert [m.text for m in chat.kept] == ["what is 2 + 3", "2 plus 3 is 5."]


def test_one_draft_is_the_plain_streamed_conversation(tiny):
    chat = load_chat(Bundle.load(tiny["gpt2_fp32"]))
    assert with_drafts(chat, 1) is chat
    with pytest.raises(ValueError, match="drafts must be 2-4"):
        DraftedDialogue(chat, 5)


def test_settings_refuse_greedy_drafts(tmp_path):
    (tmp_path / "k.toml").write_text("[dialogue]\ngreedy = true\ndrafts = 2\n")
    with pytest.raises(ConfigError, match="set drafts = 1"):
        load_settings(tmp_path / "k.toml")
    (tmp_path / "k.toml").write_text("[dialogue]\ngreedy = true\n")
    assert load_settings(tmp_path / "k.toml").dialogue.drafts == 1       # the default streams
