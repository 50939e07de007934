"""train-gan --size 128 on a tiny synthetic 128-px set: steps run, a stopped-and-resumed run equals an
unbroken one bit for bit, and the exported generator runs in the runtime at 128 px, drawing what torch draws."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

torch = pytest.importorskip("torch")

from export.__main__ import main

CONCEPTS = 8
TINY = "16,8,8,8,8,8"          # G channels at 4..128 px (attention at 16 px stays on)


def synthetic_data(path: Path) -> Path:
    """Concept c: a 128x128 image, flat colour with a darker square; two captions whose embeddings spell
    the colour. Concepts 0-1 held out entirely, the rest train with one held-out phrasing each."""
    rng = np.random.default_rng(0)
    colours = rng.integers(0, 256, (CONCEPTS, 3), dtype=np.uint8)
    images = np.broadcast_to(colours[:, None, None, :], (CONCEPTS, 128, 128, 3)).copy()
    images[:, 32:96, 32:96] //= 2
    concept = np.repeat(np.arange(CONCEPTS, dtype=np.int32), 2)
    split = np.where(concept < 2, 2, np.tile([0, 1], CONCEPTS)).astype(np.int8)
    emb = np.zeros((len(concept), 384), np.float32)
    emb[:, :3], emb[:, 3] = colours[concept] / 127.5 - 1, 1.0
    emb += 0.02 * rng.normal(size=emb.shape)
    emb = (emb / np.linalg.norm(emb, axis=1, keepdims=True)).astype(np.float32)
    np.savez_compressed(path, images=images, names=np.array([f"colour {c}" for c in range(CONCEPTS)]),
                        captions=np.array([f"colour {c} caption {i % 2}" for i, c in enumerate(concept)]),
                        concept=concept, split=split, emb=emb, sources="{}")
    return path


def train(data: Path, run: Path, steps: int) -> int:
    return main(["train-gan", "--size", "128", "--channels", TINY, "--data", str(data), "--run", str(run),
                 "--max-steps", str(steps), "--batch", "4", "--layout-batch", "8", "--r1", "0.1",
                 "--ckpt-steps", "2", "--log-steps", "1", "--eval-steps", "2", "--minutes", "10"])


def states_equal(a: dict, b: dict, path: str = "") -> list[str]:
    """Names of the tensors that differ between two (nested) state dicts."""
    if isinstance(a, torch.Tensor):
        return [] if torch.equal(a, b) else [path]
    if isinstance(a, dict):
        return [d for k in a for d in states_equal(a[k], b[k], f"{path}/{k}")]
    if isinstance(a, (list, tuple)):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in states_equal(x, y, f"{path}/{i}")]
    return [] if a == b else [path]


def test_resume_is_bit_exact(tmp_path, capsys):
    data = synthetic_data(tmp_path / "data.npz")
    assert train(data, tmp_path / "straight", steps=4) == 0
    assert train(data, tmp_path / "legs", steps=2) == 0
    capsys.readouterr()
    assert train(data, tmp_path / "legs", steps=4) == 0                       # same command: resumes
    out = capsys.readouterr().out
    assert "resumed from" in out and "step 2" in out and "done: step 4" in out
    assert '"step": 3' in out                                                  # progress lines
    a = torch.load(tmp_path / "straight" / "ckpt.pt", weights_only=False)
    b = torch.load(tmp_path / "legs" / "ckpt.pt", weights_only=False)
    assert a["step"] == b["step"] == 4
    for name in ("G", "D", "G_ema", "opt_g", "opt_d"):
        assert states_equal(a[name], b[name]) == [], name
    trained = b                                                                # training changed the weights
    assert (tmp_path / "legs" / "samples" / "step_0000004.png").is_file()
    from export.imagegen.gan_model128 import Config, Generator128
    torch.manual_seed(0)
    G0 = Generator128(Config.from_dict(trained["config"]))
    assert not torch.equal(G0.to_rgb.weight, trained["G"]["to_rgb.weight"])


def test_export_runs_in_runtime_at_128(tmp_path):
    from edge_vdialog.bundle import Bundle
    from edge_vdialog.imagegen import load_image_generator
    from export.common.bundle_writer import write_component
    from export.imagegen.gan_model128 import generator_from_state
    from export.imagegen.gan_onnx import (
        ENCODER_IO,
        GENERATOR_IO,
        export_generator,
        export_static_encoder,
    )
    from tests.imagegen.tiny import SPECIAL, WORDS, make_tokenizer
    data = synthetic_data(tmp_path / "data.npz")
    assert train(data, tmp_path / "run", steps=2) == 0
    G = generator_from_state(torch.load(tmp_path / "run" / "ckpt.pt", weights_only=False))
    onnx_path = export_generator(G, tmp_path / "generator.onnx")
    table = np.random.default_rng(0).standard_normal((len(SPECIAL) + len(WORDS), 384)).astype(np.float32)
    root = tmp_path / "bundle"
    write_component(root, "text_encoder", {"model": export_static_encoder(table, tmp_path / "enc.onnx"),
                                           "tokenizer": make_tokenizer(tmp_path / "tokenizer.json")},
                    kind="text-encoder", io=ENCODER_IO, precision="int8-weights",
                    config={"dim": 384, "max_tokens": 16})
    write_component(root, "generator", {"model": onnx_path}, kind="gan-generator", io=GENERATOR_IO,
                    config={"z_dim": 64, "size": 128, "neutral_rgb": [245, 245, 245]})
    gen = load_image_generator(Bundle.load(root))
    picture = gen.generate("a red apple", seed=3)
    assert picture.shape == (128, 128, 3) and picture.dtype == np.uint8
    assert picture.std() > 0                                                   # not a flat fill
    with torch.no_grad():                                                      # the runtime draws what torch draws
        want = G(torch.from_numpy(gen.noise(3)[None]), torch.from_numpy(gen.encoder.encode(["a red apple"])))
    want = ((want.permute(0, 2, 3, 1).numpy()[0] + 1) * 127.5).clip(0, 255).round()
    assert np.abs(picture.astype(np.int16) - want).max() <= 1
