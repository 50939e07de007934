"""``python -m export picture-blind``: can a person tell what the pictures show? A blind naming check.

Three steps, each a run of this command on the same ``--out`` directory:

1. draw: every caption (the 32 contact-sheet captions of :mod:`export.imagegen.gan_sheet` and the 32
   chat sentences :data:`NEW_CHAT`, never used in training) drawn by every ``--bundle`` (seed = caption
   index) and by the nearest-caption lookup (the real picture of the nearest training caption), shuffled
   together and laid out unlabelled, numbered, on ``sheet_NN.png`` (each picture scaled to
   :data:`SHOWN` px bicubic, as the kiosk's compositor does); ``judge.md`` asks a judge to name what each
   numbered picture shows; the key goes to ``key.json``.
2. ``--names FILE`` (the judge's ``ITEM: name`` lines): ``match.md`` pairs each caption with the name its
   picture got, shuffled again, with no bundle labels, for a second judge to answer ``PAIR yes|no``
   (does the name say what the caption is about?).
3. ``--matches FILE``: ``scores.md``, matches per source and caption set, and every item.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np

from export.common.judge import numbered_answers
from export.common.markdown import cell
from export.imagegen.gan_sheet import sheet_captions

NEW_CHAT = [
    "my daughter lost her first tooth today", "we're flying to Paris next week", "I baked a chocolate cake",
    "it's snowing outside", "my phone battery is dead", "I can't find my keys anywhere",
    "we adopted a kitten", "I'm learning to play the piano", "what a football match that was",
    "I need a cup of tea", "look at that rainbow", "my tomatoes are finally ripe",
    "I'm going fishing this weekend", "happy new year!", "the baby is finally asleep", "I love sunflowers",
    "let's go to the zoo", "my bike has a flat tyre", "I'm reading a book about space",
    "there's a spider in the bath", "we just got married", "fish and chips for dinner tonight",
    "it's so hot today", "I bought new running shoes", "the moon looks huge tonight",
    "I'm scared of thunder", "my son wants a dinosaur party", "we planted a tree in the garden",
    "I have a maths exam tomorrow", "ice cream time!", "the train is late again", "I miss the mountains",
]
NEW_SET = "chat-new"
"""The caption set of :data:`NEW_CHAT`; every other set is on the contact sheet."""
SHOWN, COLS, ROWS, LABEL_H = 192, 4, 4, 26
LOOKUP = "lookup"
JUDGE_BRIEF = (
    "Each numbered picture was drawn by a program from a short sentence you do not see. Say what each "
    "picture shows, as a person at a kiosk screen would: one to four words naming the main thing (an "
    "object, animal, face/feeling, place, activity), or `unclear` when you cannot tell. Do not guess from "
    "the other pictures. Answer with one line per picture: `ITEM: name`.")
MATCH_BRIEF = (
    "Each pair is a sentence and the name a viewer gave to a picture drawn for that sentence. Answer `yes` "
    "when the name says what the sentence is about (its main thing: the object, animal, feeling, place or "
    "activity; a close synonym or a clearly related depiction counts, e.g. sentence `we went to the beach`, "
    "name `beach umbrella`), else `no` (`unclear` is always no). One line per pair: `PAIR yes|no`.")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("picture-blind", help="blind naming check of the pictures of several bundles")
    p.add_argument("--bundle", action="append", default=[], metavar="NAME=DIR",
                   help="a bundle to draw with (repeat); the lookup baseline is always added")
    p.add_argument("--data", type=Path, default=Path(".cache/gan/gan_data.npz"),
                   help="gan-data npz: the sheet's captions and the lookup's training captions and pictures")
    p.add_argument("--seed", type=int, default=0, help="blind order")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--names", type=Path, help="step 2: the judge's `ITEM: name` lines")
    p.add_argument("--matches", type=Path, help="step 3: the match judge's `PAIR yes|no` lines")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.matches:
        return tally(args.out, args.matches)
    if args.names:
        return write_match(args.out, args.names, args.seed)
    return draw_items(args)


def captions(data) -> list[tuple[str, str]]:
    """(set, caption): the 32 sheet captions (set = new | phrase | chat) and the 32 :data:`NEW_CHAT`."""
    return sheet_captions(data) + [(NEW_SET, t) for t in NEW_CHAT]


def draw_items(args: argparse.Namespace) -> int:
    from edge_vdialog.bundle import Bundle
    from edge_vdialog.engines import EngineOptions
    from edge_vdialog.errors import UserError
    from edge_vdialog.imagegen import load_image_generator
    from export.imagegen.gan_metrics import lookup_baseline

    sources = dict(_named(b) for b in args.bundle)
    if not sources or LOOKUP in sources:
        raise UserError("give at least one --bundle NAME=DIR (the name 'lookup' is taken)")
    data = np.load(args.data)
    caps = captions(data)
    texts = [t for _, t in caps]
    pictures: dict[str, list[np.ndarray]] = {}
    gen = None
    for name, path in sources.items():
        gen = load_image_generator(Bundle.load(path), EngineOptions(threads=1))
        pictures[name] = [gen.generate(t, seed=i) for i, t in enumerate(texts)]
    train = np.flatnonzero(data["split"] == 0)
    train_emb = gen.encoder.encode([str(c) for c in data["captions"][train]])
    pictures[LOOKUP] = list(lookup_baseline(gen.encoder.encode(texts), train_emb, data["concept"][train],
                                            data["images"]))
    items = [(s, i) for s in pictures for i in range(len(caps))]
    random.Random(args.seed).shuffle(items)
    args.out.mkdir(parents=True, exist_ok=True)
    per_sheet = COLS * ROWS
    for start in range(0, len(items), per_sheet):
        chunk = items[start:start + per_sheet]
        _sheet([pictures[s][i] for s, i in chunk], range(start + 1, start + 1 + len(chunk))).save(
            args.out / f"sheet_{start // per_sheet + 1:02d}.png")
    key = {"sources": {**sources, LOOKUP: f"nearest training caption's picture in {args.data}"},
           "captions": [{"set": k, "text": t} for k, t in caps],
           "items": [{"item": n, "source": s, "caption": i} for n, (s, i) in enumerate(items, 1)]}
    (args.out / "key.json").write_text(json.dumps(key, indent=1) + "\n", encoding="utf-8")
    sheets = -(-len(items) // per_sheet)
    (args.out / "judge.md").write_text(
        f"{JUDGE_BRIEF}\n\nPictures 1-{len(items)} are on sheet_01.png ... sheet_{sheets:02d}.png, "
        f"{per_sheet} per sheet, numbered under each picture.\n", encoding="utf-8")
    print(f"wrote {len(items)} items on {sheets} sheets, judge.md and key.json in {args.out}")
    return 0


def write_match(out: Path, names_file: Path, seed: int) -> int:
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    names = numbered_answers(names_file, r"\s*(\d+)\s*[:.)-]\s*(.+?)\s*$")
    pairs = [(it["item"], key["captions"][it["caption"]]["text"], names.get(it["item"], "unclear"))
             for it in key["items"]]
    random.Random(seed + 1).shuffle(pairs)
    rows = [f"| {n} | {cell(text)} | {cell(name)} |" for n, (_, text, name) in enumerate(pairs, 1)]
    (out / "match.md").write_text(f"{MATCH_BRIEF}\n\n| pair | sentence | name |\n|---|---|---|\n"
                                  + "\n".join(rows) + "\n", encoding="utf-8")
    (out / "match_key.json").write_text(json.dumps([{"pair": n, "item": item, "name": name}
                                                    for n, (item, _, name) in enumerate(pairs, 1)], indent=0)
                                        + "\n", encoding="utf-8")
    print(f"{len(names)} of {len(key['items'])} items named; wrote {out}/match.md and match_key.json")
    return 0


def tally(out: Path, matches_file: Path) -> int:
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    pairs = json.loads((out / "match_key.json").read_text(encoding="utf-8"))
    said = numbered_answers(matches_file, r"\s*(\d+)\D+?\b(yes|no)\b")
    by_item = {p["item"]: (p["name"], said.get(p["pair"]) == "yes") for p in pairs}
    sources = list(key["sources"])
    sets = list(dict.fromkeys(c["set"] for c in key["captions"]))
    table: dict[tuple[str, int], tuple[str, bool]] = {
        (it["source"], it["caption"]): by_item[it["item"]] for it in key["items"]}
    size = {s: sum(c["set"] == s for c in key["captions"]) for s in sets}
    head = ["| source | " + " | ".join(f"{s} ({size[s]})" for s in sets)
            + f" | sheet ({sum(n for s, n in size.items() if s != NEW_SET)}) | all ({sum(size.values())}) |",
            "|---|" + "---|" * (len(sets) + 2)]
    for src in sources:
        hits = {s: sum(table[src, i][1] for i, c in enumerate(key["captions"]) if c["set"] == s) for s in sets}
        sheet = sum(v for s, v in hits.items() if s != NEW_SET)
        head.append(f"| {src} | " + " | ".join(str(hits[s]) for s in sets) + f" | **{sheet}** | "
                    f"{sum(hits.values())} |")
    rows = ["| # | set | caption | " + " | ".join(sources) + " |", "|---|---|---|" + "---|" * len(sources)]
    for i, c in enumerate(key["captions"]):
        cells = [f"{cell(table[s, i][0])} {'✓' if table[s, i][1] else '✗'}" for s in sources]
        rows.append(f"| {i + 1} | {c['set']} | {cell(c['text'])} | " + " | ".join(cells) + " |")
    text = ("Matches (the judge's name says what the caption is about), per source and caption set:\n\n"
            + "\n".join(head) + "\n\nSources: " + "; ".join(f"{k} = {v}" for k, v in key["sources"].items())
            + "\n\n" + "\n".join(rows) + "\n")
    (out / "scores.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"{len(said)} of {len(pairs)} pairs answered; wrote {out}/scores.md")
    return 0


def _sheet(images: list[np.ndarray], numbers):
    from PIL import Image, ImageDraw, ImageFont

    from edge_vdialog.compose.frame import fit_picture

    cell_h = SHOWN + LABEL_H
    sheet = Image.new("RGB", (COLS * SHOWN, ROWS * cell_h), "white")
    pen = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=18)
    for k, (img, n) in enumerate(zip(images, numbers)):
        x, y = (k % COLS) * SHOWN, (k // COLS) * cell_h
        sheet.paste(Image.fromarray(fit_picture(img, SHOWN, SHOWN)), (x, y))
        pen.text((x + SHOWN // 2 - 14, y + SHOWN + 3), str(n), fill="black", font=font)
    return sheet


def _named(spec: str) -> tuple[str, str]:
    from edge_vdialog.errors import UserError
    name, sep, path = spec.partition("=")
    if not sep or not name or not path:
        raise UserError(f"--bundle {spec!r}: expected NAME=DIR", "e.g. --bundle committed=models/default")
    return name, path
