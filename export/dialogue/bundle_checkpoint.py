"""``python -m export bundle-checkpoint``: a GPT-2 dialogue bundle back into a Hugging Face checkpoint.

For fine-tuning a bundled GPT-2 whose training checkpoint is gone (the committed ``models/default``
one). Reads the graph ``python -m export gpt2`` writes (ONNX Runtime's GPT-2 fusions, blockwise INT8
``MatMulNBits`` / ``GatherBlockQuantized`` or fp32 weights) and dequantizes every weight:
``(q - zero_point) * scale`` per block of ``block_size`` along K (zero point 128 where the node has
none). Per layer the MatMuls come in graph order c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj; the
last one is the LM head, tied to the token embedding. Biases and LayerNorm weights keep their
PyTorch names in the graph (a model whose LayerNorms or biases are still identical, as at initialisation,
has them merged by the exporter and is refused). The result scores within INT8's rounding of the bundle
(``eval-dialogue``; docs/dialogue_models.md has the figures).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from edge_vdialog.errors import UserError

PER_LAYER = ("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bundle-checkpoint", help="recover a Hugging Face GPT-2 checkpoint from a GPT-2 dialogue bundle")
    p.add_argument("--bundle", type=Path, default=Path("models/default"), help="bundle with a GPT-2 dialogue model")
    p.add_argument("--out", type=Path, required=True, help="checkpoint directory to write")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import onnx
    import torch
    from tokenizers import Tokenizer
    from transformers import GPT2Config, GPT2LMHeadModel

    from edge_vdialog.bundle import Bundle
    from export.dialogue.gpt2_tokenizer import EOS, save_hf_tokenizer

    comp = Bundle.load(args.bundle).component("dialogue")
    if comp.config.get("architecture") != "gpt2":
        raise UserError(f"{args.bundle}: its dialogue model is {comp.config.get('architecture')!r}, not GPT-2",
                        "bundle-checkpoint reads GPT-2 bundles written by python -m export gpt2")
    model = onnx.load(str(comp.path("model")))
    weights = read_weights(model)
    tok = Tokenizer.from_file(str(comp.path("tokenizer")))
    wte = weights["transformer.wte.weight"]
    layers = sum(1 for k in weights if k.endswith(".ln_1.weight"))
    heads = next(a.i for n in model.graph.node if n.op_type == "GroupQueryAttention"
                 for a in n.attribute if a.name == "num_heads")
    eos = tok.token_to_id(EOS)
    config = GPT2Config(vocab_size=wte.shape[0], n_positions=weights["transformer.wpe.weight"].shape[0],
                        n_embd=wte.shape[1], n_layer=layers, n_head=heads, resid_pdrop=0.0, embd_pdrop=0.0,
                        attn_pdrop=0.0, bos_token_id=eos, eos_token_id=eos)
    hf = GPT2LMHeadModel(config)
    state = {k: torch.from_numpy(v) for k, v in weights.items()}
    missing, unexpected = hf.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith((".attn.bias", ".attn.masked_bias", "lm_head.weight"))]
    if missing or unexpected:
        raise UserError(f"{args.bundle}: the graph does not map onto GPT-2 (missing {missing[:3]}, "
                        f"unexpected {unexpected[:3]})", "export the bundle with python -m export gpt2")
    hf.tie_weights()
    args.out.mkdir(parents=True, exist_ok=True)
    hf.save_pretrained(str(args.out))
    save_hf_tokenizer(tok, args.out)
    (args.out / "SOURCE").write_text(f"dequantized from {comp.path('model')} ({comp.precision})\n")
    print(f"wrote {args.out}: GPT-2 {layers} layers x {wte.shape[1]}, {heads} heads, vocabulary {wte.shape[0]}",
          file=sys.stderr)
    return 0


def read_weights(model) -> dict[str, np.ndarray]:
    """PyTorch GPT-2 state-dict names -> fp32 arrays, from an exported (fused, maybe INT8) graph."""
    from onnx import helper, numpy_helper

    init = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    out = {name: arr.astype(np.float32) for name, arr in init.items() if name.startswith("transformer.")}
    matmuls = []
    for node in model.graph.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "MatMulNBits":
            zp = init.get(node.input[3]) if len(node.input) > 3 and node.input[3] else None
            w = _dequantize(init[node.input[1]], init[node.input[2]], zp, attrs)      # (N, K)
            matmuls.append(w[:, :attrs["K"]])
        elif node.op_type in ("MatMul", "Gemm") and len(node.input) > 1 and node.input[1] in init:
            w = init[node.input[1]].astype(np.float32)                                 # (K, N)
            matmuls.append(w if attrs.get("transB") else w.T)
        elif node.op_type == "GatherBlockQuantized":
            zp = init.get(node.input[3]) if len(node.input) > 3 else None
            out["transformer.wte.weight"] = _dequantize(init[node.input[0]], init[node.input[2]], zp, attrs)
        elif node.op_type == "Gather" and node.input[0] in init and "wte" in node.name:
            out["transformer.wte.weight"] = init[node.input[0]].astype(np.float32)
    layers = sum(1 for k in out if k.endswith(".ln_1.weight"))
    if len(matmuls) != 4 * layers + 1:
        raise UserError(f"found {len(matmuls)} weight MatMuls for {layers} layers, expected {4 * layers + 1}",
                        "the graph is not a GPT-2 exported by python -m export gpt2")
    for i, w in enumerate(matmuls[:-1]):
        out[f"transformer.h.{i // 4}.{PER_LAYER[i % 4]}.weight"] = np.ascontiguousarray(w.T)   # Conv1D: (K, N)
    out.setdefault("transformer.wte.weight", matmuls[-1])
    return out


def _dequantize(q: np.ndarray, scales: np.ndarray, zp: np.ndarray | None, attrs: dict) -> np.ndarray:
    """A quantized node's 8-bit weights -> fp32 (rows, blocks * block_size)."""
    from export.common.int8 import dequantize_blocks

    if attrs.get("bits", 8) != 8:
        raise UserError(f"{attrs['bits']}-bit weights are not supported", "bundle-checkpoint reads 8-bit bundles")
    return dequantize_blocks(q, scales, attrs["block_size"], zp)
