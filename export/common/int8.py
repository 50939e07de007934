"""INT8 weight quantization of a decoder-only ONNX graph, chosen by the CPU it targets.

Recipes (``choose_recipe``):

* ``blockwise-int8`` (x86 with AVX2 or AVX-512 VNNI, arm64): every MatMul with a constant weight,
  the LM head included, becomes ``com.microsoft.MatMulNBits`` (8 bits, blocks of 128 along K
  where K allows, else 64, 32 or 16,
  symmetric) with ``accuracy_level=4``, which runs int8 dot-product kernels (VNNI / AVX2 /
  arm64 dot) on activations quantized per block; the token-embedding Gather becomes
  ``GatherBlockQuantized``. Weights are read once per token as int8, so decode is bandwidth-bound.
* ``dynamic-int8`` (any other CPU): ONNX Runtime's ``quantize_dynamic`` (MatMulInteger).

Weight layout: ONNX MatMul B is [K, N] (K = input features); MatMulNBits stores B as
[N, K / block, block] uint8 with scales [N, K / block] float32 (block 128: scales add 3% to the bytes
read per token, 12.5% at 32; measured on GPT-2 small, decode 3.9-5.5 ms/token at 128 vs 4.6-5.7 at 64); the zero point is 128
(MatMulNBits' default for 8 bits, so it is not stored).
"""

from __future__ import annotations

import platform
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

from export.common import graph_edit

BLOCKS = (128, 64, 32, 16)
"""Weights per quantization block (along K): the first that divides K."""


def cpu_flags() -> set[str]:
    """CPU feature flags from /proc/cpuinfo (empty where it does not exist)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith(("flags", "Features")):
            return set(line.split(":", 1)[1].split())
    return set()


def cpu_kind() -> str:
    """``arm64``, ``avx512-vnni``, ``avx2`` or ``other``: which int8 kernels this CPU has."""
    flags = cpu_flags()
    if platform.machine().lower() in ("aarch64", "arm64"):
        return "arm64"
    return "avx512-vnni" if "avx512_vnni" in flags else "avx2" if "avx2" in flags else "other"


def choose_recipe(kind: str | None = None) -> str:
    """``blockwise-int8`` where int8 dot-product kernels exist (avx512-vnni, avx2, arm64)."""
    return "dynamic-int8" if (kind or cpu_kind()) == "other" else "blockwise-int8"


def block_size(k: int) -> int | None:
    """The quantization block for ``k`` input features (None: K fits no block; the product stays float)."""
    return next((b for b in BLOCKS if k % b == 0), None)


def quantize_blocks(w_nk: np.ndarray, block: int) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric 8-bit blocks of ``block`` along the last axis of ``w_nk`` [N, K].

    Returns (q [N, K/block, block] uint8 with zero point 128, scales [N, K/block] float32).
    """
    n, k = w_nk.shape
    blocks = w_nk.reshape(n, k // block, block).astype(np.float32)
    scales = np.abs(blocks).max(axis=2) / 127.0
    scales[scales == 0] = 1.0
    q = np.clip(np.rint(blocks / scales[..., None]), -127, 127) + 128
    return q.astype(np.uint8), scales.astype(np.float32)


def dequantize_blocks(q: np.ndarray, scales: np.ndarray, block: int, zero_points: np.ndarray | None = None) -> np.ndarray:
    """The inverse of :func:`quantize_blocks`: 8-bit blocks -> float32 [N, K].

    ``q`` is [N, K/block, block] or [N, K]; ``scales`` and ``zero_points`` hold one value per block
    (the zero point is 128 when None, as MatMulNBits assumes for 8 bits without them).
    """
    n = q.shape[0]
    blocks = q.reshape(n, -1, block).astype(np.float32)
    zero = 128.0 if zero_points is None else zero_points.reshape(n, -1, 1).astype(np.float32)
    return ((blocks - zero) * scales.reshape(n, -1, 1).astype(np.float32)).reshape(n, -1)


def quantize_model(src: Path, dst: Path, recipe: str) -> dict[str, int]:
    """Write the INT8 model for ``recipe``; returns counts of quantized nodes by op type."""
    if recipe == "dynamic-int8":
        return _dynamic(src, dst)
    model = onnx.load(str(src))
    counts = _blockwise(model.graph)
    if not any(op.domain == "com.microsoft" for op in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(model, str(dst))
    return counts


def _dynamic(src: Path, dst: Path) -> dict[str, int]:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8,
                     extra_options={"MatMulConstBOnly": True,
                                    "DefaultTensorType": onnx.TensorProto.FLOAT})
    ops = [n.op_type for n in onnx.load(str(dst), load_external_data=False).graph.node]
    return {"MatMulInteger": ops.count("MatMulInteger")}


def _weight_nk(graph: onnx.GraphProto, name: str, inits: dict, producers: dict) -> np.ndarray | None:
    """The MatMul weight ``name`` as [N, K] if it is constant (an initializer or its transpose)."""
    if name in inits:
        w = numpy_helper.to_array(inits[name])
        return w.T if w.ndim == 2 else None
    node = producers.get(name)
    if node is not None and node.op_type == "Transpose" and node.input[0] in inits:
        w = numpy_helper.to_array(inits[node.input[0]])
        perm = [a.ints for a in node.attribute if a.name == "perm"]
        return w if w.ndim == 2 and (not perm or list(perm[0]) == [1, 0]) else None
    return None


def _blockwise(graph: onnx.GraphProto) -> dict[str, int]:
    inits = {i.name: i for i in graph.initializer}
    producers = {o: n for n in graph.node for o in n.output}
    _bypass_identities(graph, inits, producers)
    new_nodes, new_inits, counts = [], [], {"MatMulNBits": 0, "GatherBlockQuantized": 0}
    for node in graph.node:
        replaced = None
        if node.op_type == "MatMul":
            w = _weight_nk(graph, node.input[1], inits, producers)
            if w is not None and block_size(w.shape[1]):
                replaced = _matmul_nbits(node, w, new_inits)
        elif node.op_type == "Gemm" and _is_plain_gemm(node, inits):
            w = numpy_helper.to_array(inits[node.input[1]])
            w = w if _attr(node, "transB") else w.T
            if block_size(w.shape[1]):
                replaced = _matmul_nbits(node, w, new_inits, bias=node.input[2] if len(node.input) > 2 else "")
        elif node.op_type == "Gather" and node.input[0] in inits:
            w = numpy_helper.to_array(inits[node.input[0]])
            if w.ndim == 2 and w.shape[0] > 4096 and block_size(w.shape[1]) and _attr(node, "axis") == 0:
                replaced = _gather_block(node, w, new_inits)
        if replaced is not None:
            counts[replaced.op_type] += 1
        new_nodes.append(replaced or node)
    graph.ClearField("node")
    graph.node.extend(new_nodes)
    graph.initializer.extend(new_inits)
    graph_edit.prune(graph)
    counts["flatten pairs dropped"] = _unflatten(graph)
    return counts


def _bypass_identities(graph: onnx.GraphProto, inits: dict, producers: dict) -> None:
    """Point readers of ``Identity(initializer)`` (how the exporter shares weights) at the initializer."""
    alias = {n.output[0]: n.input[0] for n in graph.node
             if n.op_type == "Identity" and n.input[0] in inits}
    outputs = {o.name for o in graph.output}
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name in alias and name not in outputs:
                node.input[i] = alias[name]
    dead = [n for n in graph.node if n.op_type == "Identity" and n.output[0] in alias
            and n.output[0] not in outputs]
    for n in dead:
        graph.node.remove(n)
        producers.pop(n.output[0], None)


def _attr(node: onnx.NodeProto, name: str, default: float = 0) -> float:
    return next((a.f if a.type == onnx.AttributeProto.FLOAT else a.i
                 for a in node.attribute if a.name == name), default)


def _is_plain_gemm(node: onnx.NodeProto, inits: dict) -> bool:
    """Y = A @ B (+ C) with a constant 2-D B, a 1-D constant bias and no scaling or transposed A."""
    bias_ok = len(node.input) < 3 or (node.input[2] in inits and len(inits[node.input[2]].dims) == 1)
    return (node.input[1] in inits and bias_ok and not _attr(node, "transA")
            and _attr(node, "alpha", 1.0) == 1.0 and _attr(node, "beta", 1.0) == 1.0)


def _matmul_nbits(node: onnx.NodeProto, w_nk: np.ndarray, out: list, bias: str = "") -> onnx.NodeProto:
    """MatMulNBits for Y = A @ W^T (+ bias); inputs A, B, scales, zero_points, g_idx, bias."""
    n, k = w_nk.shape
    block = block_size(k)
    q, scales = quantize_blocks(w_nk, block)
    base = node.name or node.output[0]
    names = [f"{base}.q8", f"{base}.scales"]           # zero points omitted: 8-bit default is 128
    out += [numpy_helper.from_array(a, nm) for a, nm in zip((q, scales.reshape(-1)), names)]
    inputs = [node.input[0], *names] + (["", "", bias] if bias else [])
    return helper.make_node("MatMulNBits", inputs, list(node.output),
                            name=base + ".nbits", domain="com.microsoft",
                            K=k, N=n, bits=8, block_size=block, accuracy_level=4)


def _gather_block(node: onnx.NodeProto, w_vd: np.ndarray, out: list) -> onnx.NodeProto:
    block = block_size(w_vd.shape[1])
    q, scales = quantize_blocks(w_vd, block)
    base = node.name or node.output[0]
    names = [f"{base}.q8", f"{base}.scales", f"{base}.zp"]
    zp = np.full(scales.shape, 128, np.uint8)
    out += [numpy_helper.from_array(a, nm)
            for a, nm in zip((q.reshape(w_vd.shape), scales, zp), names)]
    return helper.make_node("GatherBlockQuantized", [names[0], node.input[1], names[1], names[2]],
                            list(node.output), name=base + ".q8", domain="com.microsoft",
                            gather_axis=0, quantize_axis=1, block_size=block, bits=8)


def _unflatten(graph: onnx.GraphProto) -> int:
    """MatMulNBits multiplies (batch, seq, K) as it is: drop GPT-2's Conv1D ``x.view(-1, K)`` in front
    of it and ``.view(*x.shape[:-1], N)`` after it, with the Shape/Gather/Concat arithmetic that
    computes their shapes on every run. Returns how many products were rewired."""
    made_by, read_by = graph_edit.producers(graph), graph_edit.consumers(graph)
    outputs = {o.name for o in graph.output}
    dropped = []
    for node in graph.node:
        if node.op_type != "MatMulNBits":
            continue
        flat, users = made_by.get(node.input[0]), read_by.get(node.output[0], [])
        if flat is None or flat.op_type != "Reshape" or len(users) != 1 or users[0].op_type != "Reshape":
            continue
        x, back = flat.input[0], users[0]
        n = int(_attr(node, "N"))
        if _flattens_last(graph, flat.input[1], x, made_by) and _restores(graph, back.input[1], x, n, made_by) \
                and node.output[0] not in outputs:
            node.input[0], node.output[0] = x, back.output[0]
            dropped.append(back)
    for back in dropped:
        graph.node.remove(back)
    graph_edit.prune(graph)                               # the flattening Reshapes and shape arithmetic
    return len(dropped)


def _dim_of(name: str, graph: onnx.GraphProto, made_by: dict) -> tuple[str, int] | None:
    """(x, i) if ``name`` is dimension i of x's shape as a 1-element tensor: Gather(Shape(x), i) or
    Slice(Shape(x), i, i + 1), possibly wrapped in Unsqueeze/Squeeze; i < 0 counts from the end."""
    node = made_by.get(name)
    while node is not None and node.op_type in ("Unsqueeze", "Squeeze"):
        node = made_by.get(node.input[0])
    if node is None or node.op_type not in ("Gather", "Slice"):
        return None
    shape = made_by.get(node.input[0])
    index = graph_edit.constant(node.input[1], graph, made_by)
    if shape is None or shape.op_type != "Shape" or index is None or index.size != 1:
        return None
    return shape.input[0], int(index.reshape(-1)[0])


def _flattens_last(graph: onnx.GraphProto, shape: str, x: str, made_by: dict) -> bool:
    """``shape`` = Concat([-1], x.shape[-1])."""
    concat = made_by.get(shape)
    if concat is None or concat.op_type != "Concat" or len(concat.input) != 2:
        return False
    first = graph_edit.constant(concat.input[0], graph, made_by)
    return first is not None and first.tolist() == [-1] and _dim_of(concat.input[1], graph, made_by) == (x, -1)


def _restores(graph: onnx.GraphProto, shape: str, x: str, n: int, made_by: dict) -> bool:
    """``shape`` = Concat(x.shape[0], x.shape[1], [n]): (batch, seq, N) for a (batch, seq, K) x."""
    concat = made_by.get(shape)
    if concat is None or concat.op_type != "Concat" or len(concat.input) != 3:
        return False
    last = graph_edit.constant(concat.input[2], graph, made_by)
    return (last is not None and last.tolist() == [n]
            and [_dim_of(i, graph, made_by) for i in concat.input[:2]] == [(x, 0), (x, 1)])
