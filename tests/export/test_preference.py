"""Preference tuning on a CPU: a bundle's own replies to training lines as blind judge items, pairs from
the judges' scores, and DPO of a LoRA adapter on a tiny Llama that moves it towards the chosen replies,
resumes, and keeps the adapter's prompt metadata."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from export.__main__ import main
from tests.dialogue.tiny_models import llama_checkpoint, write_conversations

SYSTEM = "You are the kiosk."
THINGS = ("cat", "tree", "boat", "cake", "bird")
CHATS = [[f"draw me a {thing} number {n}", f"Here is a {thing} for you! What colour should it be?"]
         for n in range(6) for thing in THINGS]


@pytest.fixture(scope="module")
def adapter(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pref")
    corpus = write_conversations(root / "chats.jsonl", CHATS)
    llama = llama_checkpoint(root / "llama")
    out = root / "sft"
    assert main(["train-dialogue", "--corpus", str(corpus), "--out", str(out), "--init", str(llama), "--lora", "4",
                 "--format", "chatml", "--system", SYSTEM, "--steps", "10", "--seq", "64", "--batch", "8",
                 "--lr", "1e-2", "--warmup", "2", "--seed", "1"]) == 0
    return out / "adapter.safetensors"


@pytest.fixture(scope="module")
def pairs(tmp_path_factory) -> Path:
    """The chosen reply names the thing asked for, the rejected one is a stock refusal."""
    path = tmp_path_factory.mktemp("pairs") / "pairs.jsonl"
    rows = [{"prompt": f"please draw a {t} {n}", "chosen": f"A {t} for you!", "rejected": "I cannot do that.",
             "margin": 3} for n in range(10) for t in THINGS]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _dpo(adapter: Path, pairs: Path, out: Path, steps: int) -> list[str]:
    return ["train-preference", "--adapter", str(adapter), "--pairs", str(pairs), "--out", str(out),
            "--steps", str(steps), "--batch", "8", "--lr", "5e-3", "--warmup", "2", "--beta", "0.5", "--threads", "1"]


def test_dpo_moves_the_adapter_towards_the_chosen_replies_and_resumes(adapter, pairs, tmp_path):
    from export.dialogue import lora

    out = tmp_path / "dpo"
    assert main(_dpo(adapter, pairs, out, 12)) == 0
    report = json.loads((out / "training.json").read_text())
    start, end = report["history"][0], report["history"][-1]
    assert start["step"] == 0 and start["val_margin"] == 0.0          # the reference is the starting adapter
    assert end["step"] == 12 and end["val_right_way_round"] >= 0.75 and end["val_margin"] > 0.1
    assert end["val_loss"] < start["val_loss"]
    assert report["train_pairs"] + report["val_pairs"] == 50 and report["val_pairs"] == 8
    assert lora.read_meta(out / lora.ADAPTER_FILE) == lora.read_meta(adapter)   # same prompt format and system prompt
    assert main(_dpo(adapter, pairs, out, 14)) == 0                  # again, longer: resumes at step 12
    assert [h["step"] for h in json.loads((out / "training.json").read_text())["history"]] == [0, 12, 14]


def test_bad_pairs_are_refused_before_training(adapter, tmp_path, capsys):
    bad = tmp_path / "pairs.jsonl"
    bad.write_text(json.dumps({"prompt": "hi", "chosen": "Hello!"}) + "\n", encoding="utf-8")
    out = tmp_path / "dpo"
    assert main(_dpo(adapter, bad, out, 2)) == 1
    assert "line 1 lacks prompt/chosen/rejected" in capsys.readouterr().err
    assert not out.exists()


def test_items_are_blind_and_scores_make_pairs(tiny, tmp_path):
    corpus = write_conversations(tmp_path / "chats.jsonl", CHATS)
    out = tmp_path / "items"
    assert main(["preference-items", "--out", str(out), "--bundle", str(tiny["llama_fp32"]), "--corpus", str(corpus),
                 "--lines", "6", "--samples", "2", "--chunks", "2"]) == 0
    items = json.loads((out / "items.json").read_text())
    assert len(items) == 18 and sorted(it["item"] for it in items) == list(range(1, 19))
    lines = {it["line"] for it in items}
    assert len(lines) == 6 and lines <= {c[0] for c in CHATS}
    judged = "".join((out / f"judge_{n}.md").read_text() for n in (1, 2))
    assert judged.count("Kiosk:") == 18 and "Score each reply 1-5" in judged
    assert not re.search(r"sample\d|written", judged)                # nothing says where a reply came from
    # a judge who likes the written replies, then the first sample of one line as much
    tie = next(it["line"] for it in items if it["source"] == "sample0")
    score = {"written": 5, "sample0": 3, "sample1": 2}
    answers = [f"{it['item']} {5 if it['line'] == tie and it['source'] == 'sample0' else score[it['source']]}"
               for it in items]
    (tmp_path / "a.txt").write_text("\n".join(answers[:9]) + "\n")
    (tmp_path / "b.txt").write_text("\n".join(answers[9:]) + "\n")
    assert main(["preference-items", "--out", str(out), "--scores", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"),
                 "--margin", "3"]) == 0
    got = [json.loads(line) for line in (out / "pairs.jsonl").read_text().splitlines()]
    assert len(got) == 6 and all(p["margin"] == 3 for p in got)
    own = {it["line"]: it["reply"] for it in items if it["source"] == "sample0"}
    for p in got:
        worst = next(it["reply"] for it in items if it["line"] == p["prompt"] and it["source"] == "sample1")
        assert p["rejected"] == worst
        assert p["chosen"] == (own[tie] if p["prompt"] == tie else next(c[1] for c in CHATS if c[0] == p["prompt"]))
