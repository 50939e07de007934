"""judged-replies: the model's replies that every blind judge scored well, from persona-eval runs and a
draft study, minus held-out lines and lines a skill answers, as a train-dialogue corpus."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from export.__main__ import main
from export.dialogue.corpus import read_jsonl

DEFAULT = ROOT / "models" / "default"
LINES = ["my cat knocked a glass off the table again", "what is 12 plus 30", "we just got back from Lisbon",
         "the rain will not stop today"]


def _run_dir(root: Path) -> Path:
    """A persona-eval run of set-ups model and other (4 lines each), judged by two judges."""
    d = root / "round"
    d.mkdir()
    replies = {"model": [{"reply": r} for r in ("Oh no, is the cat all right? Mind the glass!", "It is 42.",
                                                 "Welcome back! What did you like best?", "Rain rain rain.")],
               "other": [{"reply": r} for r in ("Cats will be cats!", "42", "Lisbon is lovely.", "So wet.")]}
    (d / "replies.json").write_text(json.dumps({"lines": LINES, "replies": replies}))
    key = [{"item": n, "setup": s, "line": i} for n, (s, i) in
           enumerate(((s, i) for s in ("model", "other") for i in range(4)), 1)]
    (d / "blind_key.json").write_text(json.dumps(key))
    (d / "judge_scores_a.txt").write_text("1 5\n2 5\n3 4\n4 2\n5 5\n6 5\n7 5\n8 5\n")
    (d / "judge_scores_b.txt").write_text("1 4\n2 5\n3 3\n4 2\n5 5\n6 5\n7 5\n8 5\n")
    return d


def _draft_study(root: Path) -> Path:
    d = root / "drafts"
    d.mkdir()
    items = [{"chunk": 0, "item": n, "text": LINES[3], "reply": r} for n, r in enumerate(
        ("A rainy day is a good day for a picture. Shall I draw an umbrella?", "Sorry about the rain!",
         "What a soggy day! Stay dry out there.", "Rain again? I hope it stops for you soon."), 1)]
    (d / "items.json").write_text(json.dumps(items))
    (d / "judge_scores_0a.txt").write_text("1 4\n2 3\n3 5\n4 5\n")
    (d / "judge_scores_0b.txt").write_text("1 4\n2 5\n3 5\n4 4\n")
    return d


def test_keeps_the_best_model_replies_every_judge_liked(tmp_path):
    out = tmp_path / "judged.jsonl"
    held_out = tmp_path / "held_out.txt"
    held_out.write_text("WE just got back   from lisbon\n")
    assert main(["judged-replies", "--run", f"{_run_dir(tmp_path)}:model", "--draft-study", str(_draft_study(tmp_path)),
                 "--exclude", str(held_out), "--encoder", str(DEFAULT), "--out", str(out)]) == 0
    assert read_jsonl(out) == [
        ["my cat knocked a glass off the table again", "Oh no, is the cat all right? Mind the glass!"],
        # both judges 5 first, then 4+5 by fewer words; 4+4 is third and the per-line cap (2) drops it
        ["the rain will not stop today", "What a soggy day! Stay dry out there."],
        ["the rain will not stop today", "Rain again? I hope it stops for you soon."],
    ]                                  # the sum is a skill's line; Lisbon is held out; "other" was not asked for


def test_min_score_per_line_and_chitchat_replay(tmp_path):
    from export.dialogue.corpus import load_corpus

    out = tmp_path / "judged.jsonl"
    assert main(["judged-replies", "--draft-study", str(_draft_study(tmp_path)), "--min-score", "3",
                 "--per-line", "4", "--replay", "3", "--encoder", str(DEFAULT), "--out", str(out)]) == 0
    convs = read_jsonl(out)
    assert len(convs) == 4 + 3 and all(c[0] == LINES[3] for c in convs[:4])
    split = load_corpus(["chitchat"])
    assert all(c in split.train and c not in split.val for c in convs[4:])   # never eval-dialogue's held-out


@pytest.mark.parametrize("argv, message", [
    ([], "no judged replies"),
    (["--run", "nowhere"], "expected DIR:SETUP"),
    (["--run", "nowhere:kiosk"], "cannot read"),
    (["--run", "ROUND:kiosk"], "no set-up kiosk"),
    (["--draft-study", "DRAFTS", "--per-line", "0"], "--per-line 0"),
    (["--draft-study", "DRAFTS", "--replay", "-1"], "--replay -1"),
    (["--run", "ROUND:model", "--exclude", "nowhere.txt"], "nowhere.txt: cannot read visitor lines"),
])
def test_bad_arguments_are_refused_with_a_reason(tmp_path, capsys, argv, message):
    round_dir = _run_dir(tmp_path)
    argv = [a.replace("ROUND", str(round_dir)).replace("DRAFTS", str(tmp_path)) for a in argv]
    assert main(["judged-replies", *argv, "--out", str(tmp_path / "o.jsonl")]) != 0
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o.jsonl").exists()
