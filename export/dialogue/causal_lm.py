"""``python -m export gpt2 | causal-lm``: a checkpoint -> a bundle's ``dialogue`` component.

``python -m export gpt2 --model SRC --out BUNDLE [--quantize int8|none]`` (GPT-2 dialogue format)
``python -m export causal-lm --model SRC --out BUNDLE [--prompt-format chatml --system TEXT]``

The steps are in export/dialogue/lm_bundle.py.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from export.dialogue.lm_bundle import CONTEXT_CAP, PROMPT_FORMATS, export_causal_lm


def register(sub: argparse._SubParsersAction) -> None:
    for name, fmt, desc in (("gpt2", "eos-turns", "a GPT-2-family dialogue checkpoint"),
                            ("causal-lm", None, "any decoder-only model optimum exports")):
        p = sub.add_parser(name, help=f"export {desc} into a bundle's dialogue component")
        p.add_argument("--model", required=True, help="checkpoint directory (or hub id when online)")
        p.add_argument("--out", required=True, type=Path, help="bundle directory (created or updated)")
        p.add_argument("--quantize", choices=("int8", "none"), default="int8")
        p.add_argument("--prompt-format", choices=PROMPT_FORMATS, default=fmt or "eos-turns",
                       help="how turns are joined: eos-turns (GPT-2 dialogue) or chatml")
        p.add_argument("--system", default=None, help="system prompt (chatml only)")
        p.add_argument("--source", default="", help="where the weights come from (manifest)")
        p.add_argument("--licence", default="", help="licence of the weights (manifest)")
        p.add_argument("--max-context", type=int, default=CONTEXT_CAP,
                       help=f"most tokens kept (prompt + reply), at most the model's (default {CONTEXT_CAP})")
        p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    out = export_causal_lm(args.model, args.out, quantize=args.quantize,
                           prompt_format=args.prompt_format, system_prompt=args.system,
                           source=args.source or str(args.model), licence=args.licence,
                           max_context=args.max_context)
    print(f"wrote {out}")
    return 0
