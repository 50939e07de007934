"""``python -m export preference-items``: the kiosk's own replies to training lines, for blind judges,
then preference pairs from their scores (the data of ``train-preference``).

Step 1 (``--bundle B --out DIR``): the first visitor line of ``--lines`` conversations drawn from the
training split of ``--corpus`` (never its validation split, never a held-out evaluation line: the
persona corpus drops those when read), each answered ``--samples`` times by bundle ``B`` with the
runtime's default sampling, the first at its temperature and the others at ``--hot``; every reply and
the corpus's own written reply are shuffled into ``--chunks`` files ``judge_N.md`` of numbered items
with the rubric of ``persona-eval`` (a judge sees nothing else), and ``items.json`` keeps the key.

Step 2 (``--out DIR --scores FILE...``, one ``ITEM SCORE`` per line, any number of files): ``pairs.jsonl``,
one ``{"prompt", "chosen", "rejected", "margin"}`` per line where the best-scored answer beats the
worst of the kiosk's own replies by at least ``--margin`` points (the written reply is a candidate for
chosen, never for rejected), and a summary of the scores.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from dataclasses import replace
from pathlib import Path

from edge_vdialog.errors import UserError
from export.common.judge import numbered_answers
from export.dialogue.persona_eval import RUBRIC

WRITTEN = "written"
"""The source label of the corpus's own reply in ``items.json``."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("preference-items", help="kiosk replies to training lines for blind judges; pairs from scores")
    p.add_argument("--out", type=Path, required=True, help="working directory (items.json, judge_N.md, pairs.jsonl)")
    p.add_argument("--bundle", type=Path, default=Path("models/smollm2"), help="dialogue bundle whose replies are judged")
    p.add_argument("--corpus", action="append", help="training corpora (default: the three persona sets)")
    p.add_argument("--lines", type=int, default=600, help="visitor lines drawn from the training split")
    p.add_argument("--samples", type=int, default=2, help="replies of the bundle per line")
    p.add_argument("--hot", type=float, default=0.9, help="temperature of every sample after the first")
    p.add_argument("--chunks", type=int, default=4, help="judge files to split the items into")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--scores", type=Path, nargs="+", help="judges' answers: write pairs.jsonl")
    p.add_argument("--margin", type=int, default=2, help="least score difference of a pair")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.scores:
        return pairs(args)
    from edge_vdialog.bundle import Bundle
    from edge_vdialog.dialogue import load_chat
    from edge_vdialog.engines import EngineOptions
    from edge_vdialog.settings import Dialogue
    from export.dialogue.corpus import load_corpus

    corpus = load_corpus(args.corpus or ["persona", "persona:targeted", "persona:everyday"], seed=args.seed)
    firsts: dict[str, str] = {}
    for conv in corpus.train:
        firsts.setdefault(conv[0].strip(), conv[1].strip())
    rng = random.Random(args.seed)
    lines = rng.sample(sorted(firsts), min(args.lines, len(firsts)))
    chat = load_chat(Bundle.load(args.bundle), EngineOptions(threads=2))
    base = Dialogue().sampling()
    items = []
    for i, line in enumerate(lines):
        items.append({"line": line, "reply": firsts[line], "source": WRITTEN})
        for s in range(args.samples):
            chat.reset()
            sampling = replace(base, seed=args.seed * 1000003 + i * 31 + s,
                               temperature=base.temperature if s == 0 else args.hot)
            reply = "".join(chat.send(line, sampling)).strip()
            items.append({"line": line, "reply": reply, "source": f"sample{s}"})
        if (i + 1) % 50 == 0:
            print(f"{i + 1}/{len(lines)} lines answered", file=sys.stderr)
    rng.shuffle(items)
    for n, item in enumerate(items, 1):
        item["item"] = n
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "items.json").write_text(json.dumps(items, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    size = -(-len(items) // args.chunks)
    for c in range(args.chunks):
        chunk = items[c * size:(c + 1) * size]
        body = "\n".join(f"{it['item']}. Visitor: {it['line']}\n   Kiosk: {it['reply']}\n" for it in chunk)
        (args.out / f"judge_{c + 1}.md").write_text(
            f"# Blind items\n\n{RUBRIC}\n\nAnswer one line per item: `ITEM SCORE` (e.g. `{chunk[0]['item']} 4`).\n\n"
            + body, encoding="utf-8")
    print(f"wrote {len(items)} items ({len(lines)} lines) to {args.out}/items.json and {args.chunks} judge files")
    return 0


def pairs(args: argparse.Namespace) -> int:
    items = json.loads((args.out / "items.json").read_text(encoding="utf-8"))
    scores: dict[int, str] = {}
    for path in args.scores:
        scores.update(numbered_answers(path, r"\s*(\d+)\s*[:.)-]?\s*([1-5])\b"))
    by_line: dict[str, list[dict]] = {}
    for it in items:
        if it["item"] in scores:
            it["score"] = int(scores[it["item"]])
            by_line.setdefault(it["line"], []).append(it)
    if not by_line:
        raise UserError("no scores matched the items", "each answer line is `ITEM SCORE`, e.g. `12 4`")
    out = []
    for line, its in by_line.items():
        own = [it for it in its if it["source"] != WRITTEN]
        if not own:
            continue
        best = max(its, key=lambda it: (it["score"], it["source"] != WRITTEN))   # own reply wins a tie
        worst = min(own, key=lambda it: it["score"])
        if best["score"] - worst["score"] >= args.margin:
            out.append({"prompt": line, "chosen": best["reply"], "rejected": worst["reply"],
                        "margin": best["score"] - worst["score"]})
    with (args.out / "pairs.jsonl").open("w", encoding="utf-8") as f:
        for p in out:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    for source in sorted({it["source"] for its in by_line.values() for it in its}):
        got = [it["score"] for its in by_line.values() for it in its if it["source"] == source]
        print(f"{source}: {len(got)} scored, mean {statistics.mean(got):.2f}, 4+ {sum(s >= 4 for s in got)}")
    print(f"wrote {len(out)} pairs ({sum(p['chosen'] in {it['reply'] for it in items if it['source'] == WRITTEN} for p in out)}"
          f" with the written reply as chosen) to {args.out}/pairs.jsonl")
    return 0
