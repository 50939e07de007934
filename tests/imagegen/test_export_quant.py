"""Export side: static INT8 of the generator (structure + fidelity), the INT8 encoder table."""

from __future__ import annotations

import numpy as np
import onnx
import pytest

pytest.importorskip("torch")

from calibration.readers import SetReader
from calibration.sets import generator_set
from export.imagegen.gan_onnx import (
    GENERATOR_IO,
    export_generator,
    export_static_encoder,
    psnr,
    quantize_generator,
)
from tests.imagegen.tiny import make_generator


def _embed(texts):
    rng = np.random.default_rng(len(texts))
    v = rng.standard_normal((len(texts), 384)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_generator_int8_is_quantized_and_close(tmp_path):
    from edge_vdialog.engines import EngineOptions, open_engine
    from edge_vdialog.imagegen.generator import to_uint8
    fp32 = export_generator(make_generator(), tmp_path / "g.onnx")
    cal = generator_set([f"text {i}" for i in range(16)], _embed, z_dim=64)
    int8 = quantize_generator(fp32, tmp_path / "g8.onnx", SetReader(cal, GENERATOR_IO["inputs"]))
    ops = [n.op_type for n in onnx.load(str(int8)).graph.node]
    convs = ops.count("Conv")
    assert convs == 7 and ops.count("DequantizeLinear") >= 2 * convs   # weight + activation per conv
    assert [i.name for i in onnx.load(str(int8)).graph.input] == GENERATOR_IO["inputs"]
    feeds = generator_set([f"other {i}" for i in range(8)], _embed, z_dim=64, seed=5).arrays
    a, b = (to_uint8(open_engine(p, EngineOptions()).run(feeds)["image"]) for p in (fp32, int8))
    assert a.shape == b.shape == (8, 64, 64, 3)
    assert psnr(a, b) > 20.0


def test_dynamic_batch(tmp_path):
    from edge_vdialog.engines import EngineOptions, open_engine
    eng = open_engine(export_generator(make_generator(), tmp_path / "g.onnx"), EngineOptions())
    for b in (1, 5):
        out = eng.run({"noise": np.zeros((b, 64), np.float32), "text_embedding": np.zeros((b, 384), np.float32)})
        assert out["image"].shape == (b, 3, 64, 64)


def test_int8_encoder_table_matches_fp32(tmp_path):
    from edge_vdialog.engines import EngineOptions, open_engine
    table = np.random.default_rng(1).standard_normal((50, 384)).astype(np.float32)
    paths = [export_static_encoder(table, tmp_path / f"e{q}.onnx", int8=q) for q in (True, False)]
    inits = {i.name: i.data_type for i in onnx.load(str(paths[0])).graph.initializer}
    assert inits["table_q"] == onnx.TensorProto.INT8
    ids = np.array([[2, 10, 11, 3, 0], [2, 7, 3, 0, 0]], np.int64)
    mask = (np.arange(5) < np.array([[4], [3]])).astype(np.int64)
    q, f = (open_engine(p, EngineOptions()).run({"input_ids": ids, "attention_mask": mask})["embedding"]
            for p in paths)
    assert np.all((q * f).sum(1) > 0.999)
    expected = table[[2, 10, 11, 3]].sum(0)
    np.testing.assert_allclose(f[0], expected / np.linalg.norm(expected), atol=1e-5)
