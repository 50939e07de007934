"""Export of decoder-only models into dialogue bundles, and INT8 structure and accuracy."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter

import numpy as np
import onnx
import pytest

from edge_vdialog.bundle import Bundle
from edge_vdialog.dialogue import Sampling, load_chat
from export.common.int8 import block_size, choose_recipe, quantize_blocks
from tests.dialogue.tiny_models import hf_greedy

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ops(bundle) -> Counter:
    return Counter(n.op_type for n in onnx.load(str(bundle / "dialogue" / "model.onnx"),
                                                 load_external_data=False).graph.node)


def test_manifest(tiny):
    gpt2 = Bundle.load(tiny["gpt2_int8"]).component("dialogue")
    assert gpt2.kind == "causal-lm" and gpt2.precision == choose_recipe()
    assert set(gpt2.files) == {"model", "model_data", "tokenizer"}
    assert {"input_ids", "attention_mask", "position_ids", "past_key_values.1.key"} <= set(gpt2.io["inputs"])
    assert "present.1.value" in gpt2.io["outputs"]
    assert gpt2.config["eos_token_ids"] == [0] and gpt2.config["max_context"] == 128
    assert gpt2.config["prompt_format"] == "eos-turns"
    llama = Bundle.load(tiny["llama_fp32"]).component("dialogue")
    assert llama.precision == "fp32" and llama.config["prompt_format"] == "chatml"
    assert llama.config["system_prompt"] == "You are a test." and llama.config["eos_token_ids"] == [2]
    assert llama.config["max_context"] == 128


def test_int8_structure(tiny):
    counts = ops(tiny["gpt2_int8"])
    if choose_recipe() == "blockwise-int8":
        # 2 layers x (qkv, attn proj, fc, mlp proj) + the tied LM head
        assert counts["MatMulNBits"] == 9 and counts["Gemm"] == 0
        # qkv goes packed into the attention, products take (batch, seq, K) as they are: per token
        # no Split and no Reshape with its Shape/Gather/Concat arithmetic is left to run
        assert counts["Split"] == counts["Reshape"] == counts["Concat"] == counts["Unsqueeze"] == 0
    else:
        assert counts["MatMulInteger"] >= 9
    assert ops(tiny["gpt2_fp32"])["MatMulNBits"] == 0


def test_attention_becomes_group_query_attention(tiny):
    for name in ("gpt2_fp32", "gpt2_int8", "llama_fp32"):                # llama: with rotary caches
        counts = ops(tiny[name])
        assert counts["GroupQueryAttention"] == 2 and counts["Softmax"] == 0 and counts["Concat"] < 10
        assert Bundle.load(tiny[name]).component("dialogue").config["kv_cache"] == "shared-buffer"
        graph = onnx.load(str(tiny[name] / "dialogue" / "model.onnx"), load_external_data=False).graph
        packed = [n.input[1] == n.input[2] == "" for n in graph.node if n.op_type == "GroupQueryAttention"]
        assert packed == [True, True]                  # q, k and v come from one product


def test_int8_follows_fp32(tiny):
    """INT8 next-token logits stay close to fp32's on teacher-forced text."""
    fp, q = (load_chat(Bundle.load(tiny[k])) for k in ("gpt2_fp32", "gpt2_int8"))
    for i in fp.tok.encode_text("hello there, how are you today? my name is kiosk. 你好 😀"):
        a, b = fp.decoder.feed([i]), q.decoder.feed([i]).copy()
        assert np.dot(a, b) / np.linalg.norm(a) / np.linalg.norm(b) > 0.99


def test_quantize_blocks_error_is_small():
    w = np.random.default_rng(0).normal(size=(8, 4 * 128)).astype(np.float32)
    assert block_size(512) == 128 and block_size(576) == 64 and block_size(24) is None
    q, scales = quantize_blocks(w, 128)
    back = (q.astype(np.float32) - 128) * scales[..., None]
    assert np.abs(back.reshape(w.shape) - w).max() <= scales.max() / 2 + 1e-6


def test_export_cli_bad_source(tmp_path):
    out = subprocess.run([sys.executable, "-m", "export", "gpt2", "--model", str(tmp_path / "nope"),
                          "--out", str(tmp_path / "b")], capture_output=True, text=True, cwd=ROOT,
                         env=dict(os.environ, PYTHONPATH=ROOT), timeout=300)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "error: cannot export" in out.stderr.strip().splitlines()[-1]
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("bundle,checkpoint", [("gpt2_fp32", "gpt2"), ("llama_fp32", "llama")])
def test_exported_bundle_chats_in_its_template(tiny, bundle, checkpoint):
    """A chat turn through the bundle's prompt format (eos-turns; chatml with a system prompt) is
    decoded as transformers decodes the same prompt greedily, up to the bundle's end of turn."""
    chat = load_chat(Bundle.load(tiny[bundle]))
    greedy = Sampling(greedy=True, repetition_penalty=1.0, max_new_tokens=8)
    assert "".join(chat.send("hello there", greedy)).strip() and len(chat.history) == 2
    prompt = chat.fmt.head + chat.fmt.turn_ids(chat.history[0]) + chat.fmt.reply_prefix   # what send built
    expected = hf_greedy(tiny[checkpoint], prompt, 8)
    ends = [i for i, t in enumerate(expected) if t in chat.eos_ids]
    chat.reset()
    assert list(chat.tokens(prompt, greedy, 8)) == expected[:ends[0] if ends else 8] != []


def test_logits_for_every_position_unless_told(tiny):
    """Perplexity tools run the model without logits_to_keep and get (1, T, vocab); the runtime keeps 1."""
    import onnxruntime as ort

    s = ort.InferenceSession(str(tiny["gpt2_int8"] / "dialogue" / "model.onnx"), providers=["CPUExecutionProvider"])
    feeds = {"input_ids": np.arange(1, 6)[None], "attention_mask": np.ones((1, 5), np.int64),
             "position_ids": np.arange(5)[None]}
    feeds.update({i.name: np.zeros((1, 4, 0, 16), np.float32) for i in s.get_inputs() if i.name.startswith("past")})
    full = s.run(["logits"], feeds)[0]
    last = s.run(["logits"], {**feeds, "logits_to_keep": np.array([1])})[0]
    assert full.shape == (1, 5, 400) and last.shape == (1, 1, 400)
    np.testing.assert_allclose(full[:, -1:], last, rtol=1e-4, atol=1e-4)
