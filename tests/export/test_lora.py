"""Persona fine-tuning on a CPU: LoRA adapters through train-dialogue on a tiny Llama in chatml, resumed,
merged exactly, exported to a bundle that speaks with the adapter's system prompt; the persona corpus
checks; a GPT-2 bundle recovered into a checkpoint that scores like the bundle."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from export.__main__ import main
from tests.dialogue.tiny_models import (
    gpt2_checkpoint,
    llama_checkpoint,
    write_conversations,
)

SYSTEM = "You are the kiosk."
CHATS = [[f"draw me a {thing} number {n}", f"Here is a {thing} for you! What colour should it be?"]
         for n in range(6) for thing in ("cat", "tree", "boat", "cake", "bird")]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return write_conversations(tmp_path_factory.mktemp("corpus") / "chats.jsonl", CHATS)


@pytest.fixture(scope="module")
def llama(tmp_path_factory) -> Path:
    return llama_checkpoint(tmp_path_factory.mktemp("llama"))


def _args(corpus: Path, out: Path, init: Path, steps: int) -> list[str]:
    return ["train-dialogue", "--corpus", str(corpus), "--out", str(out), "--init", str(init), "--lora", "4",
            "--format", "chatml", "--system", SYSTEM, "--steps", str(steps), "--seq", "64", "--batch", "8",
            "--lr", "1e-2", "--warmup", "2", "--seed", "1"]


@pytest.fixture(scope="module")
def adapter_run(tmp_path_factory, corpus, llama) -> Path:
    out = tmp_path_factory.mktemp("lora") / "run"
    assert main(_args(corpus, out, llama, steps=25)) == 0
    return out


def test_lora_training_lowers_the_loss_and_keeps_only_the_adapter(adapter_run, llama):
    from export.dialogue import lora

    report = json.loads((adapter_run / "training.json").read_text())
    before, after = report["history"][0], report["final"]
    assert after["val"]["ppl"] < 0.7 * before["val"]["ppl"]
    assert report["format"] == "chatml" and report["lora"] == 4
    assert 0 < report["trained_parameters"] < report["parameters"] / 5
    assert not (adapter_run / "model.safetensors").exists()
    meta = lora.read_meta(adapter_run / lora.ADAPTER_FILE)
    assert meta["system_prompt"] == SYSTEM and meta["rank"] == 4 and meta["base"] == str(llama)


def test_lora_run_resumes_where_it_stopped(adapter_run, corpus, llama, tmp_path):
    import shutil

    out = tmp_path / "run"
    shutil.copytree(adapter_run, out)
    assert main(_args(corpus, out, llama, steps=28)) == 0
    report = json.loads((out / "training.json").read_text())
    assert [h["step"] for h in report["history"]] == [0, 25, 28]
    assert report["final"]["val"]["ppl"] < 1.1 * json.loads((adapter_run / "training.json").read_text())["final"]["val"]["ppl"]


def test_a_new_leg_starts_from_a_given_adapter(adapter_run, corpus, llama, tmp_path, capsys):
    from export.dialogue import lora

    first = json.loads((adapter_run / "training.json").read_text())
    out = tmp_path / "leg"
    assert main([*_args(corpus, out, llama, steps=2), "--adapter", str(adapter_run / lora.ADAPTER_FILE)]) == 0
    leg = json.loads((out / "training.json").read_text())
    assert leg["history"][0]["val"]["ppl"] == pytest.approx(first["final"]["val"]["ppl"], rel=1e-4)   # its step 0
    assert leg["adapter"] == str(adapter_run / lora.ADAPTER_FILE)
    wrong_rank = [a if a != "4" else "2" for a in _args(corpus, tmp_path / "bad", llama, steps=2)]
    assert main([*wrong_rank, "--adapter", str(adapter_run / lora.ADAPTER_FILE)]) != 0
    assert "is rank 4, alpha 8 on" in capsys.readouterr().err


def test_merged_adapter_computes_what_the_adapter_does(adapter_run, llama):
    import torch
    from transformers import AutoModelForCausalLM

    from export.dialogue import lora

    model = AutoModelForCausalLM.from_pretrained(str(llama)).eval()
    ids = torch.tensor([[5, 17, 42, 99, 7, 3]])
    with torch.no_grad():
        base = model(input_ids=ids).logits
        lora.load_adapter(model, adapter_run / lora.ADAPTER_FILE)
        adapted = model(input_ids=ids).logits
        lora.merge(model)
        merged = model(input_ids=ids).logits
    assert not any("lora" in name for name, _ in model.named_parameters())
    assert float((adapted - base).abs().max()) > 0.1                       # the adapter changes the model
    torch.testing.assert_close(merged, adapted, atol=1e-4, rtol=1e-4)      # and merging keeps it exactly


def test_adapter_of_another_shape_is_refused(adapter_run, tmp_path):
    from transformers import LlamaConfig, LlamaForCausalLM

    from edge_vdialog.errors import UserError
    from export.dialogue import lora

    other = LlamaForCausalLM(LlamaConfig(vocab_size=400, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                         num_attention_heads=4, num_key_value_heads=2))
    with pytest.raises(UserError, match="does not fit this model"):
        lora.load_adapter(other, adapter_run / lora.ADAPTER_FILE)
    garbage = tmp_path / "x.safetensors"
    garbage.write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}garbage")
    with pytest.raises(UserError, match="not an adapter file"):
        lora.read_meta(garbage)


def test_merged_checkpoint_exports_a_bundle_with_the_adapters_system_prompt(adapter_run, llama, corpus, tmp_path):
    from edge_vdialog.bundle import Bundle
    from edge_vdialog.dialogue import Sampling, load_chat
    from export.dialogue import lora
    from export.dialogue.lm_bundle import export_causal_lm
    from export.dialogue.smollm2 import merged_checkpoint

    ckpt, meta, digest = merged_checkpoint(llama, adapter_run / lora.ADAPTER_FILE, tmp_path / "cache")
    assert (ckpt / "done").is_file() and len(digest) == 64
    assert merged_checkpoint(llama, adapter_run / lora.ADAPTER_FILE, tmp_path / "cache")[0] == ckpt   # cached
    bundles = {name: export_causal_lm(src, tmp_path / name, quantize="none", prompt_format="chatml",
                                      system_prompt=meta["system_prompt"])
               for name, src in (("tuned", ckpt), ("base", llama))}
    assert Bundle.load(bundles["tuned"]).component("dialogue").config["system_prompt"] == SYSTEM
    results = tmp_path / "eval.jsonl"
    for name in ("tuned", "base"):
        assert main(["eval-dialogue", "--bundle", str(bundles[name]), "--corpus", str(corpus),
                     "--json", str(results)]) == 0
    tuned, base = [json.loads(line)["ppl"] for line in results.read_text().splitlines()]
    assert tuned < 0.7 * base                                     # the bundle carries what the adapter learnt
    chat = load_chat(Bundle.load(bundles["tuned"]))
    assert "".join(chat.send("draw me a cat number 3", Sampling(greedy=True, max_new_tokens=8)))


def test_persona_corpus_drops_bad_replies_and_held_out_lines(tmp_path):
    from export.dialogue.persona_corpus import read_persona, reply_problem

    held = tmp_path / "held.txt"
    held.write_text("can you recommend a good movie for tonight?\nwhat's 12 times 7?\n", encoding="utf-8")
    write_conversations(tmp_path / "a.jsonl", [
        ["hi!", "Hello! What shall I draw for you today?"],
        ["Can you recommend a good movie for tonight", "Try a classic comedy!"],            # held out (same words)
        ["recommend me a good film for tonight", "Paddington 2 is a treat."],             # held out (MiniLM 0.88)
        ["what's 8 times 8", "8 times 8 is 64."],                                         # kept: a final "64." ends it
        ["tell me about you", "I love my wife and my dog."],                              # persona violation
        ["hey", "Well hello hello hello hello there"],                                    # no sentence end
    ])
    kept = read_persona(tmp_path, held)
    assert [c[0] for c in kept] == ["hi!", "what's 8 times 8"]
    assert reply_problem("I love my wife.").startswith("persona violation")
    assert reply_problem("Nice to see you, nice to see you!") == "repetition"


def test_persona_sets_are_subfolders(tmp_path, monkeypatch):
    from edge_vdialog.errors import UserError
    from export.dialogue import persona_corpus
    from export.dialogue.corpus import read_source

    write_conversations(tmp_path / "a.jsonl", [["I found a shiny pebble", "Ooh, lucky you! I'm drawing it sparkling."]])
    (tmp_path / "extra").mkdir()
    write_conversations(tmp_path / "extra" / "b.jsonl", [["draw a kite", "A red kite with a long blue tail!"]])
    monkeypatch.setattr(persona_corpus, "DIRECTORY", tmp_path)
    assert [c[0] for c in read_source("persona")] == ["I found a shiny pebble"]     # subfolders are not read
    assert [c[0] for c in read_source("persona:extra")] == ["draw a kite"]
    with pytest.raises(UserError, match="no persona set 'nope'"):
        read_source("persona:nope")


def test_gpt2_bundle_is_recovered_into_a_checkpoint_that_scores_like_it(tmp_path, corpus):
    import torch
    from transformers import GPT2LMHeadModel

    from export.dialogue.lm_bundle import export_causal_lm

    ckpt = gpt2_checkpoint(tmp_path / "gpt2")
    model = GPT2LMHeadModel.from_pretrained(str(ckpt))
    torch.manual_seed(0)
    with torch.no_grad():                 # like a trained model's: no two LayerNorms or biases alike
        for name, p in model.named_parameters():
            if p.dim() == 1:
                p.add_(torch.randn_like(p) * 0.1)
    model.save_pretrained(str(ckpt))
    bundle = export_causal_lm(ckpt, tmp_path / "bundle", quantize="int8", prompt_format="eos-turns")
    assert main(["bundle-checkpoint", "--bundle", str(bundle), "--out", str(tmp_path / "back")]) == 0
    results = tmp_path / "eval.jsonl"
    for what in (["--bundle", str(bundle)], ["--checkpoint", str(tmp_path / "back")],
                 ["--checkpoint", str(ckpt)]):
        assert main(["eval-dialogue", *what, "--corpus", str(corpus), "--json", str(results)]) == 0
    int8, recovered, original = [json.loads(line)["ppl"] for line in results.read_text().splitlines()]
    assert recovered == pytest.approx(int8, rel=0.01)             # the same weights, read back
    assert recovered == pytest.approx(original, rel=0.05)         # within INT8's rounding of the original


def test_adapter_not_matching_its_manifest_is_refused(adapter_run, llama, tmp_path):
    import hashlib
    import shutil

    from edge_vdialog.errors import UserError
    from export.dialogue import lora
    from export.dialogue.smollm2 import merged_checkpoint

    adapter = tmp_path / "kiosk.safetensors"
    shutil.copyfile(adapter_run / lora.ADAPTER_FILE, adapter)
    digest = hashlib.sha256(adapter.read_bytes()).hexdigest()
    (tmp_path / "manifest.json").write_text(json.dumps({"files": {adapter.name: {"sha256": digest}}}))
    assert merged_checkpoint(llama, adapter, tmp_path / "cache")[2] == digest
    data = bytearray(adapter.read_bytes())
    data[-1] ^= 0xFF                                              # one flipped bit in the weights
    adapter.write_bytes(bytes(data))
    with pytest.raises(UserError, match="is corrupt"):
        merged_checkpoint(llama, adapter, tmp_path / "cache")


def test_chat_layout_scores_only_the_kiosk_and_starts_windows_at_conversations(llama):
    import numpy as np

    from export.dialogue import dialogue_data as dd
    from export.dialogue import gpt2_tokenizer as gt

    tok = gt.load_tokenizer(llama)
    convs = [["hello there", "hi! how are you today?", "fine, my name is kiosk", "nice to meet you!"],
             ["what is your name?", "my name is kiosk."]] * 3

    def scored(stream):
        return tok.decode([int(i) for i, m in zip(stream.ids, stream.mask) if m], skip_special_tokens=True)

    turns, kiosk = (dd.encode(tok, convs, "chatml", SYSTEM, s) for s in ("turns", "assistant"))
    assert np.array_equal(turns.ids, kiosk.ids)
    assert "fine, my name is kiosk" in scored(turns)
    assert "fine, my name is kiosk" not in scored(kiosk) and "nice to meet you!" in scored(kiosk)
    assert scored(kiosk).count("hi! how are you today?") == 3
    assert list(kiosk.starts) == [0, *np.cumsum([len(dd.encode(tok, [c], "chatml", SYSTEM).ids) for c in convs])[:-1]]
    x, y = dd.random_windows(kiosk, 32, 64, np.random.default_rng(0), aligned=True)
    head = dd.encode(tok, [convs[0]], "chatml", SYSTEM).ids[:8]
    assert (x[:, :8] == head).all()                      # every window opens with the system prompt
    assert (y >= 0).any(axis=1).all()


def test_chat_layout_trains_and_is_reported(corpus, llama, tmp_path):
    out = tmp_path / "run"
    assert main(_args(corpus, out, llama, steps=3) + ["--layout", "chat"]) == 0
    report = json.loads((out / "training.json").read_text())
    assert report["layout"] == "chat" and report["final"]["step"] == 3


def test_scaled_adapter_merges_a_scaled_change(adapter_run, llama, tmp_path, capsys):
    import torch
    from transformers import AutoModelForCausalLM

    from export.dialogue import lora

    scaled = tmp_path / "scaled.safetensors"
    assert main(["lora-scale", "--adapter", str(adapter_run / lora.ADAPTER_FILE), "--scale", "0.5",
                 "--out", str(scaled)]) == 0
    assert lora.read_meta(scaled) == lora.read_meta(adapter_run / lora.ADAPTER_FILE)

    def merged_weight(path):
        model = AutoModelForCausalLM.from_pretrained(str(llama))
        lora.load_adapter(model, path)
        lora.merge(model)
        return model.model.layers[0].self_attn.q_proj.weight.detach()

    base = AutoModelForCausalLM.from_pretrained(str(llama)).model.layers[0].self_attn.q_proj.weight.detach()
    full, half = merged_weight(adapter_run / lora.ADAPTER_FILE) - base, merged_weight(scaled) - base
    assert float(full.abs().max()) > 1e-3
    torch.testing.assert_close(half, 0.5 * full, atol=2e-3 * float(full.abs().max()), rtol=0)
    assert main(["lora-scale", "--adapter", str(adapter_run / lora.ADAPTER_FILE), "--scale", "0",
                 "--out", str(tmp_path / "x.safetensors")]) == 1
    assert "--scale must be in (0, 4]" in capsys.readouterr().err


OTHER_CHATS = [[f"how tall is the {thing}?", f"The {thing} is very tall today, {n} metres at least!"]
               for n in range(6) for thing in ("tower", "giraffe", "mast", "crane", "oak")]


def test_an_anchored_leg_keeps_the_anchor_corpus_as_the_start_model_scored_it(adapter_run, corpus, llama, tmp_path):
    """A leg on other chats with --anchor (the first corpus) moves the first corpus's predictions less than the
    same leg without; the KL it reports is what it kept small."""
    from export.dialogue import lora
    from export.dialogue.corpus import load_corpus
    from export.dialogue.eval_dialogue import eval_checkpoint
    from export.dialogue.smollm2 import merged_checkpoint

    other = write_conversations(tmp_path / "other.jsonl", OTHER_CHATS)
    start = adapter_run / lora.ADAPTER_FILE
    anchor_convs = load_corpus([str(corpus)], seed=1).val

    def leg(name: str, *extra: str) -> tuple[float, dict]:
        out = tmp_path / name
        assert main([*_args(other, out, llama, steps=12), "--adapter", str(start), *extra]) == 0
        merged, _, _ = merged_checkpoint(llama, out / lora.ADAPTER_FILE, tmp_path / f"{name}-merged")
        score, _ = eval_checkpoint(merged, anchor_convs, 64, 1, "chatml", SYSTEM)
        return score.bits_per_byte, json.loads((out / "training.json").read_text())

    start_bpb = eval_checkpoint(merged_checkpoint(llama, start, tmp_path / "start-merged")[0], anchor_convs, 64, 1,
                                "chatml", SYSTEM)[0].bits_per_byte
    free, _ = leg("free")
    anchored, report = leg("anchored", "--anchor", str(corpus), "--anchor-weight", "4")
    assert free > start_bpb + 0.05                          # the leg alone forgets the first chats
    assert abs(anchored - start_bpb) < 0.5 * (free - start_bpb)
    assert report["anchor"] == {"corpus": [str(corpus)], "weight": 4.0, "batch": 4}
    assert 0 <= report["final"]["anchor_kl"] < 1.0


def test_anchor_without_lora_is_refused(corpus, tmp_path, capsys):
    args = _args(corpus, tmp_path / "x", tmp_path, steps=1)
    i = args.index("--lora")
    del args[i:i + 2]
    assert main([*args, "--anchor", str(corpus)]) != 0
    assert "--anchor needs --lora" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
