"""A conversation: history + prompt format + decoder + sampler, streaming the reply as text pieces."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np

from edge_vdialog.dialogue.decoder import KVDecoder
from edge_vdialog.dialogue.prompt import PromptFormat, Turn
from edge_vdialog.dialogue.sampling import Sampler, Sampling
from edge_vdialog.dialogue.tokenizer import Tokenizer, clean_text
from edge_vdialog.errors import UserError


class Chat:
    """One conversation with a dialogue model. Not thread-safe: one ``send`` at a time."""

    def __init__(self, decoder: KVDecoder, tokenizer: Tokenizer, fmt: PromptFormat,
                 eos_ids: list[int], stop: list[str], provider: str) -> None:
        self.decoder, self.tok, self.fmt = decoder, tokenizer, fmt
        self.eos_ids = set(eos_ids)
        self.stop = [s for s in stop if s]
        self.provider = provider
        """The execution provider that actually runs the model."""
        self.history: list[Turn] = []
        self._cached: list[int] = []      # ids whose keys/values the decoder holds

    def reset(self) -> None:
        """Start a new conversation."""
        self.history.clear()

    def warm_up(self) -> None:
        """Run one short prefill and one step, so the first real reply does not pay ONNX Runtime's
        first-run set-up (~20-30 ms measured). ``load_chat`` does it unless told not to."""
        self.decoder.reset()
        prompt = self.fmt.head + self.tok.encode_text("Hello there, how are you today? " * 4)
        self.decoder.feed(prompt[: self.decoder.max_context // 2])
        self.decoder.feed([next(iter(self.eos_ids))])
        self.decoder.reset()
        self._cached = []
        Sampler(Sampling(seed=None))      # numpy's first entropy-seeded generator costs ~8 ms

    def send(self, text: str, sampling: Sampling = Sampling(),
             cancel: threading.Event | None = None) -> Iterator[str]:
        """Say ``text``; yields the reply in pieces. The turn and the reply join the history."""
        user = Turn("user", clean_text(text))
        if not user.text:
            raise UserError("empty message", "type something to say")
        max_new = min(sampling.max_new_tokens, self.decoder.max_context // 2)
        ids, _dropped = self.fmt.build(self.history, user, self.decoder.max_context - max_new)
        reply: list[str] = []
        try:
            for piece in self._generate(ids, sampling, max_new, cancel):
                reply.append(piece)
                yield piece
        finally:
            self.history += [user, Turn("assistant", "".join(reply).strip())]

    def complete(self, text: str, sampling: Sampling = Sampling(),
                 cancel: threading.Event | None = None) -> Iterator[str]:
        """Continue ``text`` as a plain prompt (no template, no history); yields the continuation."""
        text = clean_text(text)
        if not text:
            raise UserError("empty prompt", "give some text to continue")
        max_new = min(sampling.max_new_tokens, self.decoder.max_context // 2)
        ids = self.tok.encode_text(text)[-(self.decoder.max_context - max_new):]
        yield from self._generate(ids, sampling, max_new, cancel)

    def _generate(self, ids: list[int], sampling: Sampling, max_new: int,
                  cancel: threading.Event | None) -> Iterator[str]:
        stream, pending = self.tok.stream(), ""
        for token in self.tokens(ids, sampling, max_new, cancel):
            pending += stream.push(token)
            pending, done = self._cut_stop(pending)
            if done:
                if pending:
                    yield pending
                return
            safe = len(pending) - self._held_back(pending)
            if safe > 0:
                yield pending[:safe]
                pending = pending[safe:]
        pending, _ = self._cut_stop(pending + stream.flush())
        if pending:
            yield pending

    def tokens(self, ids: list[int], sampling: Sampling, max_new: int,
               cancel: threading.Event | None = None) -> Iterator[int]:
        """Token ids continuing prompt ``ids``, as they come (eos not included).

        Prefill (reusing the cached prefix of the previous call), then one token per step until
        eos, ``max_new`` tokens, a full context or ``cancel``.
        """
        dec, sampler = self.decoder, Sampler(sampling)
        seen = np.zeros(dec.layout.vocab, bool)
        seen[[i for i in ids if i < len(seen)]] = True
        common = _common_prefix(self._cached, ids[:-1])     # keep >= 1 id to feed
        dec.rewind(common)
        self._cached = ids[:common]
        logits = dec.feed(ids[common:])                      # prefill: all new prompt tokens at once
        self._cached = list(ids)
        for step in range(max_new):
            token = sampler(logits, seen)                    # choose the next token
            if token in self.eos_ids or (cancel is not None and cancel.is_set()):
                return
            yield token
            seen[token] = True
            if step == max_new - 1 or dec.room == 0:
                return
            logits = dec.feed([token])                       # one step: the chosen token
            self._cached.append(token)

    def _cut_stop(self, text: str) -> tuple[str, bool]:
        """``text`` up to the first stop string, and whether one was found."""
        hits = [text.find(s) for s in self.stop if s in text]
        return (text[: min(hits)], True) if hits else (text, False)

    def _held_back(self, text: str) -> int:
        """Length of the tail of ``text`` that could be the start of a stop string."""
        return max((k for s in self.stop for k in range(1, len(s)) if text.endswith(s[:k])), default=0)


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    diff = np.flatnonzero(np.asarray(a[:n]) != np.asarray(b[:n]))
    return int(diff[0]) if len(diff) else n
