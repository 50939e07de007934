"""``python -m export persona-data``: kiosk-persona training pairs (visitor line -> reply), filtered.

Visitor lines come from the training split of ``chitchat-dataset`` (every turn of 2-20 words), the English
ChatterBot corpus (its prompts) and :data:`TEMPLATES`; lines close to a held-out evaluation line
(``--held-out``, default export/dialogue/visitor_lines.txt: exact match after lower-casing, or MiniLM cosine
over ``--held-out-cosine``) are never used. For each line ``--samples`` replies are sampled from the
``--bundle`` (SmolLM2 with the kiosk persona system prompt, the runtime's default sampling with clean endings);
a reply is kept only if it passes every filter of :func:`passes` (whole sentence, 3-40 words, fits the 720p
panel, no repeated 3-gram, no persona-violation hit, relevance to the line >= ``--min-relevance``); the best
kept one (highest relevance) is written as one conversation ``[line, reply]`` per line of ``--out`` (JSONL,
the format ``python -m export train-dialogue --corpus`` reads).

Resumable: every line tried is appended to ``--out``.log (kept or not) and skipped when the command is run
again; stop it at any time. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import zlib
from dataclasses import replace
from pathlib import Path

from export.dialogue.reply_checks import (
    LINES,
    panel_fit,
    repetition,
    violations,
    whole_sentence,
)

TEMPLATES = [
    "hi", "hello!", "hey there", "good afternoon", "good evening!", "morning!", "yo", "hiya, how are you?",
    "thank you", "thanks a lot", "cheers!", "bye", "bye bye", "good night", "take care!", "nice talking to you",
    "what is this thing?", "what do you do?", "can you see me?", "can you hear me?", "how does this work?",
    "draw me a {thing}", "can you make a picture of a {thing}?", "I like {thing}s", "I'm scared of {thing}s",
    "my {person} loves {thing}s", "what do you think of {thing}s?", "I saw a {thing} today",
    "you're boring", "shut up", "I hate you", "you are so slow", "this is dumb", "whatever",
    "hmm", "ok", "yes", "no", "maybe", "idk", "haha", "wow", "???", "...", "test", "hello?? anyone there?",
    "I'm hungry", "I'm lost", "I'm happy today", "I feel sad", "it's my birthday!", "it's so hot today",
    "I'm waiting for a bus", "I just finished work", "what should I do this weekend?", "tell me something fun",
]
THINGS = ["cat", "dog", "dragon", "rocket", "pizza", "tree", "robot", "horse", "rainbow", "castle", "spider",
          "flower", "car", "bird", "fish", "mountain", "cake", "ghost", "banana", "penguin"]
PEOPLE = ["son", "daughter", "mum", "dad", "friend", "grandma", "boss", "neighbour"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("persona-data", help="kiosk-persona training pairs sampled from SmolLM2 and filtered")
    p.add_argument("--out", type=Path, required=True, help="JSONL to append to (a train-dialogue corpus)")
    p.add_argument("--bundle", type=Path, default=Path("models/smollm2"), help="chatml bundle to sample from")
    p.add_argument("--system", help="persona system prompt (default: the SmolLM2 export's DEFAULT_SYSTEM)")
    p.add_argument("--samples", type=int, default=4, help="replies sampled per line")
    p.add_argument("--lines", type=int, default=3000, help="visitor lines to try in all")
    p.add_argument("--held-out", type=Path, default=LINES, help="evaluation lines never used here")
    p.add_argument("--held-out-cosine", type=float, default=0.85)
    p.add_argument("--min-relevance", type=float, default=0.2)
    p.add_argument("--encoder", type=Path, default=Path("models/default"), help="bundle with the text encoder")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run)


def visitor_lines(seed: int) -> list[str]:
    """Candidate visitor lines, shuffled with ``seed`` (templates first, then the corpora)."""
    from export.dialogue.corpus import load_corpus

    rng = random.Random(seed)
    own = sorted({t.format(thing=rng.choice(THINGS), person=rng.choice(PEOPLE)) for t in TEMPLATES
                  for _ in range(3)})
    corpus: set[str] = set()
    for source in ("chitchat", "chatterbot"):
        for conv in load_corpus([source], seed=0).train:       # the validation split stays unseen
            corpus.update(t for t in conv[:-1] if 2 <= len(t.split()) <= 20)
    rest = sorted(corpus - set(own))
    rng.shuffle(own)
    rng.shuffle(rest)
    return own + rest


def passes(line: str, reply: str, relevance: float, fits, min_relevance: float) -> str:
    """'' when ``reply`` is fit to train on, else the first reason it is not."""
    words = len(reply.split())
    if not whole_sentence(reply):
        return "not a whole sentence"
    if not 3 <= words <= 40:
        return "length"
    if not fits(line, reply):
        return "panel"
    if repetition(reply) > 0:
        return "repetition"
    if violations(reply):
        return "violation"
    if relevance < min_relevance:
        return "relevance"
    return ""


def run(args: argparse.Namespace) -> int:
    from edge_vdialog.bundle import Bundle
    from edge_vdialog.dialogue import load_chat
    from edge_vdialog.dialogue.prompt import PromptFormat
    from edge_vdialog.engines import EngineOptions
    from edge_vdialog.imagegen import TextEncoder
    from edge_vdialog.settings import Dialogue
    from export.dialogue.lm_bundle import DEFAULT_SYSTEM

    log = args.out.with_name(args.out.name + ".log")
    done = set()
    if log.is_file():
        done = {json.loads(l)["line"] for l in log.read_text(encoding="utf-8").splitlines() if l.strip()}
    enc = TextEncoder.load(Bundle.load(args.encoder).component("text_encoder"), EngineOptions(threads=1))
    held = [l.strip() for l in args.held_out.read_text(encoding="utf-8").splitlines() if l.strip()]
    held_vecs = enc.encode(held)
    held_lower = {h.lower() for h in held}
    chat = load_chat(Bundle.load(args.bundle), EngineOptions(threads=1))
    chat.fmt = PromptFormat(chat.fmt.name, chat.tok, chat.fmt.eos_id, args.system or DEFAULT_SYSTEM)
    sampling, fits = Dialogue().sampling(), panel_fit()
    todo = [l for l in visitor_lines(args.seed)[:args.lines] if l not in done]
    print(f"{len(done)} lines done before, {len(todo)} to go -> {args.out}", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    kept, t0 = 0, time.monotonic()
    with open(args.out, "a", encoding="utf-8") as out, open(log, "a", encoding="utf-8") as logf:
        for n, line in enumerate(todo, 1):
            line_vec = enc.encode([line])
            if line.lower() in held_lower or float((held_vecs @ line_vec[0]).max()) > args.held_out_cosine:
                logf.write(json.dumps({"line": line, "skipped": "close to a held-out line"}) + "\n")
                continue
            replies = []
            for k in range(args.samples):
                chat.reset()
                seed = zlib.crc32(f"{args.seed}|{k}|{line}".encode())
                replies.append("".join(chat.send(line, replace(sampling, seed=seed))).strip())
            rel = (enc.encode(replies) @ line_vec[0]).tolist()
            verdicts = [passes(line, r, s, fits, args.min_relevance) for r, s in zip(replies, rel)]
            good = [(s, r) for r, s, v in zip(replies, rel, verdicts) if not v]
            if good:
                kept += 1
                out.write(json.dumps([line, max(good)[1]], ensure_ascii=False) + "\n")
                out.flush()
            logf.write(json.dumps({"line": line, "replies": replies, "relevance": [round(s, 3) for s in rel],
                                   "rejected": verdicts}, ensure_ascii=False) + "\n")
            logf.flush()
            if n % 10 == 0:
                rate = n / (time.monotonic() - t0)
                print(f"{n}/{len(todo)} lines, {kept} kept, {rate * 60:.1f} lines/min, "
                      f"~{(len(todo) - n) / rate / 60:.0f} min left", file=sys.stderr)
    print(f"kept {kept} of {len(todo)} lines; {args.out}", file=sys.stderr)
    return 0
