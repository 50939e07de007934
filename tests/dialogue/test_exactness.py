"""The decoder runs exactly like transformers' greedy generate() (GPT-2 and a GQA Llama, fp32)."""

from __future__ import annotations

import pytest

from edge_vdialog.bundle import Bundle
from edge_vdialog.dialogue import Sampling, load_chat
from tests.dialogue.cli import run_cli
from tests.dialogue.tiny_models import hf_greedy

GREEDY = Sampling(greedy=True, repetition_penalty=1.0, max_new_tokens=40)
PROMPTS = ["hello there, how are you", "你好，今天天气", "emoji time 😀🎉 and more"]


@pytest.mark.parametrize("model,bundle", [("gpt2", "gpt2_fp32"), ("llama", "llama_fp32"),
                                          ("llama", "llama_concat")])
def test_tokens_equal_transformers_greedy(tiny, model, bundle):
    chat = load_chat(Bundle.load(tiny[bundle]))
    chat.eos_ids = set()                       # compare the full 40 tokens
    for prompt in PROMPTS:
        ids = chat.tok.encode_text(prompt)
        assert list(chat.tokens(ids, GREEDY, 40)) == hf_greedy(tiny[model], ids, 40), prompt
    assert chat.decoder.shared == (bundle != "llama_concat")


def test_kv_layout_read_from_onnx(tiny):
    gpt2 = load_chat(Bundle.load(tiny["gpt2_fp32"])).decoder.layout    # OrtDecoder's layout
    llama = load_chat(Bundle.load(tiny["llama_fp32"])).decoder.layout
    assert (gpt2.layers, gpt2.kv_heads, gpt2.head_size) == (2, 4, 16)
    assert (llama.layers, llama.kv_heads, llama.head_size) == (2, 2, 16)   # GQA: 4 query heads
    assert gpt2.last_only and llama.last_only                                # LM head on 1 row


@pytest.mark.parametrize("model", ["gpt2", "llama"])
def test_cli_raw_greedy_matches_transformers(tiny, model):
    prompt = "what is your name? 😀"
    chat = load_chat(Bundle.load(tiny[f"{model}_fp32"]))
    ref = hf_greedy(tiny[model], chat.tok.encode_text(prompt), 24, stop_at_eos=True)
    out = run_cli("chat", "--bundle", str(tiny[f"{model}_fp32"]), "--raw", "--greedy",
                  "--max-new-tokens", "24", prompt)
    assert out.returncode == 0, out.stderr
    assert out.stdout == chat.tok.decode(ref).rstrip("\ufffd") + "\n"


@pytest.mark.parametrize("bundle", ["gpt2_fp32", "llama_fp32", "llama_concat"])
def test_cached_prefix_reuse_is_exact(tiny, bundle):
    """A second turn reuses the cached prompt prefix; the reply equals a fresh prefill's."""
    warm = load_chat(Bundle.load(tiny[bundle]))
    first = warm.fmt.build([], _turn("hello there"), 100)[0]
    list(warm.tokens(first, GREEDY, 8))
    longer = first + warm.tok.encode_text(" more words")
    cold = load_chat(Bundle.load(tiny[bundle]))
    assert list(warm.tokens(longer, GREEDY, 20)) == list(cold.tokens(longer, GREEDY, 20))
    assert warm.decoder.length == cold.decoder.length


def _turn(text):
    from edge_vdialog.dialogue.prompt import Message
    return Message("user", text)


@pytest.mark.parametrize("text", ["你好，今天天气很好。", "emoji 😀🎉👍 café", "mixed 谢谢 😀 naïve"])
def test_cjk_and_emoji_round_trip(tiny, text):
    chat = load_chat(Bundle.load(tiny["gpt2_fp32"]))
    ids = chat.tok.encode_text(text)
    assert chat.tok.decode(ids) == text
    stream = chat.tok.stream()
    assert "".join(stream.push(i) for i in ids) + stream.flush() == text


def test_warm_up_changes_nothing(tiny):
    cold, warm = (load_chat(Bundle.load(tiny["gpt2_fp32"])) for _ in range(2))
    warm.warm_up()
    ids = cold.tok.encode_text("hello there")
    assert list(warm.tokens(ids, GREEDY, 20)) == list(cold.tokens(ids, GREEDY, 20))
