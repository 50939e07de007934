"""train-dialogue on a tiny random GPT-2 and a tiny JSONL corpus: loss falls, resumes, exports, chats."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from export.__main__ import main
from tests.dialogue.tiny_models import gpt2_checkpoint, write_conversations

CHATS = [[f"hello there, {n}", "hi! how are you today?", "fine, thanks for asking"] for n in range(10)] + \
        [[f"what is your name? I am {n}.", "my name is kiosk. nice to meet you!"] for n in range(10)] + \
        [[f"is the weather nice at {n}?", "yes, it is sunny. let us go for a walk in the park."] for n in range(10)]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return write_conversations(tmp_path_factory.mktemp("corpus") / "chats.jsonl", CHATS)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, corpus) -> Path:
    root = tmp_path_factory.mktemp("train")
    init = gpt2_checkpoint(root / "init")
    out = root / "ckpt"
    assert main(_args(corpus, out, init, steps=30)) == 0
    return out


def _args(corpus: Path, out: Path, init: Path, steps: int) -> list[str]:
    return ["train-dialogue", "--corpus", str(corpus), "--out", str(out), "--init", str(init),
            "--steps", str(steps), "--seq", "48", "--batch", "8", "--lr", "3e-3", "--seed", "1"]


def test_fine_tuning_lowers_the_validation_loss(trained):
    report = json.loads((trained / "training.json").read_text())
    before, after = report["history"][0], report["final"]
    assert before["step"] == 0 and after["step"] == 30
    assert after["val"]["ppl"] < 0.8 * before["val"]["ppl"]
    assert 0 < after["val"]["bits_per_byte"] < before["val"]["bits_per_byte"]
    for name in ("config.json", "model.safetensors", "tokenizer.json", "vocab.json", "merges.txt"):
        assert (trained / name).is_file(), name


def test_running_again_resumes(trained, corpus, tmp_path):
    import shutil

    out = tmp_path / "ckpt"
    shutil.copytree(trained, out)
    assert main(_args(corpus, out, Path("scratch"), steps=34)) == 0
    report = json.loads((out / "training.json").read_text())
    assert report["steps"] == 34
    assert [h["step"] for h in report["history"]] == [0, 30, 34]


def test_bad_corpus_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'["hi", "ho"]\n["\xff"]\n')
    out = tmp_path / "ckpt"
    assert main(["train-dialogue", "--corpus", str(bad), "--out", str(out), "--steps", "1"]) == 1
    assert "bad.jsonl:2: not UTF-8" in capsys.readouterr().err
    assert not out.exists()


def test_trained_checkpoint_exports_and_chats(trained, corpus, tmp_path):
    pytest.importorskip("export.dialogue.lm_bundle")
    from edge_vdialog.bundle import Bundle
    from edge_vdialog.dialogue import Sampling, load_chat
    from export.dialogue.lm_bundle import export_causal_lm

    bundle = export_causal_lm(trained, tmp_path / "bundle", quantize="int8", prompt_format="eos-turns")
    chat = load_chat(Bundle.load(bundle))
    assert "".join(chat.send("hello there", Sampling(greedy=True, max_new_tokens=12))).strip()
    assert len(chat.history) == 2
    # the INT8 export keeps what fine-tuning taught: chats like the corpus's are far likelier than others
    unseen = write_conversations(tmp_path / "unseen.jsonl", [[f"my cat {n} sleeps all day long",
                                                              "the train leaves at seven, bring an umbrella"]
                                                             for n in range(10)])
    results = tmp_path / "eval.jsonl"
    for chats in (corpus, unseen):
        assert main(["eval-dialogue", "--bundle", str(bundle), "--corpus", str(chats), "--json", str(results)]) == 0
    seen_ppl, unseen_ppl = [json.loads(line)["ppl"] for line in results.read_text().splitlines()]
    assert seen_ppl < unseen_ppl / 2                     # measured: 2,614 vs 7,891


def test_eval_of_fp32_bundle_matches_the_checkpoint(trained, corpus, tmp_path):
    pytest.importorskip("export.dialogue.lm_bundle")
    from export.dialogue.lm_bundle import export_causal_lm

    fp32 = export_causal_lm(trained, tmp_path / "fp32", quantize="none", prompt_format="eos-turns")
    results = tmp_path / "eval.jsonl"
    for what in (["--bundle", str(fp32)], ["--checkpoint", str(trained)]):
        assert main(["eval-dialogue", *what, "--corpus", str(corpus), "--json", str(results)]) == 0
    onnx, torch = [json.loads(line) for line in results.read_text().splitlines()]
    assert onnx["tokens"] == torch["tokens"] > 0 and onnx["bytes"] == torch["bytes"]
    assert onnx["ppl"] == pytest.approx(torch["ppl"], rel=1e-3)


def test_chat_samples_blind_side_by_side(trained, tmp_path):
    pytest.importorskip("export.dialogue.lm_bundle")
    from export.dialogue.lm_bundle import export_causal_lm

    a = export_causal_lm(trained, tmp_path / "a", quantize="none", prompt_format="eos-turns")
    b = export_causal_lm(trained, tmp_path / "b", quantize="int8", prompt_format="eos-turns")
    out = tmp_path / "side.md"
    assert main(["chat-samples", "--bundle", str(a), "--bundle", str(b), "--count", "3", "--out", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 2 + 3
    key = json.loads(out.with_suffix(".key.json").read_text())
    assert [{k["A"], k["B"]} for k in key] == [{str(a), str(b)}] * 3
