"""A conversation: history + prompt format + decoder + sampler, streaming the reply as text pieces."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np

from edge_vdialog.dialogue.endings import WORD_TOKENS, Endings
from edge_vdialog.dialogue.numbers import Numbers
from edge_vdialog.dialogue.prompt import Message, PromptFormat
from edge_vdialog.dialogue.sampling import Sampler, Sampling, repeated_ngram_ends
from edge_vdialog.dialogue.tokenizer import Tokenizer, clean_text
from edge_vdialog.dialogue.tone import cheer_ids, condolence_ids, grieves, sorry_fits
from edge_vdialog.errors import UserError
from edge_vdialog.interfaces import Decoder

KEEP_AFTER_COMPACTION = 0.5
"""When the history no longer leaves room for the next exchange, the oldest messages are dropped
until it fills at most this share of the context, so the next several turns share a cached prefix."""
PREFILL_CHUNK = 8
"""Tokens per step when :meth:`Conversation.prepare` prefills (~25 ms each on 2 cores), so new input
waits for at most one step."""
NEXT_USER_TOKENS = 64
"""Room kept for the next person's line when deciding whether the history must be compacted."""


class Conversation:
    """One conversation with a causal language model (a :class:`~edge_vdialog.interfaces.Dialogue`).
    Not thread-safe: one ``send`` at a time."""

    def __init__(self, decoder: Decoder, tokenizer: Tokenizer, fmt: PromptFormat,
                 eos_ids: list[int], stop: list[str]) -> None:
        self.decoder, self.tok, self.fmt = decoder, tokenizer, fmt
        self.eos_ids = set(eos_ids)
        self.stop = [s for s in stop if s]
        self.provider = decoder.provider
        """The execution provider that actually runs the model."""
        self.history: list[Message] = []
        """The messages the next prompt starts from (older ones were dropped to fit the context)."""
        self._cached: list[int] = []      # ids whose keys/values the decoder holds
        self.condolences = condolence_ids(tokenizer)
        """Never sampled in a reply to a line without cause for a "sorry" (:mod:`edge_vdialog.dialogue.tone`)."""
        self.cheers = cheer_ids(tokenizer)
        """Never sampled in a reply to news of a death (:mod:`edge_vdialog.dialogue.tone`)."""
        self.numbers = Numbers(tokenizer)
        """Number tokens, sampled in a reply only for numbers the line says (:mod:`edge_vdialog.dialogue.numbers`)."""

    def reset(self) -> None:
        """Start a new conversation."""
        self.history.clear()

    @property
    def kept(self) -> list[Message]:
        """The history, as a conversation held elsewhere (a kiosk talking to a server) gets it back."""
        return self.history

    def resume(self, kept: list[Message]) -> None:
        """Continue a conversation held elsewhere (a kiosk talking to a server) from its ``kept``."""
        self.history = list(kept)

    def warm_up(self) -> None:
        """Run one short prefill and one step, so the first real reply does not pay ONNX Runtime's
        first-run set-up (~20-30 ms measured), then leave the prompt head (system prompt) in the
        cache, so no turn prefills it again. ``load_chat`` does it unless told not to."""
        self.decoder.reset()
        prompt = self.fmt.head + self.tok.encode_text("Hello there, how are you today? " * 4)
        self.decoder.feed(prompt[: self.decoder.max_context // 2])
        self.decoder.feed([next(iter(self.eos_ids))])
        self.decoder.reset()
        self._cached = []
        if len(self.fmt.head) > 1:                 # keep >= 1 prompt id for the turn's own prefill
            self.decoder.feed(self.fmt.head)
            self._cached = list(self.fmt.head)
        Sampler(Sampling(seed=None))      # numpy's first entropy-seeded generator costs ~8 ms

    def send(self, text: str, sampling: Sampling = Sampling(),
             cancel: threading.Event | None = None) -> Iterator[str]:
        """Say ``text``; yields the reply in pieces. The exchange joins the history when the reply
        has text (a reply cancelled before its first word leaves no trace); then, if the history
        has grown too long for the next exchange, it is compacted while nobody waits."""
        user = Message("user", clean_text(text))
        if not user.text:
            raise UserError("empty message", "type something to say")
        max_new = self._max_new(sampling)
        ids, dropped = self.fmt.build(self.history, user, self.decoder.max_context - max_new)
        del self.history[:dropped]
        reply: list[str] = []
        endings = Endings(sampling.soft_max_chars, min(sampling.max_new_tokens, max_new))
        avoid = ((() if sorry_fits(user.text) else self.condolences) + (self.cheers if grieves(user.text) else ())
                 + self.numbers.banned(user.text))
        for piece in self._generate(ids, sampling, max_new, cancel, endings, avoid):
            reply.append(piece)
            yield piece
        answer = "".join(reply).strip()
        if answer:
            self.history += [user, Message("assistant", answer)]
            self._compact(max_new)

    def remember(self, text: str, reply: str) -> None:
        """Add an exchange answered elsewhere (a skill) to the history; :meth:`prepare` prefills it
        when the kiosk is idle, else the next prompt does."""
        self.history += [Message("user", clean_text(text)), Message("assistant", reply.strip())]

    def prepare(self, cancel: threading.Event) -> None:
        """Prefill what the history holds beyond the cache (exchanges added by :meth:`remember`) while
        the kiosk is idle, :data:`PREFILL_CHUNK` tokens at a time, until ``cancel`` is set. Else the
        next reply pays for it before its first token: two remembered exchanges (~110 tokens) cost
        it 435 ms on 2 cores, measured."""
        prefix = self.fmt.head + [i for m in self.history for i in self.fmt.turn_ids(m)]
        if len(prefix) > self.decoder.max_context // 2:
            return                                    # a long history: the next send compacts it
        common = _common_prefix(self._cached, prefix)
        if common == len(prefix):
            return
        self.decoder.rewind(common)
        self._cached = prefix[:common]
        for start in range(common, len(prefix), PREFILL_CHUNK):
            if cancel.is_set():
                return
            chunk = prefix[start:start + PREFILL_CHUNK]
            self.decoder.feed(chunk)
            self._cached += chunk

    def complete(self, text: str, sampling: Sampling = Sampling(),
                 cancel: threading.Event | None = None) -> Iterator[str]:
        """Continue ``text`` as a plain prompt (no template, no history); yields the continuation,
        exactly ``max_new_tokens`` long unless eos comes first (no sentence endings applied)."""
        text = clean_text(text)
        if not text:
            raise UserError("empty prompt", "give some text to continue")
        max_new = min(sampling.max_new_tokens, self.decoder.max_context // 2)
        ids = self.tok.encode_text(text)[-(self.decoder.max_context - max_new):]
        yield from self._generate(ids, sampling, max_new, cancel, Endings(0, max_new + 1))

    def _max_new(self, sampling: Sampling) -> int:
        """Tokens a reply may take: the cap plus room to finish a word, within half the context."""
        return min(sampling.max_new_tokens + WORD_TOKENS, self.decoder.max_context // 2)

    def _compact(self, max_new: int) -> None:
        """If the next exchange would not fit after the kept history, drop the oldest exchanges
        down to :data:`KEEP_AFTER_COMPACTION` of the context and prefill what is left now, so the
        next turn's first token costs only that turn's own tokens. The newest exchange always
        stays in the history (what was just said); if it alone is too long, nothing is prefilled
        and the next prompt cuts it as usual."""
        budget, head = self.decoder.max_context - max_new, len(self.fmt.head)
        parts = [self.fmt.turn_ids(m) for m in self.history]          # each message's ids, once
        if head + sum(map(len, parts)) + NEXT_USER_TOKENS <= budget:
            return
        target, drop = int(budget * KEEP_AFTER_COMPACTION), 0
        while len(parts) - drop > 2 and head + sum(map(len, parts[drop:])) > target:
            drop += 2                                         # one exchange: user + assistant; the
                                                              # newest always stays (what was just said)
        del self.history[:drop]
        prefix = self.fmt.head + [i for ids in parts[drop:] for i in ids]
        if prefix and len(prefix) <= target:
            self.decoder.reset()
            self.decoder.feed(prefix)
            self._cached = prefix

    def _generate(self, ids: list[int], sampling: Sampling, max_new: int,
                  cancel: threading.Event | None, endings: Endings, avoid: tuple[int, ...] = ()) -> Iterator[str]:
        stream, pending = self.tok.stream(), ""
        for token in self.tokens(ids, sampling, max_new, cancel, avoid):
            shown, end = endings.add(stream.push(token))
            pending, stopped = self._cut_stop(pending + shown)
            if stopped or end:
                break
            safe = len(pending) - self._held_back(pending)
            if safe > 0:
                yield pending[:safe]
                pending = pending[safe:]
        else:
            pending, _ = self._cut_stop(pending + stream.flush())
        pending = pending.rstrip() + endings.tail() if endings.truncated else pending
        if pending:
            yield pending

    def tokens(self, ids: list[int], sampling: Sampling, max_new: int,
               cancel: threading.Event | None = None, avoid: tuple[int, ...] = ()) -> Iterator[int]:
        """Token ids continuing prompt ``ids``, as they come (eos not included).

        Prefill (reusing the cached prefix of the previous call), then one token per step until
        eos, ``max_new`` tokens, a full context or ``cancel``. The first token is never eos: an
        empty reply is no answer; no token of ``avoid`` is ever chosen.
        """
        dec, sampler = self.decoder, Sampler(sampling)
        seen = np.zeros(dec.vocab, bool)
        seen[[i for i in ids if i < len(seen)]] = True
        common = _common_prefix(self._cached, ids[:-1])     # keep >= 1 id to feed
        dec.rewind(common)
        self._cached = ids[:common]
        logits = dec.feed(ids[common:])                      # prefill: all new prompt tokens at once
        self._cached = list(ids)
        eos, reply = [i for i in self.eos_ids if i < len(logits)], []
        for step in range(max_new):
            banned = eos + list(avoid) if step == 0 else list(avoid)     # no empty replies
            banned += repeated_ngram_ends(reply, sampling.no_repeat_ngram)
            if banned:
                logits = logits.copy()
                logits[banned] = -np.inf
            token = sampler(logits, seen)                    # choose the next token
            if token in self.eos_ids or (cancel is not None and cancel.is_set()):
                return
            yield token
            seen[token] = True
            reply.append(token)
            if step == max_new - 1 or dec.length == dec.max_context:
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
