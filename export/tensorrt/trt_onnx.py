"""``python -m export trt-onnx``: TensorRT-ready bundles (standard ONNX operators, opset 17).

    python -m export trt-onnx --model CKPT --out DIR --precision fp16|int8       # dialogue
    python -m export trt-onnx --picture BUNDLE --out DIR --precision fp16|int8   # text encoder + GAN

Dialogue: optimum's export at opset 17 with past key values (zero-length past allowed, concatenating
KV cache), none of our contrib rewrites (GroupQueryAttention, MatMulNBits), then FP16 or Q/DQ INT8
(export/tensorrt/variants.py) calibrated on dialogue prompts (calibration/). Picture: the bundle's
generator and text encoder converted the same way, the generator calibrated on reply texts
embedded by the bundle's own encoder. Each file is checked for contrib operators; the report
compares with fp32 on ONNX Runtime CPU (greedy tokens, picture PSNR). The result is an ordinary
bundle: the ``ort`` backend runs it on the CPU, the ``tensorrt`` backend builds engines from it.
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from edge_vdialog.errors import UserError
from export.common import OPSET

if TYPE_CHECKING:
    from edge_vdialog.bundle import Component
    from edge_vdialog.dialogue.prompt import PromptFormat
    from edge_vdialog.interfaces import Decoder

CALIB_TOKENS = 64
"""Length of each dialogue calibration sample, tokens (static, as TensorRT calibration wants);
also the prompt budget of the fp32 comparison."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("trt-onnx", help="TensorRT-ready bundle: standard ONNX ops, FP16 or Q/DQ INT8")
    p.add_argument("--model", help="dialogue checkpoint directory (GPT-2, Llama-family)")
    p.add_argument("--picture", type=Path, help="bundle with text_encoder + generator to convert")
    p.add_argument("--out", required=True, type=Path, help="bundle directory (created or updated)")
    p.add_argument("--precision", choices=("fp16", "int8"), required=True)
    p.add_argument("--prompt-format", default="eos-turns", help="dialogue: eos-turns or chatml")
    p.add_argument("--calib", type=int, default=128, help="calibration samples (int8)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if not args.model and not args.picture:
        raise UserError("nothing to export", "pass --model CKPT and/or --picture BUNDLE")
    report = {}
    if args.model:
        from calibration.texts import dialogue_prompts
        report["dialogue"] = export_dialogue(args.model, args.out, args.precision, args.prompt_format,
                                             dialogue_prompts(args.calib))
    if args.picture:
        from calibration.texts import reply_texts
        report["picture"] = export_picture(args.picture, args.out, args.precision, reply_texts(args.calib))
    print(json.dumps(report, indent=1))
    return 0


def export_dialogue(src: str | Path, out: Path, precision: str, prompt_format: str,
                    contexts: Sequence[Sequence[str]]) -> dict:
    """Dialogue component of ``out`` from the checkpoint ``src``; returns the fp32 comparison.

    ``contexts``: dialogue contexts (messages, the last one the user's), as
    :func:`calibration.texts.dialogue_prompts` returns them; calibration (int8) and the comparison
    (the first 8) feed their prompt ids in the bundle's own format."""
    from edge_vdialog.bundle import Bundle
    from export.common.bundle_writer import bundle_export
    from export.dialogue.lm_bundle import export_causal_lm

    with bundle_export(out) as export:
        fp32 = Bundle.load(export_causal_lm(src, export.work / "fp32", quantize="none", opset=OPSET,
                                            prompt_format=prompt_format, fuse_attention=False))
        comp = fp32.component("dialogue")
        model = export.work / "model.onnx"
        fmt = dialogue_format(comp)
        reader = None if precision == "fp16" else _dialogue_reader(comp, fmt, contexts)
        _convert(comp.path("model"), model, precision, reader)
        report = {"ops": _ops(model), **compare_dialogue(comp.path("model"), model, fmt, contexts[:8])}
        export.write("dialogue", {"model": model, "tokenizer": comp.path("tokenizer")}, kind=comp.kind,
                     io=comp.io, precision=f"trt-{precision}", source=comp.source, licence=comp.licence,
                     config=comp.config)
    return report


def export_picture(src: Path, out: Path, precision: str, calib_texts: Sequence[str]) -> dict:
    """Text encoder + generator of the bundle ``src`` into ``out``; returns the PSNR against fp32."""
    from calibration.readers import SetReader
    from calibration.sets import generator_set
    from edge_vdialog.bundle import Bundle
    from edge_vdialog.engines import EngineOptions
    from edge_vdialog.imagegen.text_encoder import TextEncoder
    from export.common.bundle_writer import bundle_export

    bundle = Bundle.load(src)
    enc, gen = bundle.component("text_encoder"), bundle.component("generator")
    z_dim = int(gen.config["z_dim"])
    with bundle_export(out) as export:
        enc_out, gen_out = export.work / "text_encoder.onnx", export.work / "generator.onnx"
        encoder = TextEncoder.load(enc, EngineOptions(threads=1))
        reader = None
        if precision == "int8":
            reader = SetReader(generator_set(calib_texts, encoder.encode, z_dim, seed=1), gen.io["inputs"])
        _convert(gen.path("model"), gen_out, precision, reader, keep_io_types=True)
        _convert(enc.path("model"), enc_out, "fp16" if precision == "fp16" else "fp32", None,
                 keep_io_types=True)   # int8: the encoder already holds an int8 table
        report = {"ops": _ops(gen_out) + _ops(enc_out),
                  "psnr_db": psnr_against(gen.path("model"), gen_out, encoder, z_dim)}
        for comp, model in ((enc, enc_out), (gen, gen_out)):
            files = {**{r: comp.path(r) for r in comp.files if r != "model"}, "model": model}
            export.write(comp.name, files, kind=comp.kind, io=comp.io, precision=f"trt-{precision}",
                         source=comp.source, licence=comp.licence, config=comp.config)
    return report


def _convert(src: Path, dst: Path, precision: str, reader, keep_io_types: bool = False) -> None:
    from export.tensorrt.variants import require_standard, to_fp16, to_qdq_int8

    require_standard(src)
    if precision == "fp16":
        to_fp16(src, dst, keep_io_types)
    elif precision == "int8":
        to_qdq_int8(src, dst, reader)
    else:
        shutil.copyfile(src, dst)


def _ops(model: Path) -> list[str]:
    """Contrib operators left (always [] unless something above is wrong); Q/DQ problems."""
    import onnx

    from export.tensorrt.variants import contrib_ops, qdq_problems

    m = onnx.load(str(model))
    return contrib_ops(m) + qdq_problems(m)


def dialogue_format(comp: Component) -> PromptFormat:
    """The prompt format of a ``causal-lm`` component, built as the runtime builds it."""
    from edge_vdialog.dialogue import DialogueConfig
    from edge_vdialog.dialogue.prompt import PromptFormat
    from edge_vdialog.dialogue.tokenizer import Tokenizer

    tok = Tokenizer.load(comp.path("tokenizer"))
    cfg = DialogueConfig.read(comp, tok.vocab_size)
    return PromptFormat(cfg.prompt_format, tok, cfg.eos_ids[0], cfg.system_prompt)


def _dialogue_reader(comp: Component, fmt: PromptFormat, contexts: Sequence[Sequence[str]]):
    """Prompts as (1, CALIB_TOKENS) samples after an empty (zero-length) KV cache."""
    import onnxruntime as ort

    from calibration.readers import SetReader
    from calibration.sets import token_set
    from calibration.texts import prompt_ids
    from edge_vdialog.engines.ort import read_layout

    path = comp.path("model")
    session = ort.InferenceSession(str(path))
    lay = read_layout(session, str(path))
    const = {f"past_key_values.{i}.{kv}": np.zeros((1, lay.kv_heads, 0, lay.head_size), lay.dtype)
             for i in range(lay.layers) for kv in ("key", "value")}                 # (1, H, 0, D)
    if lay.position_ids:
        const["position_ids"] = np.arange(CALIB_TOKENS, dtype=np.int64)[None]
    names = [i.name for i in session.get_inputs() if i.name != "logits_to_keep"]
    return SetReader(token_set(contexts, lambda c: prompt_ids(fmt, c, CALIB_TOKENS), CALIB_TOKENS),
                     names, constant=const)


def greedy(model: Path | Decoder, ids: list[int], new_tokens: int) -> tuple[list[int], list[float]]:
    """Greedy continuation on the ``ort`` backend's CPU decoder (non-shared KV), with each step's
    gap between the best and second-best logit. ``model``: a model file (opened for this call) or
    a decoder from :func:`_open` (reset first, so one decoder serves many prompts)."""
    dec = _open(model, len(ids) + new_tokens) if isinstance(model, (str, Path)) else model
    dec.reset()
    tokens, gaps, logits = [], [], dec.feed(ids)
    for _ in range(new_tokens):
        top2 = np.partition(logits, -2)[-2:]
        tokens.append(int(logits.argmax()))
        gaps.append(float(top2[1] - top2[0]))
        logits = dec.feed(tokens[-1:])
    return tokens, gaps


def _open(model: Path, max_context: int) -> Decoder:
    from edge_vdialog.engines import EngineOptions, open_decoder

    return open_decoder(model, max_context, EngineOptions(threads=1))


def compare_dialogue(fp32: Path, variant: Path, fmt: PromptFormat, contexts: Sequence[Sequence[str]],
                     new_tokens: int = 16) -> dict:
    """Greedy tokens of ``variant`` vs ``fp32`` per dialogue context (prompt ids in ``fmt``, at most
    CALIB_TOKENS): how many lead tokens agree, and fp32's top-2 logit gap where they first differ
    (a near tie flips under any rounding)."""
    from calibration.texts import prompt_ids

    ref, var = (_open(m, CALIB_TOKENS + new_tokens) for m in (fp32, variant))
    agree, gaps = [], []
    for context in contexts:
        ids = prompt_ids(fmt, context, CALIB_TOKENS)
        (a, gap), b = greedy(ref, ids, new_tokens), greedy(var, ids, new_tokens)[0]
        agree.append(next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), new_tokens))
        gaps += [round(gap[agree[-1]], 4)] if agree[-1] < new_tokens else []
    return {"prompts": len(agree), "new_tokens": new_tokens, "equal_prompts": agree.count(new_tokens),
            "first_difference": agree, "fp32_gap_at_difference": gaps}


def psnr_against(fp32: Path, variant: Path, encoder, z_dim: int, texts: Sequence[str] = (
        "a red apple", "a happy cat", "the sun", "a rainy day")) -> float:
    """PSNR (dB) of the variant's pictures against fp32's for the same texts and noise."""
    from edge_vdialog.engines import EngineOptions, open_engine
    from edge_vdialog.imagegen.generator import to_uint8
    from export.imagegen.gan_onnx import psnr

    feeds = {"noise": np.random.default_rng(0).standard_normal((len(texts), z_dim), dtype=np.float32),
             "text_embedding": np.asarray(encoder.encode(list(texts)), np.float32)}
    pictures = [to_uint8(open_engine(path, EngineOptions(threads=1)).run(feeds)["image"])
                for path in (fp32, variant)]
    return round(psnr(*pictures), 2)
