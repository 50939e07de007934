"""ONNX graphs for the picture path: the GAN generator (from torch) and the static text encoder (built
directly: an INT8 per-token table, masked sum, L2 normalisation); the encoder run as the runtime runs it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from export.common import OPSET

GENERATOR_IO = {"inputs": ["noise", "text_embedding"], "outputs": ["image"]}
ENCODER_IO = {"inputs": ["input_ids", "attention_mask"], "outputs": ["embedding"]}


def export_generator(G, path: Path) -> Path:
    """Generator (torch, eval) -> ONNX: noise (B, z) + text_embedding (B, 384) -> image (B, 3, 64, 64)."""
    import torch
    G.eval()
    z, t = torch.zeros(1, G.z_dim), torch.zeros(1, G.text_dim)
    batch = {0: "batch"}
    torch.onnx.export(G, (z, t), str(path), input_names=GENERATOR_IO["inputs"],
                      output_names=GENERATOR_IO["outputs"], opset_version=OPSET, dynamo=False,
                      dynamic_axes={"noise": batch, "text_embedding": batch, "image": batch})
    return path


def quantize_rows(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(V, D) float -> int8 (V, D) and per-row scale (V, 1) float32 (symmetric)."""
    scale = np.maximum(np.abs(table).max(axis=1, keepdims=True), 1e-8) / 127.0
    return np.round(table / scale).clip(-127, 127).astype(np.int8), scale.astype(np.float32)


def export_static_encoder(table: np.ndarray, path: Path, int8: bool = True) -> Path:
    """input_ids, attention_mask (B, T) int64 -> embedding (B, D) = normalise(sum_t mask * table[ids])."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    nodes, inits = [], []
    if int8:
        q, scale = quantize_rows(table)
        inits += [numpy_helper.from_array(q, "table_q"), numpy_helper.from_array(scale, "row_scale")]
        nodes += [helper.make_node("Gather", ["table_q", "input_ids"], ["rows_q"]),          # (B, T, D) int8
                  helper.make_node("Cast", ["rows_q"], ["rows_i"], to=TensorProto.FLOAT),
                  helper.make_node("Gather", ["row_scale", "input_ids"], ["scales"]),         # (B, T, 1)
                  helper.make_node("Mul", ["rows_i", "scales"], ["rows"])]
    else:
        inits.append(numpy_helper.from_array(table.astype(np.float32), "table"))
        nodes.append(helper.make_node("Gather", ["table", "input_ids"], ["rows"]))
    inits += [numpy_helper.from_array(np.array([1], np.int64), "axis1"),
              numpy_helper.from_array(np.array([2], np.int64), "axis2"),
              numpy_helper.from_array(np.array(1e-12, np.float32), "eps")]
    nodes += [helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
              helper.make_node("Unsqueeze", ["mask_f", "axis2"], ["mask3"]),                  # (B, T, 1)
              helper.make_node("Mul", ["rows", "mask3"], ["masked"]),
              helper.make_node("ReduceSum", ["masked", "axis1"], ["total"], keepdims=0),      # (B, D)
              helper.make_node("Mul", ["total", "total"], ["sq"]),
              helper.make_node("ReduceSum", ["sq", "axis1"], ["sumsq"], keepdims=1),          # (B, 1)
              helper.make_node("Add", ["sumsq", "eps"], ["sumsq_eps"]),
              helper.make_node("Sqrt", ["sumsq_eps"], ["norm"]),
              helper.make_node("Div", ["total", "norm"], ["embedding"])]
    graph = helper.make_graph(
        nodes, "static_text_encoder",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", table.shape[1]])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="edge-vdialog")
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def quantize_generator(fp32: Path, out: Path, reader, exclude: list[str] | None = None) -> Path:
    """Static INT8 (QDQ, per-channel weights, uint8 activations) calibrated on ``reader``."""
    from onnxruntime.quantization import (
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    quantize_static(str(fp32), str(out), reader, quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    calibrate_method=CalibrationMethod.MinMax, nodes_to_exclude=exclude or [])
    return out


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """Peak signal-to-noise ratio, dB, of two uint8 image stacks."""
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255.0 ** 2 / mse))


def local_encoder(model: Path, tokenizer: Path, max_tokens: int):
    """The runtime's TextEncoder over a model file and a tokenizer.json not yet in a bundle (one thread)."""
    from tokenizers import Tokenizer

    from edge_vdialog.engines import EngineOptions, open_engine
    from edge_vdialog.imagegen.text_encoder import DIM, TextEncoder
    tok = Tokenizer.from_file(str(tokenizer))
    tok.enable_truncation(max_tokens)
    tok.no_padding()
    return TextEncoder(tok, open_engine(model, EngineOptions(threads=1)), max_tokens, DIM)
