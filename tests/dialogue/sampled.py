"""The token ids a real Conversation samples for a reply (a tiny random model's text re-encodes to other ids)."""

from __future__ import annotations

from collections.abc import Callable

from edge_vdialog.dialogue import Conversation, Sampling

GREEDY = Sampling(greedy=True, repetition_penalty=1.0, max_new_tokens=12)


def greedy_reply_ids(chat: Conversation) -> Callable[[str], list[int]]:
    """A function: a line -> the ids ``chat`` samples, greedily, for a fresh reply to it (eos never ends it)."""
    chat.eos_ids = set()
    sampled, tokens = [], chat.tokens

    def recorded(*args, **kwargs):
        for token in tokens(*args, **kwargs):
            sampled.append(token)
            yield token

    chat.tokens = recorded

    def reply(text: str) -> list[int]:
        chat.reset()
        sampled.clear()
        "".join(chat.send(text, GREEDY))
        return list(sampled)

    return reply
