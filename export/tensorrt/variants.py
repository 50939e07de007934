"""FP32 ONNX -> the variants TensorRT builds from: FP16 weights, or explicit-quantization INT8 (Q/DQ).

TensorRT parses standard operators only, so nothing here adds ONNX Runtime contrib operators
(:func:`contrib_ops` checks). Q/DQ INT8 is symmetric (zero point 0, int8 weights and activations),
as TensorRT's explicit quantization requires; weights are per output channel except for operators
TensorRT quantizes per tensor only (:data:`PER_TENSOR_OPS`: its deconvolution takes per-channel
scales on axis 0 only, ONNX Runtime's quantizer puts them on axis 1).
"""

from __future__ import annotations

from pathlib import Path

import onnx

from edge_vdialog.errors import UserError

STANDARD_DOMAINS = ("", "ai.onnx")
PER_TENSOR_OPS = ("ConvTranspose",)
"""Weights quantized per tensor for TensorRT (see the module doc)."""
FLOAT32_OPS = ("Resize",)
"""Kept in float32 by :func:`to_fp16` (Resize's scales input must be float32)."""
QUANTIZED_OPS = ("MatMul", "Gemm", "Conv", "ConvTranspose")
"""Operators with a weight whose inputs get Q/DQ pairs (biases stay float); everything else,
attention's products of two activations included, stays in floating point."""


def contrib_ops(model: onnx.ModelProto) -> list[str]:
    """``domain:op`` of every node outside the standard ONNX domain (empty for a TensorRT-ready model)."""
    return sorted({f"{n.domain}:{n.op_type}" for n in model.graph.node if n.domain not in STANDARD_DOMAINS})


def require_standard(path: Path) -> None:
    """UserError naming the contrib operators of ``path``, if it has any."""
    found = contrib_ops(onnx.load(str(path), load_external_data=False))
    if found:
        raise UserError(f"{path} has operators TensorRT cannot parse: {', '.join(found)}",
                        "export with `python -m export trt-onnx` (standard operators only)")


def to_fp16(src: Path, dst: Path, keep_io_types: bool = False) -> Path:
    """Every float tensor as float16, inputs and outputs too unless ``keep_io_types`` (then cast at
    the edges). A dialogue model takes and returns its KV cache in half precision (what TensorRT
    keeps); a picture model keeps float32 inputs and outputs, which the runtime feeds."""
    from onnxruntime.transformers.float16 import (
        DEFAULT_OP_BLOCK_LIST,
        convert_float_to_float16,
    )

    model = convert_float_to_float16(onnx.load(str(src)), keep_io_types=keep_io_types,
                                     op_block_list=DEFAULT_OP_BLOCK_LIST + list(FLOAT32_OPS),
                                     disable_shape_infer=True)
    _constants_back_to_float32(model)
    save(model, dst)
    return dst


def to_qdq_int8(src: Path, dst: Path, reader, per_channel: bool = True,
                exclude: list[str] | None = None) -> Path:
    """Static INT8, Q/DQ format, symmetric (zero point 0) activations and weights, MinMax
    calibrated on ``reader`` (an ONNX Runtime CalibrationDataReader). Weights per output channel
    when ``per_channel``, unless the model has one of :data:`PER_TENSOR_OPS` (then all per tensor)."""
    from onnxruntime.quantization import (
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    model = onnx.load(str(src), load_external_data=False)
    per_tensor = any(n.op_type in PER_TENSOR_OPS for n in model.graph.node)
    weights = {i.name for i in model.graph.initializer}
    activations_only = [n.name for n in model.graph.node   # attention's Q.K^T, P.V: no weight to share
                        if n.op_type in QUANTIZED_OPS and not any(i in weights for i in n.input[1:2])]
    quantize_static(str(src), str(dst), reader, quant_format=QuantFormat.QDQ,
                    per_channel=per_channel and not per_tensor,
                    activation_type=QuantType.QInt8, weight_type=QuantType.QInt8,
                    op_types_to_quantize=list(QUANTIZED_OPS),
                    nodes_to_exclude=activations_only + (exclude or []),
                    calibrate_method=CalibrationMethod.MinMax,
                    extra_options={"ActivationSymmetric": True, "WeightSymmetric": True,
                                   "QuantizeBias": False})
    return dst


def _constants_back_to_float32(model: onnx.ModelProto) -> None:
    """Constant nodes feeding :data:`FLOAT32_OPS` as float32 again (the converter halves every
    Constant, whoever reads it)."""
    from onnx import TensorProto, numpy_helper

    made_by = {o: n for n in model.graph.node for o in n.output}
    for node in model.graph.node:
        for name in node.input if node.op_type in FLOAT32_OPS else ():
            const = made_by.get(name)
            value = const.attribute[0].t if const is not None and const.op_type == "Constant" else None
            if value is not None and value.data_type == TensorProto.FLOAT16:
                value.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(value).astype("float32"), value.name))


def qdq_problems(model: onnx.ModelProto) -> list[str]:
    """What makes ``model``'s Q/DQ unfit for TensorRT's explicit quantization: a non-zero or
    non-int8 zero point, per-channel scales feeding a :data:`PER_TENSOR_OPS` weight; [] when fit."""
    from onnx import numpy_helper

    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    made_by = {o: n for n in model.graph.node for o in n.output}
    problems = []
    for n in model.graph.node:
        if n.op_type in ("QuantizeLinear", "DequantizeLinear") and len(n.input) > 2:
            zp = inits.get(n.input[2])
            if zp is None or zp.dtype.name != "int8" or zp.any():
                problems.append(f"{n.name}: zero point must be int8 0")
        if n.op_type in PER_TENSOR_OPS and n.input[1] in made_by:
            dq = made_by[n.input[1]]
            scale = inits.get(dq.input[1]) if dq.op_type == "DequantizeLinear" else None
            if scale is not None and scale.size != 1:
                problems.append(f"{n.name}: weight scales must be per tensor, got {scale.size}")
    return problems


def save(model: onnx.ModelProto, dst: Path) -> None:
    """One file below 2 GiB, else the weights in ``dst.name + '.data'`` beside it."""
    big = model.ByteSize() > (1 << 31) - (1 << 26)
    onnx.save(model, str(dst), save_as_external_data=big, all_tensors_to_one_file=True,
              location=dst.name + ".data")
