"""Next-token choice in numpy: greedy, or temperature + top-k + top-p with a repetition penalty."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edge_vdialog.errors import UserError


@dataclass(frozen=True)
class Sampling:
    """How each next token is chosen and how long a reply may be."""

    greedy: bool = False
    """Take the most likely token (temperature, top-k and top-p are then ignored)."""
    temperature: float = 0.7
    """Divides the logits; < 1 sharpens, > 1 flattens. Must be > 0."""
    top_k: int = 50
    """Keep only the k most likely tokens; 0 keeps all."""
    top_p: float = 0.9
    """Keep the smallest set of tokens whose probability sums to at least p; 1.0 keeps all."""
    repetition_penalty: float = 1.1
    """Logits of tokens already in the context are divided (if > 0) or multiplied (if < 0) by this;
    1.0 disables it (as in transformers' ``RepetitionPenaltyLogitsProcessor``)."""
    max_new_tokens: int = 64
    """Hard cap on a reply's length, tokens; a reply that reaches it mid-sentence finishes its word
    and ends with an ellipsis (see :mod:`edge_vdialog.dialogue.endings`)."""
    soft_max_chars: int = 0
    """Reply length after which it stops at the next sentence end, characters; 0: only the cap."""
    no_repeat_ngram: int = 0
    """A reply never repeats a sequence of this many tokens (stops "no no no ..." loops); 0: off."""
    seed: int | None = None
    """Seed of the random generator (a fixed seed gives the same reply for the same prompt)."""

    def __post_init__(self) -> None:
        if not self.temperature > 0:
            raise UserError(f"temperature must be > 0, got {self.temperature}")
        if self.top_k < 0 or not 0 < self.top_p <= 1:
            raise UserError(f"top_k must be >= 0 and 0 < top_p <= 1, got {self.top_k}, {self.top_p}")
        if (not self.repetition_penalty > 0 or self.max_new_tokens < 1 or self.soft_max_chars < 0
                or self.no_repeat_ngram < 0):
            raise UserError("repetition_penalty must be > 0, max_new_tokens >= 1, soft_max_chars and "
                            "no_repeat_ngram >= 0")
        if self.seed is not None and not 0 <= self.seed < 2**63:
            raise UserError(f"seed {self.seed} out of range", "use an integer from 0 to 2**63-1")


class Sampler:
    """Chooses token ids for one reply; holds the random generator seeded from ``Sampling.seed``."""

    def __init__(self, params: Sampling) -> None:
        self.params = params
        self.rng = None if params.greedy else np.random.default_rng(params.seed)

    def __call__(self, logits: np.ndarray, seen: np.ndarray) -> int:
        """``logits``: (V,) float32 for the next position; ``seen``: (V,) bool, tokens in the context."""
        p = self.params
        if p.repetition_penalty != 1.0 and seen.any():
            logits = penalize(logits, seen, p.repetition_penalty)
        if p.greedy:
            return int(np.argmax(logits))
        ids, probs = filter_probs(logits / p.temperature, p.top_k, p.top_p)
        pick = np.searchsorted(np.cumsum(probs), self.rng.random() * probs.sum(), side="right")
        return int(ids[min(pick, len(ids) - 1)])                       # draw from probs


def penalize(logits: np.ndarray, seen: np.ndarray, penalty: float) -> np.ndarray:
    """A copy of ``logits`` with seen tokens made less likely by ``penalty``."""
    out = logits.copy()
    s = out[seen]
    out[seen] = np.where(s > 0, s / penalty, s * penalty)
    return out


def filter_probs(logits: np.ndarray, top_k: int, top_p: float) -> tuple[np.ndarray, np.ndarray]:
    """Candidate ids (most likely first) and their renormalized probabilities after top-k and top-p.

    Costs O(vocab) per token (a partition, no full sort) unless top-p alone needs most of the vocabulary.
    """
    n = len(logits)
    k = n if top_k <= 0 else min(top_k, n)
    if top_p < 1.0 and k == n:                                         # nucleus alone: grow a
        probs = np.exp(logits - logits.max())                          # candidate set until it
        need, k = top_p * probs.sum(), 64                              # holds mass p
        while k < n and np.partition(probs, n - k)[n - k:].sum() < need:
            k *= 4
        k = min(k, n)
    ids = top_ids(logits, k)
    z = logits[ids].astype(np.float64)
    probs = np.exp(z - z[0])
    probs /= probs.sum()
    if top_p < 1.0:
        keep = int(np.searchsorted(np.cumsum(probs), top_p) + 1)       # smallest set reaching p
        ids, probs = ids[:keep], probs[:keep] / probs[:keep].sum()
    return ids, probs


def top_ids(logits: np.ndarray, k: int) -> np.ndarray:
    """Ids of the ``k`` largest logits, largest first (ties: lower id first)."""
    n = len(logits)
    if k >= n:
        return np.argsort(-logits, kind="stable")
    kth = np.partition(logits, n - k)[n - k]                           # k-th largest value
    ids = np.flatnonzero(logits >= kth)
    return ids[np.argsort(-logits[ids], kind="stable")][:k]


def repeated_ngram_ends(reply: list[int], n: int) -> list[int]:
    """Tokens that would complete an ``n``-token sequence already in ``reply`` (the ids so far)."""
    if n <= 0 or len(reply) < n:
        return []
    tail = reply[len(reply) - n + 1:]                                  # the n-1 newest ids
    return [reply[i + n - 1] for i in range(len(reply) - n + 1) if reply[i:i + n - 1] == tail]
