"""train-gan on a small synthetic caption-image set: it learns (above chance on concepts it never saw),
checkpoints, draws sample grids, logs metrics and resumes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from export.__main__ import main

CONCEPTS = 40          # 20 held out entirely; 20 trained, each with one held-out phrasing
HELD_OUT = CONCEPTS // 2


def synthetic_data(path: Path) -> Path:
    """Concept c: a 64x64 image of one flat colour, two captions whose embeddings spell that colour
    (dims 0-2, plus a constant and a little noise; unit length), so colour follows from the text
    even for concepts never trained on: a trivially learnable set."""
    rng = np.random.default_rng(0)
    colours = rng.integers(0, 256, (CONCEPTS, 3), dtype=np.uint8)
    images = np.broadcast_to(colours[:, None, None, :], (CONCEPTS, 64, 64, 3)).copy()
    concept = np.repeat(np.arange(CONCEPTS, dtype=np.int32), 2)                 # 2 captions each
    split = np.where(concept < CONCEPTS // 2, 2, np.tile([0, 1], CONCEPTS)).astype(np.int8)
    emb = np.zeros((len(concept), 384), np.float32)
    emb[:, :3], emb[:, 3] = colours[concept] / 127.5 - 1, 1.0
    emb += 0.02 * rng.normal(size=emb.shape)
    emb = (emb / np.linalg.norm(emb, axis=1, keepdims=True)).astype(np.float32)
    captions = np.array([f"colour {c} caption {i % 2}" for i, c in enumerate(concept)])
    np.savez_compressed(path, images=images, names=np.array([f"colour {c}" for c in range(CONCEPTS)]),
                        captions=captions, concept=concept, split=split, emb=emb, sources="{}")
    return path


def train(data: Path, run: Path, steps: int) -> int:
    return main(["train-gan", "--data", str(data), "--run", str(run), "--max-steps", str(steps),
                 "--batch", "4", "--layout-batch", "32", "--layout-lr", "3e-3", "--text-noise", "0",
                 "--layout-noise", "0", "--minutes", "10"])


def test_train_gan_checkpoints_and_resumes(tmp_path, capsys):
    data, run = synthetic_data(tmp_path / "data.npz"), tmp_path / "run"
    assert train(data, run, steps=20) == 0
    assert (run / "ckpt.pt").is_file() and (run / "samples" / "epoch_0001.png").is_file()
    first = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert first[-1]["step"] == 20 and first[-1]["layout"] < first[0]["layout"] / 4
    # pictures of the held-out concepts match their own colour: chance is 1/20 (top-1), 5/20 (top-5)
    assert first[-1]["heldout_top1"] >= 6 / HELD_OUT and first[-1]["heldout_top5"] >= 15 / HELD_OUT
    capsys.readouterr()
    assert train(data, run, steps=22) == 0                                      # same command: resumes
    out = capsys.readouterr().out
    assert "resumed from" in out and "step 20" in out and "done: step 22" in out
    assert len((run / "args.jsonl").read_text().splitlines()) == 2             # one line per leg
