"""``python -m export persona-eval``: kiosk replies of several dialogue set-ups, measured, plus blind items.

Set-ups (``--setups``, comma-separated; each one fresh conversation per visitor line, seed = line index):

* ``old``: the untuned SmolLM2 bundle (``--smollm2-base``) with the old system prompt (:data:`OLD_SYSTEM`)
  and the old reply length (``Sampling(soft_max_chars=0, max_new_tokens=64)``, no clean endings): what the
  kiosk did before issue 12.
* ``prompted``: the untuned SmolLM2 bundle with the few-shot kiosk persona (``--system``, default
  :data:`export.dialogue.lm_bundle.DEFAULT_SYSTEM`) and the runtime's default sampling (``[dialogue]``
  defaults of ``edge_vdialog.settings``: clean endings).
* ``tuned``: the persona-tuned SmolLM2 bundle (``--tuned``, default models/smollm2) with its own system
  prompt and the runtime's default sampling; ``tuned-old``: the ``--tuned-old`` bundle (an earlier
  persona-tuned one; default: the same) likewise; ``kiosk``: the ``--tuned`` bundle behind the runtime's
  default skills (:mod:`edge_vdialog.dialogue.skills`: exact sums, the clock, drawing requests, the way to
  places, unreadable input, written answers recalled from the ``--encoder`` bundle, ...), as the kiosk
  answers (the shortest of ``--drafts`` model replies); ``kiosk-old``: the same with the skills
  ``--old-skills`` names (default: all but ``recall``, the skills of rounds 14-18).
* ``gpt2``: the ``--gpt2`` bundle (models/default) with the runtime's default sampling; ``gpt2-old``:
  the ``--gpt2-old`` bundle (the GPT-2 before persona training; default: the same) with the same sampling.

Automatic metrics per set-up (all computed in the same run): share of replies ending on a whole sentence
(a truncation ellipsis counts as not whole) and share cut at the token cap, words (mean, median, max), persona-violation hits
(:data:`VIOLATIONS`: invented spouse, family, shop, body, meals, past), relevance (cosine between the
visitor line and the reply with the MiniLM-distilled text encoder of ``--encoder`` bundle, the one the
picture path uses), repetition (share of repeated word 3-grams in a reply).

``--join NAME=DIR ...`` measures and shuffles replies made earlier instead (each DIR a run of one set-up,
e.g. the kiosk at another commit), as set-up NAME.

``--out DIR`` gets ``replies.json`` (everything, labelled), ``metrics.md``, and for a blind judge
``blind_items.md`` (rubric + every reply of every set-up shuffled, unlabelled) and ``blind_key.json``
(item -> set-up; do not show it to the judge). ``--scores FILE`` (one ``ITEM SCORE`` per line, from the
judge) un-shuffles the scores into ``scores.md``: mean and count of 4+ per set-up, and a table per line.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

from export.common.judge import rubric_scores
from export.common.markdown import cell
from export.dialogue.reply_checks import (
    LINES,
    panel_fit,
    repetition,
    violations,
    visitor_lines,
    whole_sentence,
)

OLD_SYSTEM = "You are a friendly assistant at a kiosk. Answer briefly."
"""The SmolLM2 bundle's system prompt before issue 12."""
SETUPS = ("old", "prompted", "tuned-old", "tuned", "kiosk-old", "kiosk", "gpt2-old", "gpt2")

RUBRIC = (
    "You are judging replies of a friendly public kiosk assistant (a screen with a camera in a shop or lobby) "
    "to what a visitor typed. Score each reply 1-5: 5 = natural, on-topic, short enough to read at a glance "
    "(1-3 sentences), ends cleanly, stays in character as a kiosk assistant (does not invent a spouse, a shop "
    "it works in, or personal experiences it cannot have), would not embarrass the owner; 4 = good with one "
    "small flaw; 3 = understandable and related but rambling, cut off, or slightly off-topic; 2 = mostly "
    "off-topic, incoherent in places, or cut off mid-thought with little value; 1 = word salad, unrelated, "
    "or inappropriate.")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("persona-eval", help="kiosk replies of old/new/GPT-2 set-ups: metrics and blind items")
    p.add_argument("--lines", type=Path, default=LINES, help="visitor lines, one per line (held out)")
    p.add_argument("--setups", default=",".join(SETUPS), help=f"comma-separated: {', '.join(SETUPS)}")
    p.add_argument("--smollm2-base", type=Path, default=Path("models/smollm2"),
                   help="untuned SmolLM2 bundle (python -m export smollm2 --out DIR, no --adapter)")
    p.add_argument("--tuned", type=Path, default=Path("models/smollm2"), help="persona-tuned SmolLM2 bundle")
    p.add_argument("--tuned-old", type=Path, help="earlier persona-tuned bundle for tuned-old (default: --tuned)")
    p.add_argument("--gpt2", type=Path, default=Path("models/default"), help="GPT-2 bundle")
    p.add_argument("--gpt2-old", type=Path, help="GPT-2 bundle for gpt2-old (default: --gpt2)")
    p.add_argument("--encoder", type=Path, default=Path("models/default"),
                   help="bundle with the text encoder (relevance) and the answers (kiosk's recall)")
    p.add_argument("--old-skills", help="comma-separated skills of kiosk-old (default: the kiosk's but recall)")
    p.add_argument("--system", help="persona system prompt for 'prompted' (default: the export's DEFAULT_SYSTEM)")
    p.add_argument("--temperature", type=float, help="override the runtime default sampling's")
    p.add_argument("--repetition-penalty", type=float, help="override the runtime default sampling's")
    p.add_argument("--reply-chars", type=int, help="override the runtime default soft reply length")
    p.add_argument("--drafts", type=int, default=None,
                   help="kiosk and kiosk-old: replies drafted per line, the shortest shown (default: the "
                        "runtime's [dialogue] drafts)")
    p.add_argument("--seed", type=int, default=0, help="sampling seeds (seed + line index) and blind order")
    p.add_argument("--out", type=Path, required=True, help="output directory")
    p.add_argument("--scores", type=Path, help="judge's scores (ITEM SCORE per line): write scores.md only")
    p.add_argument("--join", nargs="+", metavar="NAME=DIR",
                   help="instead of generating, take each DIR's replies (one set-up, e.g. from another commit) "
                        "as set-up NAME: measured and blind items for them together")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    args.out.mkdir(parents=True, exist_ok=True)
    if args.scores:
        return unshuffle(args)
    if args.join:
        lines, replies = joined(args.join)
    else:
        lines = visitor_lines(args.lines)
        setups = [s for s in args.setups.split(",") if s]
        _check_old_skills(args.old_skills, setups)
        _check_drafts(args, setups)
        replies = {s: generate(s, lines, args) for s in setups}
    metrics = measure(lines, replies, args.encoder)
    data = {"lines": lines, "replies": replies, "metrics": metrics, "system": system_prompt(args)}
    (args.out / "replies.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (args.out / "metrics.md").write_text(metrics_table(metrics), encoding="utf-8")
    write_blind(args, lines, replies)
    print(metrics_table(metrics))
    print(f"wrote {args.out}/replies.json, metrics.md, blind_items.md, blind_key.json")
    return 0


def joined(runs: list[str]) -> tuple[list[str], dict[str, list[dict]]]:
    """The lines and replies of earlier runs (``NAME=DIR``, one set-up each), renamed NAME."""
    from edge_vdialog.errors import UserError

    lines, replies = None, {}
    for run in runs:
        name, _, folder = run.partition("=")
        data = json.loads((Path(folder) / "replies.json").read_text(encoding="utf-8"))
        if not name or len(data["replies"]) != 1 or lines not in (None, data["lines"]):
            raise UserError(f"--join {run}: need NAME=DIR, DIR with one set-up and the same lines as the others")
        lines = data["lines"]
        replies[name] = next(iter(data["replies"].values()))
    return lines, replies


def _check_drafts(args: argparse.Namespace, setups: list[str]) -> None:
    """``--drafts``, when given, is in range and used (by a kiosk set-up)."""
    from edge_vdialog.dialogue.drafts import MAX_DRAFTS
    from edge_vdialog.errors import UserError

    if args.drafts is None:
        return
    if not 1 <= args.drafts <= MAX_DRAFTS:
        raise UserError(f"--drafts must be 1-{MAX_DRAFTS}, got {args.drafts}")
    if not {"kiosk", "kiosk-old"} & set(setups):
        raise UserError("--drafts is for set-ups kiosk and kiosk-old, which --setups leaves out")


def _check_old_skills(old_skills: str | None, setups: list[str]) -> None:
    """``--old-skills`` names known skills and is used (by set-up kiosk-old)."""
    from edge_vdialog.dialogue.skills import SKILLS
    from edge_vdialog.errors import UserError

    if old_skills is None:
        return
    if "kiosk-old" not in setups:
        raise UserError("--old-skills is for set-up kiosk-old, which --setups leaves out", "add kiosk-old or drop it")
    unknown = [name for name in old_skills.split(",") if name not in SKILLS]
    if unknown:
        raise UserError(f"--old-skills: unknown skills {', '.join(unknown)}", f"use some of {', '.join(SKILLS)}")


def system_prompt(args: argparse.Namespace) -> str:
    from export.dialogue.lm_bundle import DEFAULT_SYSTEM
    return DEFAULT_SYSTEM if args.system is None else args.system


def generate(setup: str, lines: list[str], args: argparse.Namespace) -> list[dict]:
    from dataclasses import replace

    from edge_vdialog.bundle import Bundle
    from edge_vdialog.dialogue import Sampling, load_chat
    from edge_vdialog.dialogue.answers import AnswerBank
    from edge_vdialog.dialogue.drafts import with_drafts
    from edge_vdialog.dialogue.prompt import PromptFormat
    from edge_vdialog.dialogue.skills import WRITTEN, SkilledDialogue
    from edge_vdialog.engines import EngineOptions
    from edge_vdialog.errors import UserError
    from edge_vdialog.settings import Dialogue

    default = Dialogue().sampling()
    if args.temperature:
        default = replace(default, temperature=args.temperature)
    if args.repetition_penalty:
        default = replace(default, repetition_penalty=args.repetition_penalty)
    if args.reply_chars is not None:
        default = replace(default, soft_max_chars=args.reply_chars)
    old = Sampling(soft_max_chars=0, max_new_tokens=64)
    choices = {"old": (args.smollm2_base, OLD_SYSTEM, old), "prompted": (args.smollm2_base, system_prompt(args), default),
               "tuned-old": (args.tuned_old or args.tuned, None, default), "tuned": (args.tuned, None, default),
               "kiosk": (args.tuned, None, default), "kiosk-old": (args.tuned, None, default),
               "gpt2-old": (args.gpt2_old or args.gpt2, None, default),
               "gpt2": (args.gpt2, None, default)}
    if setup not in choices:
        raise UserError(f"unknown set-up {setup!r}", f"use {', '.join(SETUPS)}")
    bundle, system, sampling = choices[setup]
    chat = load_chat(Bundle.load(bundle), EngineOptions(threads=1))
    if system is not None:                      # the same format with another system prompt
        chat.fmt = PromptFormat(chat.fmt.name, chat.tok, chat.fmt.eos_id, system)
    if setup in ("kiosk", "kiosk-old"):                         # the kiosk draws: every default skill
        chat = with_drafts(chat, args.drafts or Dialogue().drafts)
        skills = Dialogue().skills
        if setup == "kiosk-old":
            skills = args.old_skills.split(",") if args.old_skills else [s for s in skills if s != "recall"]
        answers = AnswerBank.load(Bundle.load(args.encoder)) if WRITTEN & set(skills) else None
        chat = SkilledDialogue(chat, skills, answers=answers)
    out = []
    for i, line in enumerate(lines):
        chat.reset()
        t0 = time.perf_counter()
        text = "".join(chat.send(line, replace(sampling, seed=args.seed + i))).strip()
        tokens = len(chat.tok.encode_text(text))
        out.append({"reply": text, "seconds": round(time.perf_counter() - t0, 3),
                    "cut": tokens >= sampling.max_new_tokens and not whole_sentence(text)})
        print(f"[{setup} {i + 1}/{len(lines)}] {line} -> {text}", file=sys.stderr)
    return out


def measure(lines: list[str], replies: dict[str, list[dict]], encoder_bundle: Path) -> dict[str, dict]:
    from edge_vdialog.bundle import Bundle
    from edge_vdialog.engines import EngineOptions
    from edge_vdialog.imagegen import TextEncoder

    enc = TextEncoder.load(Bundle.load(encoder_bundle).component("text_encoder"), EngineOptions(threads=1))
    line_vecs = enc.encode(lines)
    fits = panel_fit()
    out = {}
    for setup, items in replies.items():
        texts = [r["reply"] for r in items]
        reply_vecs = enc.encode([t or "(empty)" for t in texts])
        for item, line, t, cos in zip(items, lines, texts, (line_vecs * reply_vecs).sum(1)):
            item.update(words=len(t.split()), whole=whole_sentence(t), violations=violations(t),
                        relevance=round(float(cos), 3), repetition=round(repetition(t), 3),
                        chars=len(t), fits=fits(line, t))
        words = [r["words"] for r in items]
        out[setup] = {
            "replies": len(items),
            "whole_sentence": sum(r["whole"] for r in items) / len(items),
            "cut": sum(r["cut"] for r in items) / len(items),
            "words_mean": statistics.mean(words), "words_median": statistics.median(words), "words_max": max(words),
            "violation_replies": sum(bool(r["violations"]) for r in items),
            "violations": sorted({v for r in items for v in r["violations"]}),
            "chars_median": statistics.median(r["chars"] for r in items), "chars_max": max(r["chars"] for r in items),
            "fits_panel": sum(r["fits"] for r in items) / len(items),
            "relevance": statistics.mean(r["relevance"] for r in items),
            "repetition": statistics.mean(r["repetition"] for r in items),
            "seconds_mean": statistics.mean(r["seconds"] for r in items),
        }
    return out


def metrics_table(metrics: dict[str, dict]) -> str:
    header = ("| set-up | replies | cut at the token cap | ends with . ! ? or emoji | words mean / median / max "
              "| replies with a persona violation | relevance (cosine) | repeated 3-grams | chars median / max "
              "| fits the 720p panel | s per reply |")
    rows = [header,
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for s, m in metrics.items():
        rows.append(f"| {s} | {m['replies']} | {m['cut']:.0%} | {m['whole_sentence']:.0%} | {m['words_mean']:.1f} / "
                    f"{m['words_median']:g} / {m['words_max']} | {m['violation_replies']} "
                    f"({', '.join(m['violations']) or '-'}) | {m['relevance']:.3f} | {m['repetition']:.3f} "
                    f"| {m['chars_median']:g} / {m['chars_max']} | {m['fits_panel']:.0%} | {m['seconds_mean']:.2f} |")
    return "\n".join(rows) + "\n"


def write_blind(args: argparse.Namespace, lines: list[str], replies: dict[str, list[dict]]) -> None:
    items = [(s, i) for s in replies for i in range(len(lines))]
    random.Random(args.seed).shuffle(items)
    key, rows = [], []
    for n, (s, i) in enumerate(items, 1):
        key.append({"item": n, "setup": s, "line": i})
        rows.append(f"| {n} | {cell(lines[i])} | {cell(replies[s][i]['reply'])} |")
    (args.out / "blind_items.md").write_text(
        f"Rubric: {RUBRIC}\n\nAnswer with one line per item: `ITEM SCORE`.\n\n| item | visitor typed | reply |\n"
        "|---|---|---|\n" + "\n".join(rows) + "\n", encoding="utf-8")
    (args.out / "blind_key.json").write_text(json.dumps(key, indent=0) + "\n", encoding="utf-8")


def unshuffle(args: argparse.Namespace) -> int:
    key = json.loads((args.out / "blind_key.json").read_text())
    data = json.loads((args.out / "replies.json").read_text(encoding="utf-8"))
    scores = rubric_scores(args.scores)
    table: dict[int, dict[str, int]] = {}
    for k in key:
        if k["item"] in scores:
            table.setdefault(k["line"], {})[k["setup"]] = scores[k["item"]]
    setups = list(data["replies"])
    summary = ["| set-up | scored | mean | 4+ |", "|---|---|---|---|"]
    for s in setups:
        got = [row[s] for row in table.values() if s in row]
        if got:
            summary.append(f"| {s} | {len(got)} | {statistics.mean(got):.2f} | {sum(g >= 4 for g in got)} "
                           f"({sum(g >= 4 for g in got) / len(got):.0%}) |")
    rows = ["| # | visitor typed | " + " | ".join(f"{s} reply | {s}" for s in setups) + " |",
            "|---|---|" + "---|---|" * len(setups)]
    for i, line in enumerate(data["lines"]):
        cells = [f"{cell(data['replies'][s][i]['reply'])} | {table.get(i, {}).get(s, '-')}" for s in setups]
        rows.append(f"| {i + 1} | {cell(line)} | " + " | ".join(cells) + " |")
    text = "\n".join(summary) + "\n\n" + "\n".join(rows) + "\n"
    (args.out / "scores.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"{len(scores)} of {len(key)} items scored; wrote {args.out}/scores.md")
    return 0

