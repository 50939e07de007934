"""``python -m export judged-replies``: the kiosk model's own replies that blind judges scored well, as a
training corpus (rejection-sampling fine-tuning: the model learns from its best samples, which it can
write, rather than only from written replies, which it imitates poorly).

Sources (each judged by one or more blind judges against the persona-eval rubric):

* ``--run DIR:SETUP[,SETUP...]`` (repeatable): a ``persona-eval`` output directory (``replies.json``,
  ``blind_key.json``, one ``judge_scores*.txt`` per judge) and the set-ups in it whose replies came from
  the model to be tuned;
* ``--draft-study DIR`` (repeatable): ``items.json`` (``chunk``, ``item``, ``text``, ``reply``) and
  ``judge_scores_<chunk><judge>.txt``, several drafts per line.

A reply is kept when every judge of it scored at least ``--min-score``, its line is not in an
``--exclude`` file (held-out evaluation lines, compared case- and space-insensitively) and no default
skill of the runtime answers the line (the model never sees such lines in the kiosk, and the skills'
written replies are not the model's); per line, the ``--per-line`` best (ties: fewer words) distinct
replies. ``--out FILE.jsonl`` gets one ``[line, reply]`` conversation per line (``train-dialogue
--corpus FILE.jsonl``), then ``--replay N`` conversations drawn (seed 0) from the training split of the
chit-chat corpus: replayed general conversation keeps the tuned model's held-out chit-chat bits per byte
from rising, which training on the model's own low-temperature replies alone does (it sharpens the model).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from edge_vdialog.errors import UserError
from export.common.judge import rubric_scores
from export.dialogue.reply_checks import visitor_lines


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("judged-replies", help="the model's replies judged well, as a training corpus (JSONL)")
    p.add_argument("--run", action="append", default=[], metavar="DIR:SETUPS",
                   help="persona-eval directory and its comma-separated set-ups answered by the model (repeatable)")
    p.add_argument("--draft-study", action="append", default=[], type=Path, metavar="DIR",
                   help="draft-study directory: items.json + judge_scores_<chunk><judge>.txt (repeatable)")
    p.add_argument("--exclude", action="append", default=[], type=Path, metavar="LINES",
                   help="visitor lines (one per line) never to train on: the held-out sets (repeatable)")
    p.add_argument("--min-score", type=int, default=4, choices=range(1, 6), help="every judge at least this")
    p.add_argument("--per-line", type=int, default=2, help="at most this many replies per visitor line")
    p.add_argument("--replay", type=int, default=0, metavar="N",
                   help="append N chit-chat conversations from its training split (never its validation split)")
    p.add_argument("--encoder", type=Path, default=Path("models/default"),
                   help="bundle with the text encoder of the recall skill's written answers")
    p.add_argument("--out", type=Path, required=True, help="output JSONL, one [line, reply] per line")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.run and not args.draft_study:
        raise UserError("no judged replies to read", "give --run DIR:SETUPS and/or --draft-study DIR")
    if args.per_line < 1:
        raise UserError(f"--per-line {args.per_line}: must be at least 1")
    if args.replay < 0:
        raise UserError(f"--replay {args.replay}: must be 0 or more")
    judged = [r for spec in args.run for r in read_run(*_run_spec(spec))]
    judged += [r for d in args.draft_study for r in read_draft_study(d)]
    excluded = {_key(line) for path in args.exclude for line in visitor_lines(path)}
    lines = {r["line"] for r in judged}
    model_lines = model_answered(lines, args.encoder)
    kept = select(judged, args.min_score, args.per_line, excluded, model_lines)
    convs = [[r["line"], r["reply"]] for r in kept] + replay(args.replay)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        f.writelines(json.dumps(conv, ensure_ascii=False) + "\n" for conv in convs)
    print(f"{len(judged)} judged replies to {len(lines)} lines; {len(lines & model_lines)} lines answered by "
          f"the model, {sum(_key(x) in excluded for x in lines)} excluded as held out; kept {len(kept)} replies "
          f"to {len({r['line'] for r in kept})} lines (every judge >= {args.min_score}, at most "
          f"{args.per_line} per line; mean score {statistics.mean(r['score'] for r in kept) if kept else 0:.2f})")
    if args.replay:
        print(f"replay: {args.replay} chit-chat conversations from its training split")
    print(f"wrote {args.out}")
    return 0


def read_run(directory: Path, setups: list[str]) -> list[dict]:
    """Judged replies of ``setups`` in a persona-eval directory: ``{line, reply, scores}``."""
    data = json.loads(_read(directory / "replies.json"))
    key = json.loads(_read(directory / "blind_key.json"))
    unknown = [s for s in setups if s not in data["replies"]]
    if unknown:
        raise UserError(f"{directory}: no set-up {', '.join(unknown)}", f"it has {', '.join(data['replies'])}")
    judges = [rubric_scores(p) for p in sorted(directory.glob("judge_scores*.txt"))]
    if not judges:
        raise UserError(f"{directory}: no judge_scores*.txt", "score its blind_items.md first")
    out = []
    for k in key:
        if k["setup"] in setups:
            scores = [j[k["item"]] for j in judges if k["item"] in j]
            out.append({"line": data["lines"][k["line"]], "reply": data["replies"][k["setup"]][k["line"]]["reply"],
                        "scores": scores})
    return out


def read_draft_study(directory: Path) -> list[dict]:
    """Judged drafts of a draft study: ``{line, reply, scores}``."""
    items = json.loads(_read(directory / "items.json"))
    judges: dict[int, list[dict[int, int]]] = defaultdict(list)
    for path in sorted(directory.glob("judge_scores_*.txt")):
        if m := re.fullmatch(r"judge_scores_(\d+)[a-z]+", path.stem):
            judges[int(m[1])].append(rubric_scores(path))
    return [{"line": it["text"], "reply": it["reply"],
             "scores": [j[it["item"]] for j in judges[it["chunk"]] if it["item"] in j]} for it in items]


def replay(n: int) -> list[list[str]]:
    """``n`` conversations of the chit-chat corpus's training split, drawn with seed 0 (the split of
    ``eval-dialogue``: its held-out conversations are never drawn)."""
    if not n:
        return []
    from export.dialogue.corpus import load_corpus

    train = load_corpus(["chitchat"]).train
    if n > len(train):
        raise UserError(f"--replay {n}: the chit-chat training split has {len(train)} conversations")
    return [train[i] for i in random.Random(0).sample(range(len(train)), n)]


def model_answered(lines: set[str], encoder: Path) -> set[str]:
    """The lines that no default skill of the runtime answers (with the written answers of ``encoder``)."""
    from edge_vdialog.bundle import Bundle
    from edge_vdialog.dialogue.answers import AnswerBank
    from edge_vdialog.dialogue.skills import WRITTEN, Context, skill_answer
    from edge_vdialog.dialogue.tokenizer import clean_text
    from edge_vdialog.settings import Dialogue

    skills = Dialogue().skills
    answers = AnswerBank.load(Bundle.load(encoder)) if WRITTEN & set(skills) else None
    context = Context(datetime(2026, 1, 5, 11, 0), random.Random(0), answers=answers)
    return {line for line in lines if skill_answer(clean_text(line), skills, context) is None}


def select(judged: list[dict], min_score: int, per_line: int, excluded: set[str], model_lines: set[str]) -> list[dict]:
    """Per line (in first-seen order), the ``per_line`` best distinct replies every judge scored
    ``min_score`` or more, best mean first, then fewer words; with their mean as ``score``."""
    by_line: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for r in judged:
        if r["scores"] and min(r["scores"]) >= min_score and r["line"] in model_lines \
                and _key(r["line"]) not in excluded:
            by_line[r["line"]].setdefault(r["reply"].strip(), []).extend(r["scores"])
    kept = []
    for line, replies in by_line.items():
        ranked = sorted(replies.items(), key=lambda kv: (-statistics.mean(kv[1]), len(kv[0].split())))
        kept += [{"line": line, "reply": reply, "score": statistics.mean(s)} for reply, s in ranked[:per_line]]
    return kept


def _run_spec(spec: str) -> tuple[Path, list[str]]:
    directory, sep, setups = spec.rpartition(":")
    if not sep or not directory or not setups:
        raise UserError(f"--run {spec!r}: expected DIR:SETUP[,SETUP...]", "e.g. docs/persona_eval/round30:kiosk")
    return Path(directory), [s for s in setups.split(",") if s]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise UserError(f"{path}: cannot read ({e.strerror})") from None


def _key(line: str) -> str:
    return " ".join(line.casefold().split())
