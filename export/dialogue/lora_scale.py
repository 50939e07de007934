"""``python -m export lora-scale``: an adapter whose merged change is ``--scale`` times the original's.

An adapter adds ``alpha / rank * B A`` to a weight; every ``B`` (``.lora_b``) is multiplied by the scale
(in the file's fp16) and the rest is copied, so ``smollm2 --adapter`` merges the scaled change. A scale below 1 moves the merged
model back towards its base: the kiosk adapter is shipped at 0.7, which keeps held-out chit-chat within 5% of
the untuned model while the persona stays (docs/dialogue_models.md, round 13).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from edge_vdialog.errors import UserError
from export.dialogue import lora


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lora-scale", help="copy an adapter with its merged change scaled")
    p.add_argument("--adapter", type=Path, required=True, help="adapter file (safetensors)")
    p.add_argument("--scale", type=float, required=True, help="factor on the merged change, 0 < scale <= 4")
    p.add_argument("--out", type=Path, required=True, help="scaled adapter file")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from safetensors.torch import load_file

    if not 0 < args.scale <= 4:
        raise UserError(f"--scale must be in (0, 4], got {args.scale}")
    meta = lora.read_meta(args.adapter)
    tensors = {k: v * args.scale if k.endswith(".lora_b") else v for k, v in load_file(str(args.adapter)).items()}
    lora.save_tensors(tensors, args.out, meta)
    print(f"wrote {args.out}: the change of {args.adapter} x{args.scale} (rank {meta['rank']})")
    return 0
