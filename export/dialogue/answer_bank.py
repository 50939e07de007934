"""``python -m export answer-bank``: the written answers the kiosk recalls, into a bundle's ``answers``.

Every first exchange of the kiosk-persona corpus (export/dialogue/persona_corpus/, the folders of :data:`SETS`) whose
reply passes the corpus's reply checks (whole sentence, 1-40 words, no repeated 3-gram, no persona
violation), once each, as ``answers.jsonl`` (``[visitor line, kiosk reply]`` per line) in component
``answers`` (kind ``answer-bank``) of ``--bundle``, which must hold the ``text_encoder`` the runtime
embeds the lines with (edge_vdialog/dialogue/answers.py). Later exchanges are left out: their
visitor lines lean on what was said before ("ok what if mine is public speaking").
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from edge_vdialog.dialogue.answers import DEFAULT_MIN_COSINE, KIND
from edge_vdialog.errors import UserError

SETS = ("", "targeted", "everyday", "reading", "common")
"""The corpus folders ("": its top level) whose exchanges the committed bank holds. ``venues/`` is not
one: on two fresh line sets it added one recalled line, a wrong one ("hello 🎨" -> "General Kenobi!"),
docs/dialogue_models.md, rounds 34-35."""
SOURCE = ("first exchanges of export/dialogue/persona_corpus/ (conversations written for this project, "
          "see its README.md), checked by export/dialogue/persona_corpus.py's reply checks")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("answer-bank", help="the persona corpus's checked first exchanges into a bundle's answers")
    p.add_argument("--bundle", type=Path, default=Path("models/default"), help="bundle with a text_encoder")
    p.add_argument("--sets", default=",".join(SETS),
                   help="comma-separated corpus folders to take exchanges from ('' is the top level; default: "
                        "those of the committed bank)")
    p.add_argument("--min-cosine", type=float, default=DEFAULT_MIN_COSINE,
                   help="how close a visitor's line must be to a written one (text-encoder cosine)")
    p.set_defaults(func=run)


def first_exchanges(directory: Path, sets: tuple[str, ...] = SETS) -> tuple[list[tuple[str, str]], int]:
    """The checked first exchanges of the JSONL files of ``sets`` under ``directory`` (sorted paths), each
    once; and how many failed the reply checks."""
    from export.dialogue.corpus import read_jsonl
    from export.dialogue.persona_corpus import reply_problem

    pairs: dict[tuple[str, str], None] = {}
    failed = 0
    for path in sorted(p for name in sets for p in (directory / name).glob("*.jsonl")):
        for conv in read_jsonl(path):
            if len(conv) < 2 or reply_problem(conv[1]):
                failed += 1
                continue
            pairs.setdefault((conv[0].strip(), conv[1].strip()), None)
    return list(pairs), failed


def run(args: argparse.Namespace) -> int:
    from edge_vdialog.bundle import Bundle
    from export.common.bundle_writer import bundle_export
    from export.dialogue.persona_corpus import DIRECTORY

    if not 0.5 <= args.min_cosine <= 1.0:
        raise UserError(f"--min-cosine {args.min_cosine} is outside 0.5-1")
    Bundle.load(args.bundle).component("text_encoder")          # the runtime embeds with it
    sets = tuple(name.strip() for name in args.sets.split(","))
    missing = [name for name in sets if not (DIRECTORY / name).is_dir()]
    if missing:
        raise UserError(f"no corpus folder {', '.join(missing)} in {DIRECTORY}", "name folders that are there")
    pairs, failed = first_exchanges(DIRECTORY, sets)
    with bundle_export(args.bundle) as export:
        path = export.work / "answers.jsonl"
        path.write_text("".join(json.dumps(list(p), ensure_ascii=False) + "\n" for p in pairs), encoding="utf-8")
        export.write("answers", {"answers": path}, kind=KIND, precision="text", source=SOURCE,
                     licence="Apache-2.0 (written for this project)",
                     config={"encoder": "text_encoder", "min_cosine": args.min_cosine})
    print(f"answer bank: {len(pairs):,} exchanges ({failed} failed the reply checks) -> {args.bundle}/answers")
    return 0
