"""Calibration sets and the ONNX Runtime reader."""

from __future__ import annotations

import numpy as np
import pytest

from calibration.readers import SetReader
from calibration.sets import CalibrationSet, generator_set, token_set
from edge_vdialog.errors import UserError


def _embed(texts):
    return np.ones((len(texts), 384), np.float32) / np.sqrt(384)


def test_generator_set_shapes_and_round_trip(tmp_path):
    cal = generator_set(["a", "b", "c"], _embed, z_dim=64, seed=1)
    assert cal.arrays["noise"].shape == (3, 64) and cal.arrays["text_embedding"].shape == (3, 384)
    back = CalibrationSet.load(cal.save(tmp_path / "c.npz"))
    assert len(back) == 3 and np.array_equal(back.arrays["noise"], cal.arrays["noise"])


def test_batches_are_contiguous_and_cover_everything():
    cal = generator_set([str(i) for i in range(5)], _embed, z_dim=8)
    batches = list(cal.batches(2))
    assert [len(b["noise"]) for b in batches] == [2, 2, 1]
    assert all(b["noise"].flags.c_contiguous for b in batches)


def test_token_set_pads_and_keeps_the_newest_tokens():
    cal = token_set(["short", "long"], lambda t: [1, 2] if t == "short" else list(range(10, 20)), length=4)
    assert cal.arrays["input_ids"].tolist() == [[1, 2, 0, 0], [16, 17, 18, 19]]
    assert cal.arrays["attention_mask"].tolist() == [[1, 1, 0, 0], [1, 1, 1, 1]]


def test_reader_feeds_then_ends_and_rewinds():
    cal = generator_set(["a", "b", "c"], _embed, z_dim=8)
    past = np.zeros((1, 2, 0, 4), np.float32)
    reader = SetReader(cal, ["noise", "text_embedding", "past"], constant={"past": past})
    feeds = [reader.get_next() for _ in range(4)]
    assert feeds[3] is None and feeds[0]["noise"].shape == (1, 8) and feeds[0]["past"] is past
    reader.rewind()
    assert reader.get_next() is not None


def test_reader_names_missing_inputs():
    cal = generator_set(["a"], _embed, z_dim=8)
    with pytest.raises(UserError, match="input_ids"):
        SetReader(cal, ["input_ids"])


def test_inconsistent_or_missing_sets_are_errors(tmp_path):
    with pytest.raises(UserError, match="sample count"):
        CalibrationSet({"a": np.zeros((2, 1)), "b": np.zeros((3, 1))})
    with pytest.raises(UserError, match="no calibration set"):
        CalibrationSet.load(tmp_path / "none.npz")


def test_texts_from_chitchat():
    pytest.importorskip("chitchat_dataset")
    from calibration.texts import dialogue_prompts, reply_texts
    assert len(set(reply_texts(20, seed=3))) >= 18 and reply_texts(5, 1) == reply_texts(5, 1)
    contexts = dialogue_prompts(10, turns=3)
    assert len(contexts) == 10 and all(1 <= len(c) <= 3 and all(t.strip() for t in c) for c in contexts)
    assert dialogue_prompts(10, turns=3) == contexts
