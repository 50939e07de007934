"""Dialogue corpora: readers, cleaning and a train/validation split by conversation.

A conversation is a list of turn strings, speakers alternating. Sources (``--corpus``):

  chitchat              PyPI ``chitchat-dataset`` (MIT; ~7,000 human chats)
  chatterbot[:LANG]     PyPI ``chatterbot-corpus`` YAML (BSD; default language english)
  persona[:SET]         this project's kiosk-persona conversations, checked (export/dialogue/persona_corpus.py);
                        SET: a subfolder of further conversations (persona:targeted, persona:everyday, persona:reading,
                        persona:common, persona:venues)
  PATH.jsonl            one conversation per line: a JSON list of turn strings
  PATH.yml / PATH.yaml  one ChatterBot-format file; a directory reads every *.yml inside

Bad input raises UserError naming the file and line.
"""

from __future__ import annotations

import importlib.util
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from edge_vdialog.errors import UserError

Conversation = list[str]
MAX_TURN_CHARS = 600
"""Turns longer than this (characters) split the conversation there: they are pastes, not chat."""
VAL_FRACTION = 0.05


@dataclass
class Corpus:
    train: list[Conversation]
    val: list[Conversation]
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        turns = sum(len(c) for c in self.train + self.val)
        extra = ", ".join(f"{k} {v:,}" for k, v in self.counts.items())
        return (f"{len(self.train):,} train + {len(self.val):,} validation conversations, "
                f"{turns:,} turns ({extra})")


def load_corpus(sources: list[str], seed: int = 0, val_fraction: float = VAL_FRACTION) -> Corpus:
    """Read, clean and split every source; the split is fixed by ``seed``."""
    raw: list[Conversation] = []
    for source in sources:
        raw.extend(read_source(source))
    convs, counts = clean(raw)
    if len(convs) < 2:
        raise UserError(f"corpus {', '.join(sources)}: only {len(convs)} usable conversation(s) after cleaning",
                        "a conversation needs at least two non-empty turns")
    random.Random(seed).shuffle(convs)
    n_val = max(1, round(len(convs) * val_fraction))
    return Corpus(train=convs[n_val:], val=convs[:n_val], counts=counts)


def read_source(source: str) -> list[Conversation]:
    """Dispatch one ``--corpus`` value to its reader."""
    if source == "chitchat":
        return read_chitchat()
    if source == "persona" or source.startswith("persona:"):
        from export.dialogue.persona_corpus import DIRECTORY, read_persona

        subset = source.partition(":")[2]
        if subset and not (DIRECTORY / subset).is_dir():
            raise UserError(f"no persona set {subset!r}", f"use persona or persona:NAME for a folder in {DIRECTORY}")
        return read_persona(DIRECTORY / subset if subset else DIRECTORY)
    if source == "chatterbot" or source.startswith("chatterbot:"):
        lang = source.partition(":")[2] or "english"
        return read_yaml_dir(_package_dir("chatterbot_corpus", "chatterbot-corpus") / "data" / lang)
    path = Path(source)
    if path.is_dir():
        return read_yaml_dir(path)
    if not path.is_file():
        raise UserError(f"corpus not found: {source}",
                        "use chitchat, chatterbot[:LANG], persona[:SET], a .jsonl file, a .yml file or a directory of .yml files")
    if path.suffix == ".jsonl":
        return read_jsonl(path)
    if path.suffix in (".yml", ".yaml"):
        return read_yaml(path)
    raise UserError(f"{path}: unknown corpus format {path.suffix!r}", "supported: .jsonl, .yml, .yaml")


def read_chitchat() -> list[Conversation]:
    """chitchat-dataset: each message is a run of utterances by one sender; the run is one turn."""
    path = _package_dir("chitchat_dataset", "chitchat-dataset") / "dataset.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return [[" ".join(u["text"] for u in message) for message in conv["messages"]] for conv in data.values()]


def read_jsonl(path: Path) -> list[Conversation]:
    convs = []
    for lineno, line in enumerate(_text_lines(path), start=1):
        if not line.strip():
            continue
        try:
            conv = json.loads(line)
        except json.JSONDecodeError as e:
            raise UserError(f"{path}:{lineno}: not valid JSON ({e.msg} at column {e.colno})",
                            "each line must be a JSON list of turn strings") from None
        if not isinstance(conv, list) or not all(isinstance(t, str) for t in conv):
            raise UserError(f"{path}:{lineno}: expected a JSON list of turn strings, got {_kind(conv)}")
        if not any(t.strip() for t in conv):
            raise UserError(f"{path}:{lineno}: empty conversation", "remove the line or add its turns")
        convs.append(conv)
    return convs


def read_yaml_dir(directory: Path) -> list[Conversation]:
    files = sorted(directory.glob("*.yml")) + sorted(directory.glob("*.yaml"))
    if not files:
        raise UserError(f"{directory}: no .yml files", "point --corpus at a ChatterBot corpus directory")
    return [conv for f in files for conv in read_yaml(f)]


def read_yaml(path: Path) -> list[Conversation]:
    """ChatterBot format: ``conversations: [[turn, turn, ...], ...]``."""
    import yaml

    text = "\n".join(_text_lines(path))
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise UserError(f"{where}: not valid YAML ({getattr(e, 'problem', None) or e})") from None
    convs = doc.get("conversations") if isinstance(doc, dict) else None
    if not isinstance(convs, list):
        raise UserError(f"{path}:1: no 'conversations' list", "ChatterBot format: conversations: [[turn, ...], ...]")
    out = []
    for i, conv in enumerate(convs):
        if isinstance(conv, list) and not conv or conv is None:
            raise UserError(f"{path}:{_yaml_line(text, i)}: conversation {i + 1} is empty")
        if isinstance(conv, list):  # a bare string is a one-turn conversation: cleaning drops it
            out.append([str(t) if t is not None else "" for t in conv])
    return out


def clean(convs: list[Conversation]) -> tuple[list[Conversation], dict[str, int]]:
    """Normalise whitespace, drop empty and repeated turns, cut at overlong turns, drop duplicates."""
    counts = {"read": len(convs), "too short": 0, "duplicate": 0, "long turns": 0}
    seen: set[tuple[str, ...]] = set()
    out = []
    for conv in convs:
        for turns in _split_at_long_turns(_clean_turns(conv), counts):
            if len(turns) < 2:
                counts["too short"] += 1
            elif tuple(turns) in seen:
                counts["duplicate"] += 1
            else:
                seen.add(tuple(turns))
                out.append(turns)
    counts["kept"] = len(out)
    return out, counts


def _split_at_long_turns(turns: list[str], counts: dict[str, int]) -> list[list[str]]:
    pieces: list[list[str]] = [[]]
    for turn in turns:
        if len(turn) > MAX_TURN_CHARS:
            counts["long turns"] += 1
            pieces.append([])
        else:
            pieces[-1].append(turn)
    return pieces


def _clean_turns(conv: Conversation) -> list[str]:
    turns: list[str] = []
    for turn in conv:
        turn = re.sub(r"\s+", " ", turn).strip()
        if turn and (not turns or turns[-1] != turn):
            turns.append(turn)
    return turns


def _text_lines(path: Path) -> list[str]:
    """The file's lines decoded as UTF-8; undecodable bytes are an error naming the line."""
    lines = []
    for lineno, raw in enumerate(path.read_bytes().splitlines(), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError as e:
            raise UserError(f"{path}:{lineno}: not UTF-8 (byte 0x{raw[e.start]:02x} at column {e.start + 1})",
                            "re-save the file as UTF-8") from None
    return lines


def _yaml_line(text: str, index: int) -> int:
    """1-based line of the ``index``-th top-level ``- `` item under ``conversations:`` (best effort)."""
    lines = text.splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith("conversations:")), 0)
    items = [i for i, l in enumerate(lines[start + 1:], start=start + 1) if l.startswith("-")]
    return items[index] + 1 if index < len(items) else start + 1


def _package_dir(module: str, dist: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin:
        raise UserError(f"corpus package {dist} is not installed", f"pip install {dist}")
    return Path(spec.origin).parent


def _kind(value: object) -> str:
    return type(value).__name__
