"""Dialogue token streams for training and evaluation, in the runtime's prompt formats
(edge_vdialog/dialogue/prompt.py: GPT-2 dialogue is ``eos t1 eos t2 eos ... tn eos``).

Conversations are concatenated into one stream. The loss mask marks reply tokens, with the token that
ends each (the model learns to answer and to stop, not to open): every turn after the first
(``scored="turns"``: a chit-chat model learns both sides) or only the assistant's turns
(``scored="assistant"``: a persona learns its own voice, never the visitor's). Training windows start
anywhere in the stream (:func:`random_windows`) or only where a conversation starts (``aligned``: each
window opens with the system prompt and the conversation's first line, as every runtime prompt does).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from tokenizers import Tokenizer

from edge_vdialog.dialogue.prompt import PromptFormat
from edge_vdialog.dialogue.tokenizer import Tokenizer as RuntimeTokenizer
from export.dialogue.corpus import Conversation
from export.dialogue.gpt2_tokenizer import EOS

ROLES = ("user", "assistant")
"""Who says turn k of a conversation: ``ROLES[k % 2]``."""


SCORED = ("turns", "assistant")


@dataclass
class Stream:
    ids: np.ndarray     # (N,) int64 token ids
    mask: np.ndarray    # (N,) bool: True where the token is a reply token (scored)
    starts: np.ndarray  # (C,) int64: offset of each conversation's first token, ascending


def encode(tok: Tokenizer, convs: list[Conversation], fmt: str = "eos-turns", system: str = "",
           scored: str = "turns") -> Stream:
    """The conversations as one stream in the runtime's prompt format ``fmt`` (``eos-turns`` or ``chatml``).

    Scored: the text of every turn after the first (``scored="turns"``) or of every assistant turn
    (``"assistant"``: turns 1, 3, ...), and the token that ends it (eos / ``<|im_end|>``); never
    template tokens (``<|im_start|>user\\n``). Text is encoded with special tokens as plain text.
    """
    if scored not in SCORED:
        raise ValueError(f"scored must be one of {SCORED}, not {scored!r}")
    prompt = PromptFormat(fmt, RuntimeTokenizer(tok), tok.token_to_id(EOS), system)
    parts = [prompt.turn_parts(role) for role in ROLES]             # (before, after) per role
    tok.encode_special_tokens = True
    try:
        encoded = iter(tok.encode_batch([turn for conv in convs for turn in conv], add_special_tokens=False))
    finally:
        tok.encode_special_tokens = False
    ids: list[int] = []
    mask: list[bool] = []
    starts: list[int] = []
    for conv in convs:
        starts.append(len(ids))
        _extend(ids, mask, prompt.head, False)
        for k in range(len(conv)):
            before, after = parts[k % 2]
            _extend(ids, mask, before, False)
            _extend(ids, mask, next(encoded).ids + after[:1], k % 2 == 1 if scored == "assistant" else k > 0)
            _extend(ids, mask, after[1:], False)
    return Stream(np.asarray(ids, dtype=np.int64), np.asarray(mask, dtype=bool), np.asarray(starts, dtype=np.int64))


def _extend(ids: list[int], mask: list[bool], piece: list[int], scored: bool) -> None:
    ids.extend(piece)
    mask.extend([scored] * len(piece))


def random_windows(stream: Stream, batch: int, seq: int, rng: np.random.Generator,
                   aligned: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``batch`` random windows: inputs (B, seq) and targets (B, seq), targets -100 where not scored.
    ``aligned``: each window starts where a conversation starts (one that leaves a whole window)."""
    last = len(stream.ids) - seq - 1                              # the latest start with a whole window
    if aligned:
        eligible = stream.starts[stream.starts < last]
        starts = eligible[rng.integers(0, len(eligible), size=batch)]
    else:
        starts = rng.integers(0, last, size=batch)
    idx = starts[:, None] + np.arange(seq + 1)[None, :]          # (B, seq+1)
    ids, mask = stream.ids[idx], stream.mask[idx]
    targets = np.where(mask[:, 1:], ids[:, 1:], -100)
    return ids[:, :-1], targets


def eval_windows(stream: Stream, seq: int, limit: int | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Windows scoring every target once: [(inputs (T,), targets (T,)), ...], T = min(seq, N - 1).

    The last window is moved back to end at the stream's end; targets it shares with the previous
    window are not scored again.
    """
    n = len(stream.ids) - 1                                       # (input, target) pairs
    seq = min(seq, n)
    out = []
    for start in range(0, n, seq):
        begin = min(start, n - seq)
        ids = stream.ids[begin:begin + seq + 1]
        scored = stream.mask[begin + 1:begin + seq + 1].copy()
        scored[:start - begin] = False
        out.append((ids[:-1], np.where(scored, ids[1:], -100)))
    return out[:limit] if limit else out


def token_bytes(tok: Tokenizer) -> np.ndarray:
    """(V,) UTF-8 byte length of each token's text; special tokens (eos, ``<|im_end|>``) count as 1.

    Byte-level BPE tokens spell one printable character per byte, so the length is ``len(token)``.
    """
    lengths = np.ones(tok.get_vocab_size(with_added_tokens=True), dtype=np.int64)
    special = {t.content for t in tok.get_added_tokens_decoder().values()}
    for token, i in tok.get_vocab(with_added_tokens=True).items():
        if token not in special:
            lengths[i] = len(token)
    return lengths


@dataclass
class Score:
    """Accumulated negative log-likelihood (nats) over scored tokens."""
    nll: float = 0.0
    tokens: int = 0
    bytes: int = 0

    def add(self, nll_sum: float, targets: np.ndarray, lengths: np.ndarray) -> None:
        scored = targets[targets >= 0]
        self.nll += nll_sum
        self.tokens += int(scored.size)
        self.bytes += int(lengths[scored].sum())

    @property
    def ppl(self) -> float:
        return math.exp(self.nll / max(self.tokens, 1))

    @property
    def bits_per_byte(self) -> float:
        return self.nll / math.log(2) / max(self.bytes, 1)

    def as_dict(self) -> dict[str, float]:
        return {"ppl": round(self.ppl, 3), "bits_per_byte": round(self.bits_per_byte, 4),
                "tokens": self.tokens, "bytes": self.bytes}


def evaluate_torch(model, windows, lengths: np.ndarray, device: str = "cpu") -> Score:
    """Score windows [(inputs (T,), targets (T,))] with a torch model, 16 at a time."""
    import torch

    score = Score()
    model.eval()
    with torch.inference_mode():
        for i in range(0, len(windows), 16):
            x = torch.from_numpy(np.stack([w[0] for w in windows[i:i + 16]])).to(device)
            y = np.stack([w[1] for w in windows[i:i + 16]])
            logits = model(input_ids=x).logits.float()               # (B, T, V)
            nll = torch.nn.functional.cross_entropy(logits.flatten(0, 1), torch.from_numpy(y).to(device).flatten(),
                                                    ignore_index=-100, reduction="sum")
            score.add(float(nll), y, lengths)
    return score
