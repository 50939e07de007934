"""The kiosk-persona corpus (``--corpus persona``): written conversations, checked before training.

``export/dialogue/persona_corpus/*.jsonl`` holds ~2,900 visitor/kiosk conversations (2 or 4 turns; the
subfolders ``targeted/``, ``everyday/``, ``reading/``, ``common/`` and ``venues/`` hold 1,900, 1,600, 1,538,
1,600 and 2,000 more)
written for this project to the persona of issue 12 (docs/dialogue_models.md says how; licence
Apache-2.0 like the code). A conversation is kept only if every kiosk turn passes the reply checks
the evaluation uses (export/dialogue/reply_checks.py: whole sentence, 3-40 words, no repeated 3-gram,
no persona violation) and no visitor turn is close to a held-out evaluation line
(export/dialogue/visitor_lines.txt: the same after lower-casing and stripping punctuation, or MiniLM
cosine over :data:`HELD_OUT_COSINE` with the text encoder of ``models/default``), so the evaluation
stays unseen.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from export.dialogue.reply_checks import (
    LINES,
    repetition,
    violations,
    visitor_lines,
    whole_sentence,
)

DIRECTORY = Path(__file__).with_name("persona_corpus")
HELD_OUT_COSINE = 0.85
ENCODER_BUNDLE = Path(__file__).resolve().parents[2] / "models" / "default"


def read_persona(directory: Path = DIRECTORY, held_out: Path = LINES) -> list[list[str]]:
    """Every checked conversation of ``directory``'s JSONL files (sorted by file name, then line)."""
    from export.dialogue.corpus import read_jsonl

    convs = [c for path in sorted(directory.glob("*.jsonl")) for c in read_jsonl(path)]
    counts = {"read": len(convs), "reply check": 0, "held-out": 0}
    checked = []
    for conv in convs:
        if any(reply_problem(reply) for reply in conv[1::2]):
            counts["reply check"] += 1
        else:
            checked.append(conv)
    near = _near_held_out([conv[0::2] for conv in checked], held_out)
    kept = [conv for conv, close in zip(checked, near) if not close]
    counts["held-out"] = len(checked) - len(kept)
    print("persona corpus: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + f", kept {len(kept):,}",
          file=sys.stderr)
    return kept


def reply_problem(reply: str) -> str:
    """'' when a kiosk turn is fit to train on, else what is wrong with it."""
    if not whole_sentence(reply):
        return "not a whole sentence"
    if not 1 <= len(reply.split()) <= 40:
        return "length"
    if repetition(reply) > 0:
        return "repetition"
    hits = violations(reply)
    return f"persona violation ({', '.join(hits)})" if hits else ""


def _near_held_out(visitor_turns: list[list[str]], held_out: Path) -> list[bool]:
    """Per conversation: is any of its visitor turns (nearly) a held-out line?"""
    from edge_vdialog.bundle import Bundle
    from edge_vdialog.engines import EngineOptions
    from edge_vdialog.imagegen import TextEncoder

    held = visitor_lines(held_out)
    held_keys = {_key(h) for h in held}
    enc = TextEncoder.load(Bundle.load(ENCODER_BUNDLE).component("text_encoder"), EngineOptions(threads=2))
    held_vecs = enc.encode(held)                                   # (H, D), unit length
    flat = [t for turns in visitor_turns for t in turns]
    sims = (enc.encode(flat) @ held_vecs.T).max(axis=1) if flat else []   # (T,)
    out, i = [], 0
    for turns in visitor_turns:
        close = any(_key(t) in held_keys or sims[i + k] > HELD_OUT_COSINE for k, t in enumerate(turns))
        out.append(close)
        i += len(turns)
    return out


def _key(text: str) -> str:
    return re.sub(r"[^\w ]+", "", text.lower()).strip()
