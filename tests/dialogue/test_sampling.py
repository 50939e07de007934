"""Sampling properties on fixed logits (pure numpy, no model)."""

from __future__ import annotations

import numpy as np
import pytest

from edge_vdialog.dialogue.sampling import Sampler, Sampling, filter_probs, penalize
from edge_vdialog.errors import UserError

LOGITS = np.log(np.array([0.5, 0.2, 0.15, 0.1, 0.05], np.float32))
NONE_SEEN = np.zeros(5, bool)


def draws(params: Sampling, n: int = 2000) -> np.ndarray:
    s = Sampler(params)
    return np.array([s(LOGITS, NONE_SEEN) for _ in range(n)])


def test_greedy_takes_argmax():
    assert set(draws(Sampling(greedy=True), 20)) == {0}


def test_top_k_one_is_greedy():
    assert set(draws(Sampling(top_k=1, temperature=5.0), 50)) == {0}


def test_top_k_limits_candidates():
    assert set(draws(Sampling(top_k=2, top_p=1.0, temperature=1.0))) == {0, 1}


def test_top_p_keeps_smallest_set_reaching_p():
    ids, probs = filter_probs(LOGITS, 0, 0.8)            # 0.5 + 0.2 < 0.8 <= 0.5 + 0.2 + 0.15
    assert list(ids) == [0, 1, 2] and probs.sum() == pytest.approx(1.0)


def test_temperature_one_follows_the_distribution():
    counts = np.bincount(draws(Sampling(top_k=0, top_p=1.0, temperature=1.0), 4000), minlength=5) / 4000
    assert np.allclose(counts, np.exp(LOGITS), atol=0.04)


def test_low_temperature_sharpens():
    hot = draws(Sampling(top_k=0, top_p=1.0, temperature=2.0))
    cold = draws(Sampling(top_k=0, top_p=1.0, temperature=0.3))
    assert (cold == 0).mean() > (hot == 0).mean() + 0.2


def test_seed_reproduces():
    p = Sampling(top_k=0, top_p=1.0, temperature=1.0, seed=7)
    assert list(draws(p, 50)) == list(draws(p, 50))
    assert list(draws(p, 50)) != list(draws(Sampling(top_k=0, top_p=1.0, temperature=1.0, seed=8), 50))


def test_repetition_penalty_like_transformers():
    logits = np.array([2.0, -2.0, 1.0], np.float32)
    out = penalize(logits, np.array([True, True, False]), 2.0)
    assert list(out) == [1.0, -4.0, 1.0]                 # positive divided, negative multiplied
    assert Sampler(Sampling(greedy=True, repetition_penalty=3.0))(logits, np.array([True, False, False])) == 2


@pytest.mark.parametrize("bad", [dict(temperature=0), dict(top_p=0), dict(top_k=-1),
                                 dict(repetition_penalty=0), dict(max_new_tokens=0)])
def test_bad_parameters_are_user_errors(bad):
    with pytest.raises(UserError):
        Sampling(**bad)


def test_repeated_ngram_ends():
    from edge_vdialog.dialogue.sampling import repeated_ngram_ends
    assert repeated_ngram_ends([5, 6, 7, 5, 6], 3) == [7]            # 5 6 -> 7 was said
    assert repeated_ngram_ends([1, 1, 1], 2) == [1, 1]               # "no no" -> not another "no"
    assert repeated_ngram_ends([1, 2, 3], 3) == [] and repeated_ngram_ends([1, 2], 0) == []


def test_no_loops_in_a_reply(tiny):
    from edge_vdialog.bundle import Bundle
    from edge_vdialog.dialogue import Sampling, load_chat
    chat = load_chat(Bundle.load(tiny["gpt2_fp32"]))
    chat.eos_ids = set()
    ids = chat.tok.encode_text("hello there")
    loose = list(chat.tokens(ids, Sampling(greedy=True, repetition_penalty=1.0), 40))
    strict = list(chat.tokens(ids, Sampling(greedy=True, repetition_penalty=1.0, no_repeat_ngram=2), 40))
    pairs = list(zip(strict, strict[1:]))
    assert len(set(zip(loose, loose[1:]))) < len(loose) - 1       # greedy on random weights loops
    assert len(set(pairs)) == len(pairs)                           # no pair of tokens twice
