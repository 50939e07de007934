"""A decoder-only language model (GPT-2, Llama-family, ...) -> a bundle's ``dialogue`` component.

Behind the commands ``gpt2``, ``causal-lm`` (export/dialogue/causal_lm.py) and ``smollm2``.

Steps: optimum export with past key values (task ``text-generation-with-past``) -> ONNX Runtime's
transformer fusions (GPT-2) -> INT8 weights
chosen by CPU (export/common/int8.py) -> ``model.onnx`` + ``model.onnx.data`` (external weights, which ONNX
Runtime maps instead of copying) + ``tokenizer.json`` -> manifest entry with IO names, eos, context
length, prompt format, precision, source and licence.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

from edge_vdialog.dialogue.prompt import FORMATS as PROMPT_FORMATS
from edge_vdialog.errors import UserError
from export.common.bundle_writer import BundleExport, bundle_export

PERSONA = ("You are the friendly assistant of a public kiosk: a screen with a camera that draws a picture of what "
           "people say. Answer the visitor in one to three short sentences and stay on their topic; sometimes ask a "
           "short follow-up question. You have no family, home, job, shop, body or past, so never invent them. If a "
           "message is rude, strange or empty, stay kind and invite the visitor to say something.")
"""The kiosk persona (issue 12), tuned on export/dialogue/persona_tune_lines.txt, measured on the held-out
export/dialogue/visitor_lines.txt (``python -m export persona-eval``, docs/dialogue_models.md)."""
EXAMPLES = [
    ("hi there!", "Hello, nice to see you! Tell me something and I will draw a picture of it."),
    ("I had a long day.", "That sounds tiring. Would a picture of a quiet beach help you relax?"),
    ("what are you?", "I am the kiosk here, a screen with a camera. I draw a picture for whatever you say."),
    ("you are stupid", "I am still learning! Tell me something else and I will try again."),
]
"""Example exchanges shown to the model after the persona (few-shot): a 135M model keeps the persona's
length and character far better with them than with instructions alone (measured, see above)."""


def chatml_system(persona: str, examples: list[tuple[str, str]]) -> str:
    """A chatml system prompt that carries example exchanges: the runtime wraps it in
    ``<|im_start|>system\n...<|im_end|>\n``, so the examples become finished user/assistant turns."""
    turns = "".join(f"<|im_end|>\n<|im_start|>user\n{u}<|im_end|>\n<|im_start|>assistant\n{a}" for u, a in examples)
    return persona + turns


DEFAULT_SYSTEM = chatml_system(PERSONA, EXAMPLES)
"""System prompt of chatml bundles unless ``--system`` says otherwise."""
CONTEXT_CAP = 2048
"""Default cap on the context the runtime keeps (tokens): kiosk turns are short, and a bounded
context bounds the re-prefill time when old turns are dropped on a CPU."""
MODEL_FILE, DATA_FILE = "model.onnx", "model.onnx.data"


def export_causal_lm(src: str | Path, out_bundle: str | Path, *, quantize: str = "int8",
                     prompt_format: str = "eos-turns", system_prompt: str | None = None,
                     source: str = "", licence: str = "",
                     config_extra: dict[str, Any] | None = None, max_context: int = CONTEXT_CAP,
                     fuse_attention: bool = True, opset: int | None = None) -> Path:
    """Export ``src`` (checkpoint dir or hub id) into ``out_bundle``'s ``dialogue`` component.

    ``config_extra`` is merged into the component config (e.g. ``{"stop": ["\\n\\n"]}``).
    ``fuse_attention=False`` keeps optimum's attention (concatenating KV cache) for any model.
    ``opset``: the ONNX opset optimum exports at (None: optimum's default for the architecture).
    Returns the bundle directory. It is replaced whole once every step succeeded, never before
    (export/common/bundle_writer.py); intermediate files live next to it and go with the export.
    """
    from tqdm import tqdm

    if prompt_format not in PROMPT_FORMATS:
        raise UserError(f"unknown prompt format {prompt_format!r}", f"use one of {', '.join(PROMPT_FORMATS)}")
    if quantize not in ("int8", "none"):
        raise UserError(f"unknown quantization {quantize!r}", "use int8 or none")
    out_bundle = Path(out_bundle)
    with bundle_export(out_bundle) as export:
        tmp = export.work
        with tqdm(total=3, unit="step", leave=False) as steps:
            steps.set_description("optimum export (with past key values)")
            onnx_dir = _optimum_export(src, tmp / "onnx", opset)
            steps.update()
            steps.set_description(f"quantize ({quantize})")
            stage = tmp / "stage"
            model, kv_cache = _fuse(onnx_dir, tmp / "fused.onnx", fuse_attention)
            precision = _write_model(model, stage, quantize)
            steps.update()
            steps.set_description("write bundle")
            cfg = _component_config(onnx_dir, prompt_format, system_prompt, max_context,
                                    {"kv_cache": kv_cache, **(config_extra or {})})
            shutil.copyfile(onnx_dir / "tokenizer.json", stage / "tokenizer.json")
            _write_component(export, stage, precision, source or str(src), licence, cfg)
            steps.update()
    return out_bundle


def _optimum_export(src: str | Path, out: Path, opset: int | None = None) -> Path:
    from optimum.exporters.onnx import main_export

    try:
        main_export(str(src), out, task="text-generation-with-past", do_validation=False, opset=opset,
                    local_files_only=Path(str(src)).is_dir())
    except (OSError, ValueError, KeyError) as e:
        raise UserError(f"cannot export {src}: {str(e).splitlines()[0][:300]}",
                        "pass a Hugging Face checkpoint directory of a decoder-only model") from None
    if not (out / "tokenizer.json").is_file():
        raise UserError(f"{src} has no fast tokenizer (tokenizer.json could not be made)",
                        "add tokenizer.json (or vocab.json + merges.txt) to the checkpoint")
    return out


def _fuse(onnx_dir: Path, out: Path, attention: bool) -> tuple[Path, str]:
    """Graph rewrites (export/dialogue/gqa.py): an optional ``logits_to_keep`` input, and (``attention``)
    GroupQueryAttention with an in-place KV cache for GPT-2 (after ONNX Runtime's transformer
    fusions: LayerNorm, FastGelu, Gemm -> MatMul; 1,203 -> ~330 nodes for 12 layers) and for
    Llama-family models with plain rotary embeddings; other attention is left as optimum made it.
    Returns (model, kv_cache layout: ``shared-buffer`` or ``concat``)."""
    import onnx

    from export.dialogue.gqa import fuse_attention, rope_caches, selectable_logits

    hf = json.loads((onnx_dir / "config.json").read_text())
    layers = 0
    if attention and hf.get("model_type") == "gpt2":
        from onnxruntime.transformers.optimizer import optimize_model

        model = optimize_model(str(onnx_dir / MODEL_FILE), model_type="gpt2", num_heads=hf["n_head"],
                               hidden_size=hf["n_embd"], opt_level=0).model
        layers = fuse_attention(model, hf["n_head"], hf["n_head"])
    else:
        model = onnx.load(str(onnx_dir / MODEL_FILE))
        if attention and "rope_theta" in hf and not hf.get("rope_scaling") and not hf.get("attention_bias"):
            heads = hf["num_attention_heads"]
            head_size = hf.get("head_dim") or hf["hidden_size"] // heads
            rope = rope_caches(head_size, hf["rope_theta"], hf["max_position_embeddings"])
            layers = fuse_attention(model, heads, hf.get("num_key_value_heads", heads), rope)
    selectable_logits(model)
    onnx.save(model, str(out))
    return out, "shared-buffer" if layers else "concat"


def _write_model(model_path: Path, stage: Path, quantize: str) -> str:
    """Quantize (or not) and save as model.onnx + model.onnx.data in ``stage``; returns precision."""
    import onnx

    from export.common.int8 import choose_recipe, cpu_kind, quantize_model

    stage.mkdir(parents=True)
    if quantize == "int8":
        recipe = choose_recipe()
        print(f"INT8 recipe for this CPU ({cpu_kind()}): {recipe}", file=sys.stderr)
        quantized = stage / "q.onnx"
        quantize_model(model_path, quantized, recipe)
        model_path, precision = quantized, recipe
    else:
        precision = "fp32"
    model = onnx.load(str(model_path))
    onnx.save(model, str(stage / MODEL_FILE), save_as_external_data=True,
              all_tensors_to_one_file=True, location=DATA_FILE, size_threshold=1024)
    if model_path.parent == stage:
        model_path.unlink()
    return precision


def _component_config(onnx_dir: Path, prompt_format: str, system_prompt: str | None,
                      max_context: int, extra: dict[str, Any]) -> dict[str, Any]:
    hf = json.loads((onnx_dir / "config.json").read_text())
    gen_path = onnx_dir / "generation_config.json"
    gen = json.loads(gen_path.read_text()) if gen_path.is_file() else {}
    eos = gen.get("eos_token_id", hf.get("eos_token_id"))
    eos_ids = [eos] if isinstance(eos, int) else list(eos or [])
    if not eos_ids:
        raise UserError("the checkpoint names no eos_token_id", "set eos_token_id in its config.json")
    if prompt_format == "chatml":        # a turn ends with <|im_end|>, whatever the model's eos is
        from tokenizers import Tokenizer

        im_end = Tokenizer.from_file(str(onnx_dir / "tokenizer.json")).token_to_id("<|im_end|>")
        if im_end is None:
            raise UserError("prompt format chatml needs a tokenizer with <|im_end|>",
                            "use --prompt-format eos-turns for this model")
        eos_ids += [im_end] if im_end not in eos_ids else []
    ctx = hf.get("n_positions") or hf.get("max_position_embeddings") or 1024
    cfg = {
        "architecture": hf.get("model_type", ""),
        "eos_token_ids": eos_ids,
        "max_context": min(int(ctx), max_context),
        "model_max_context": int(ctx),
        "prompt_format": prompt_format,
        "stop": [],
    }
    if prompt_format == "chatml":
        cfg["system_prompt"] = DEFAULT_SYSTEM if system_prompt is None else system_prompt
    cfg.update(extra)
    return cfg


def _write_component(export: BundleExport, stage: Path, precision: str, source: str, licence: str,
                     cfg: dict[str, Any]) -> None:
    import onnx

    graph = onnx.load(str(stage / MODEL_FILE), load_external_data=False).graph
    io = {"inputs": [i.name for i in graph.input], "outputs": [o.name for o in graph.output]}
    export.write("dialogue", {"model": stage / MODEL_FILE, "model_data": stage / DATA_FILE,
                              "tokenizer": stage / "tokenizer.json"},
                 kind="causal-lm", io=io, precision=precision, source=source, licence=licence, config=cfg)
