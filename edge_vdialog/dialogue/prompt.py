"""Prompt formats and the token budget: which turns of the history fit into the context.

Formats (a property of the bundle, ``config.prompt_format``):

* ``eos-turns`` (GPT-2 dialogue, as trained by ``python -m export train-dialogue``): ``eos t1 eos t2 eos ... tn eos``;
  the reply follows the last eos and ends with eos.
* ``chatml`` (SmolLM2 and other instruct models): ``<|im_start|>system\\n...<|im_end|>\\n``, then
  ``<|im_start|>user\\n...<|im_end|>\\n<|im_start|>assistant\\n...<|im_end|>\\n`` per turn.

Each turn is encoded on its own and the ids are concatenated, so dropping the oldest turns never
re-tokenizes the rest and the ids of a kept prefix stay identical from one turn to the next.
"""

from __future__ import annotations

from dataclasses import dataclass

from edge_vdialog.dialogue.tokenizer import Tokenizer
from edge_vdialog.errors import BundleError

FORMATS = ("eos-turns", "chatml")


@dataclass(frozen=True)
class Message:
    role: str
    """``user`` or ``assistant``."""
    text: str


class PromptFormat:
    """Builds prompt ids for a conversation within a token budget."""

    def __init__(self, name: str, tok: Tokenizer, eos_id: int, system: str = "") -> None:
        if name not in FORMATS:
            raise BundleError(f"unknown prompt format {name!r} in the bundle",
                              f"supported: {', '.join(FORMATS)}")
        self.name, self.tok, self.eos_id = name, tok, eos_id
        self.head = [eos_id] if name == "eos-turns" else (
            tok.encode_template(f"<|im_start|>system\n{system}<|im_end|>\n") if system else [])
        self.reply_prefix = [] if name == "eos-turns" else tok.encode_template("<|im_start|>assistant\n")

    def turn_ids(self, message: Message, limit: int | None = None) -> list[int]:
        """Ids of one finished message; ``limit`` keeps only that many of its newest text tokens."""
        text = self.tok.encode_text(message.text)
        if limit is not None:
            text = text[len(text) - limit:] if limit > 0 else []
        before, after = self.turn_parts(message.role)
        return before + text + after

    def turn_parts(self, role: str) -> tuple[list[int], list[int]]:
        """Template ids (before, after) around the text of a ``role`` message; ``after`` starts with
        the token that ends the message (the one a model learns to emit; the toolchain's training
        and evaluation streams are built from these)."""
        if self.name == "eos-turns":
            return [], [self.eos_id]
        return (self.tok.encode_template(f"<|im_start|>{role}\n"),
                self.tok.encode_template("<|im_end|>\n"))

    def build(self, history: list[Message], user: Message, budget: int) -> tuple[list[int], int]:
        """Prompt ids for ``history`` + ``user`` in at most ``budget`` tokens.

        Oldest turns are dropped first; if the user's turn alone does not fit, its text is cut
        keeping the newest tokens. Returns (ids, number of history turns dropped).
        """
        fixed = len(self.head) + len(self.reply_prefix)
        last = self.turn_ids(user)
        if fixed + len(last) > budget:
            overhead = len(last) - len(self.tok.encode_text(user.text))
            last = self.turn_ids(user, limit=max(budget - fixed - overhead, 1))
            return self.head + last + self.reply_prefix, len(history)
        kept: list[list[int]] = []
        used = fixed + len(last)
        for turn in reversed(history):
            ids = self.turn_ids(turn)
            if used + len(ids) > budget:
                break
            kept.insert(0, ids)
            used += len(ids)
        body = [i for ids in kept for i in ids]
        return self.head + body + last + self.reply_prefix, len(history) - len(kept)
