"""``python -m export chat-samples``: sample exchanges from dialogue bundles, optionally blind side by side.

One bundle: ``--out FILE.md`` gets a table prompt -> reply (model cards). Two bundles: each prompt's
two replies are shown as A and B in an order drawn from ``--seed``, for scoring without knowing the
model; the key (which side is which bundle) goes to ``FILE.key.json``, to be opened after scoring.
Prompts: one per line in ``--prompts`` (default: export/dialogue/dialogue_prompts.txt, 30 varied prompts).
Sampling is the runtime's default with a fixed seed per prompt, so the file can be regenerated.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from export.common.markdown import cell
from export.dialogue.reply_checks import visitor_lines

PROMPTS = Path(__file__).with_name("dialogue_prompts.txt")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat-samples", help="sample replies from one bundle, or two bundles blind side by side")
    p.add_argument("--bundle", type=Path, action="append", required=True, help="bundle directory (once or twice)")
    p.add_argument("--prompts", type=Path, default=PROMPTS, help="one prompt per line")
    p.add_argument("--count", type=int, help="use only the first N prompts")
    p.add_argument("--seed", type=int, default=0, help="sampling seeds and the blind order")
    p.add_argument("--greedy", action="store_true", help="greedy decoding instead of the default sampling")
    p.add_argument("--out", type=Path, required=True, help="markdown file to write")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from edge_vdialog.errors import UserError

    if len(args.bundle) > 2:
        raise UserError("give --bundle once (samples) or twice (blind side by side)")
    prompts = visitor_lines(args.prompts)
    prompts = prompts[:args.count] if args.count else prompts
    replies = [reply_all(b, prompts, args.seed, args.greedy) for b in args.bundle]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if len(replies) == 1:
        rows = [f"| {cell(p)} | {cell(r)} |" for p, r in zip(prompts, replies[0])]
        args.out.write_text("| prompt | reply |\n|---|---|\n" + "\n".join(rows) + "\n", encoding="utf-8")
    else:
        write_blind(args, prompts, replies)
    print(f"wrote {args.out}")
    return 0


def reply_all(bundle_dir: Path, prompts: list[str], seed: int, greedy: bool) -> list[str]:
    """One fresh conversation per prompt; the reply text."""
    from edge_vdialog.bundle import Bundle
    from edge_vdialog.dialogue import Sampling, load_chat
    from edge_vdialog.engines import EngineOptions

    chat = load_chat(Bundle.load(bundle_dir), EngineOptions(threads=1))
    out = []
    for i, prompt in enumerate(prompts):
        chat.reset()
        out.append("".join(chat.send(prompt, Sampling(greedy=greedy, seed=seed + i))).strip())
    return out


def write_blind(args: argparse.Namespace, prompts: list[str], replies: list[list[str]]) -> None:
    rng = random.Random(args.seed)
    key, rows = [], []
    for i, prompt in enumerate(prompts):
        order = [0, 1] if rng.random() < 0.5 else [1, 0]
        key.append({"prompt": prompt, "A": str(args.bundle[order[0]]), "B": str(args.bundle[order[1]])})
        rows.append(f"| {i + 1} | {cell(prompt)} | {cell(replies[order[0]][i])} | {cell(replies[order[1]][i])} |")
    args.out.write_text("| # | prompt | A | B |\n|---|---|---|---|\n" + "\n".join(rows) + "\n", encoding="utf-8")
    args.out.with_suffix(".key.json").write_text(json.dumps(key, indent=1) + "\n", encoding="utf-8")

