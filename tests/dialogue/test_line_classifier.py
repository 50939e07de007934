"""Learnt questions about a line (``staff_lines``, ``fact_lines``): their features, broken classifier files,
and the training command."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from edge_vdialog.bundle import Bundle
from edge_vdialog.dialogue.answers import AnswerBank
from edge_vdialog.dialogue.line_classifier import BUCKETS, LineClassifier, word_features
from edge_vdialog.errors import BundleError
from export.__main__ import main as export_main
from export.dialogue.line_classifier import CLASSIFIERS

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "models" / "default"


def test_the_committed_bundle_has_every_classifier_over_its_encoder(default_bank):
    assert sorted(default_bank.classifiers) == sorted(CLASSIFIERS)
    assert all(c.encoder is default_bank.encoder for c in default_bank.classifiers.values())   # one encoder, once


def test_word_features_are_stable_and_in_range():
    got, value = word_features("Where's the LIFT, please?")
    assert got.tolist() == word_features("where's the lift please")[0].tolist()
    assert len(got) == 7 and 0 <= got.min() and got.max() < BUCKETS                 # 4 words, 3 pairs
    assert value == pytest.approx(7 ** -0.5) and word_features("🙂")[1] == 0


def _bundle_copy(tmp_path: Path) -> Path:
    out = tmp_path / "b"
    shutil.copytree(DEFAULT, out)
    return out


@pytest.mark.parametrize("name", ["staff_lines", "fact_lines"])
def test_a_broken_classifier_is_a_clear_error(tmp_path, name, default_bank):
    out = _bundle_copy(tmp_path)
    Bundle.load(out).component(name).path("weights").write_bytes(b"not a zip file" * 10)
    with pytest.raises(BundleError, match=f"{name}|checksum|sha256|size|bytes"):
        AnswerBank.load(Bundle.load(out))
    with pytest.raises(ValueError, match="shape"):
        LineClassifier(default_bank.encoder, np.zeros(10, np.float32), 0.0, 0.5)


def test_training_writes_a_classifier_the_skills_load(tmp_path, capsys):
    out = _bundle_copy(tmp_path)
    facts = ["what year did the titanic sink", "how do i get wine out of a carpet", "why is the sky blue",
             "how many legs does a spider have", "whats the capital of peru", "how do you tie a bowline",
             "when did the romans leave britain", "what does VAR stand for", "how far is the moon",
             "whats the difference between a frog and a toad"]
    other = ["hello there", "draw me a cat", "my dog is ill", "where is the cafe", "you are funny",
             "i love this place", "what time do you close", "tell me a joke", "who made you", "thanks bye"]
    labels = tmp_path / "labels.tsv"
    labels.write_text("".join(f"{t}\t1\tlabelled\n" for t in facts) + "".join(f"{t}\t0\tlabelled\n" for t in other),
                      encoding="utf-8")
    assert export_main(["line-classifier", "fact_lines", "--bundle", str(out), "--labels", str(labels),
                        "--steps", "60", "--precision", "0.6"]) == 0
    assert "cross-validated" in capsys.readouterr().out
    lines = AnswerBank.load(Bundle.load(out)).classifiers["fact_lines"]
    assert lines.probability("why is the sky blue") > lines.probability("draw me a cat")
    assert Bundle.load(out).component("fact_lines").path("weights").name == "facts.npz"
    labels.write_text("where is it\t2\twritten\n", encoding="utf-8")
    assert export_main(["line-classifier", "staff_lines", "--bundle", str(out), "--labels", str(labels)]) != 0
