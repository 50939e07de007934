"""``edge-vdialog chat``: talk to the dialogue model; only the reply goes to stdout."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat", help="chat with the dialogue model (one message, or interactive on stdin)")
    p.add_argument("text", nargs="?", metavar="TEXT", help="what to say; without it, read lines from stdin")
    p.add_argument("--bundle", type=Path, default=None,
                   help="bundle directory (default: SmolLM2 if built, else the committed GPT-2)")
    p.add_argument("--greedy", action="store_true",
                   help="plain argmax, no sampling and no repetition penalties (reproducible)")
    p.add_argument("--seed", type=int, default=None, help="random seed for sampling")
    p.add_argument("--max-new-tokens", type=int, default=None, metavar="N",
                   help="hard reply cap, tokens (default: the kiosk's, [dialogue] max_new_tokens)")
    p.add_argument("--no-skills", action="store_true",
                   help="every line goes to the model (no exact sums, clock, places, written answers or "
                        "unreadable-input answers)")
    p.add_argument("--drafts", type=int, default=None, metavar="N",
                   help="replies written per line, the shortest shown (default: the kiosk's, [dialogue] drafts)")
    p.add_argument("--raw", action="store_true",
                   help="TEXT is a plain prompt (no dialogue template); print only the continuation")
    p.add_argument("--threads", type=int, default=None, help="ONNX Runtime threads (default: one per core)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from edge_vdialog.bundle import (
        Bundle,
        default_bundle_dir,
        default_dialogue_bundle_dir,
    )
    from edge_vdialog.dialogue import load_chat
    from edge_vdialog.dialogue.answers import AnswerBank
    from edge_vdialog.dialogue.drafts import with_drafts
    from edge_vdialog.dialogue.skills import WRITTEN, Device, SkilledDialogue
    from edge_vdialog.engines import EngineOptions
    from edge_vdialog.errors import UserError
    from edge_vdialog.settings import MAX_DRAFTS, Dialogue

    if args.max_new_tokens is not None and args.max_new_tokens < 1:
        raise UserError("--max-new-tokens must be at least 1")
    if args.drafts is not None and not 1 <= args.drafts <= MAX_DRAFTS:
        raise UserError(f"--drafts must be 1-{MAX_DRAFTS}")
    if (args.drafts or 1) > 1 and (args.greedy or args.raw):
        raise UserError("--drafts is for sampled replies: --greedy writes the same reply each time and --raw "
                        "continues a prompt as it comes", "leave out --drafts, or give --drafts 1")
    kiosk = Dialogue()                   # the kiosk's defaults: sampling, clean endings, skills
    sampling = replace(kiosk.sampling(), seed=args.seed,
                       max_new_tokens=args.max_new_tokens or kiosk.max_new_tokens)
    if args.greedy:
        sampling = replace(sampling, greedy=True, repetition_penalty=1.0, no_repeat_ngram=0)
    chat = load_chat(Bundle.load(args.bundle or default_dialogue_bundle_dir()), EngineOptions(threads=args.threads))
    if not args.raw:
        chat = with_drafts(chat, args.drafts or kiosk.drafts)
    if not args.no_skills and not args.raw:
        answers = AnswerBank.load_for(default_bundle_dir()) if WRITTEN & set(kiosk.skills) else None
        chat = SkilledDialogue(chat, kiosk.skills, pictures=False, answers=answers,   # text only: no pictures,
                               device=Device(camera=False, microphone=False))          # no camera, no microphone
    if args.text is not None:
        pieces = chat.complete(args.text, sampling) if args.raw else chat.send(args.text, sampling)
        _print(pieces)
        return 0
    return _interactive(chat, sampling, args.raw)


def _interactive(chat, sampling, raw: bool) -> int:
    """One reply per stdin line; undecodable bytes are replaced and reported, empty lines skipped."""
    from edge_vdialog.errors import UserError

    tty = sys.stdin.isatty()
    for number, line in enumerate(sys.stdin.buffer, 1):
        text = line.decode("utf-8", "replace")
        if "\ufffd" in text and b"\xef\xbf\xbd" not in line:
            print(f"warning: line {number} of stdin is not valid UTF-8; bad bytes replaced",
                  file=sys.stderr)
        if not text.strip():
            continue
        try:
            _print(chat.complete(text, sampling) if raw else chat.send(text, sampling))
        except UserError as e:
            print(f"error: {e}", file=sys.stderr)
        if tty:
            print("> ", end="", file=sys.stderr, flush=True)
    return 0


def _print(pieces) -> None:
    for piece in pieces:
        sys.stdout.write(piece)
        sys.stdout.flush()
    sys.stdout.write("\n")
    sys.stdout.flush()
