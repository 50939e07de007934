"""The chat turns the static text encoder is fitted on and measured with (distill-encoder, encoder-compare)."""

from __future__ import annotations

CHAT_SENTENCES = 20000
"""Chat turns the encoder is fitted on."""
HELDOUT_CHAT = 1000
"""Chat turns kept apart to measure agreement with MiniLM."""


def chat_turns(seed: int) -> tuple[list[str], list[str]]:
    """(fitting turns, held-out turns) from PyPI ``chitchat-dataset``, drawn with ``seed``."""
    from calibration.texts import reply_texts

    chat = reply_texts(CHAT_SENTENCES + HELDOUT_CHAT, seed)
    return chat[HELDOUT_CHAT:], chat[:HELDOUT_CHAT]
