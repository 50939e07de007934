"""persona-eval: metrics, blind items and un-shuffling on the committed GPT-2 bundle."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from export.dialogue import persona_eval as pe

DEFAULT = ROOT / "models" / "default"


def test_violations_catch_an_invented_life_and_spare_a_kiosk():
    assert "spouse/partner" in pe.violations("My wife Sarah loves this place.")
    assert "shop/workplace" in pe.violations("Welcome to our shop, we have treats for our customers!")
    assert "meals/sleep/travel" in pe.violations("I ate pancakes this morning.")
    assert "invented name" in pe.violations("Hi! My name is Ember.")
    assert pe.violations("I am the kiosk here, a screen with a camera. What should I draw?") == []
    assert pe.violations("Your cat sounds like a handful! Shall I draw her?") == []


def test_whole_sentences_and_repetition():
    assert pe.whole_sentence("That sounds fun!") and pe.whole_sentence("Hello 👋")
    assert not pe.whole_sentence("I was going to the") and not pe.whole_sentence("It went on and on…")
    assert pe.repetition("a b c a b c a b c") > 0.5 and pe.repetition("one two three four") == 0.0


def test_panel_fit_uses_the_compositor():
    fits = pe.panel_fit()
    assert fits("hi", "A short reply that fits easily.")
    assert not fits("hi", "word " * 120)


def test_persona_eval_on_the_committed_bundle(tmp_path):
    from edge_vdialog.cli import build_parser, run

    lines = tmp_path / "lines.txt"
    lines.write_text("hello!\nmy cat knocked a glass off the table again.\nthanks, bye!\n", encoding="utf-8")
    out = tmp_path / "eval"

    def export(*argv: str) -> int:
        return run(build_parser("python -m export", "toolchain", "export", ["dialogue.persona_eval"]), list(argv))

    assert export("persona-eval", "--lines", str(lines), "--setups", "gpt2-old,gpt2", "--gpt2", str(DEFAULT),
                  "--encoder", str(DEFAULT), "--out", str(out)) == 0
    data = json.loads((out / "replies.json").read_text(encoding="utf-8"))
    assert set(data["metrics"]) == {"gpt2-old", "gpt2"}
    for setup in ("gpt2-old", "gpt2"):
        assert len(data["replies"][setup]) == 3 and all(r["reply"] for r in data["replies"][setup])
        assert -1.0 <= data["metrics"][setup]["relevance"] <= 1.0
    assert not any(r["cut"] for r in data["replies"]["gpt2"])     # the runtime's clean endings
    key = json.loads((out / "blind_key.json").read_text())
    assert sorted(k["item"] for k in key) == list(range(1, 7))
    blind = (out / "blind_items.md").read_text(encoding="utf-8")
    assert "gpt2" not in blind and "Score each reply 1-5" in blind
    # the judge scores items blind; un-shuffling puts each score back on its set-up and line
    truth = {(k["setup"], k["line"]): 1 + (k["line"] + (k["setup"] == "gpt2")) % 5 for k in key}
    scores = tmp_path / "scores.txt"
    scores.write_text("".join(f"{k['item']} {truth[k['setup'], k['line']]}\n" for k in key))
    assert export("persona-eval", "--out", str(out), "--scores", str(scores)) == 0
    table = (out / "scores.md").read_text(encoding="utf-8")
    assert "| gpt2-old | 3 | 2.00 | 0 (0%) |" in table and "| gpt2 | 3 | 3.00 | 1 (33%) |" in table


def test_runs_made_apart_are_judged_together(tmp_path):
    from edge_vdialog.cli import build_parser, run

    lines = tmp_path / "lines.txt"
    lines.write_text("hello!\nwhat time does the reptile house open on sundays?\n", encoding="utf-8")

    def export(*argv: str) -> int:
        return run(build_parser("python -m export", "toolchain", "export", ["dialogue.persona_eval"]), list(argv))

    common = ("--lines", str(lines), "--tuned", str(DEFAULT), "--encoder", str(DEFAULT))
    assert export("persona-eval", *common, "--setups", "kiosk-old", "--old-skills", "clock", "--out",
                  str(tmp_path / "a")) == 0
    assert export("persona-eval", *common, "--setups", "kiosk", "--out", str(tmp_path / "b")) == 0
    out = tmp_path / "joined"
    assert export("persona-eval", "--join", f"before={tmp_path / 'a'}", f"after={tmp_path / 'b'}",
                  "--out", str(out)) == 0
    data = json.loads((out / "replies.json").read_text(encoding="utf-8"))
    assert set(data["replies"]) == {"before", "after"} and set(data["metrics"]) == {"before", "after"}
    assert "staff" in data["replies"]["after"][1]["reply"] != data["replies"]["before"][1]["reply"]
    assert len(json.loads((out / "blind_key.json").read_text())) == 4
    lines.write_text("another line\n", encoding="utf-8")
    assert export("persona-eval", "--lines", str(lines), "--setups", "gpt2", "--gpt2", str(DEFAULT), "--encoder",
                  str(DEFAULT), "--out", str(tmp_path / "c")) == 0
    assert export("persona-eval", "--join", f"a={tmp_path / 'a'}", f"c={tmp_path / 'c'}", "--out",
                  str(tmp_path / "bad")) == 1                  # other lines: an error, not a table


def test_the_committed_answer_bank_is_rebuilt_from_its_corpus_sets():
    from export.dialogue.answer_bank import SETS, first_exchanges
    from export.dialogue.persona_corpus import DIRECTORY

    committed = [tuple(json.loads(line)) for line in
                 (DEFAULT / "answers" / "answers.jsonl").read_text(encoding="utf-8").splitlines()]
    assert first_exchanges(DIRECTORY)[0] == committed
    assert len(first_exchanges(DIRECTORY, (*SETS, "venues"))[0]) > len(committed)


def test_old_skills_and_drafts_are_checked_before_any_reply(tmp_path):
    from edge_vdialog.cli import build_parser, run

    lines = tmp_path / "lines.txt"
    lines.write_text("hello!\n", encoding="utf-8")

    def export(*argv: str) -> int:
        return run(build_parser("python -m export", "toolchain", "export", ["dialogue.persona_eval"]), list(argv))

    common = ("persona-eval", "--lines", str(lines), "--tuned", str(DEFAULT), "--out", str(tmp_path / "o"))
    assert export(*common, "--setups", "kiosk-old", "--old-skills", "clock,horoscope") == 1   # unknown skill
    assert export(*common, "--setups", "kiosk", "--old-skills", "clock") == 1                 # nothing uses it
    assert export(*common, "--setups", "kiosk", "--drafts", "9") == 1                          # out of range
    assert export(*common, "--setups", "gpt2", "--gpt2", str(DEFAULT), "--drafts", "2") == 1  # nothing uses it
    assert not (tmp_path / "o" / "replies.json").exists()
