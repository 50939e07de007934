"""Tiny random decoder-only checkpoints with a real byte-level BPE tokenizer, exported into bundles.

Used by the dialogue and export tests (built once per session; see conftest.py). Seeded, so the
same checkpoint comes out every time.
"""

from __future__ import annotations

from pathlib import Path

SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
CORPUS = [
    "hello there, how are you today? I am fine, thanks for asking.",
    "what is your name? my name is kiosk. nice to meet you!",
    "the weather is nice and sunny, let us go for a walk in the park.",
    "你好，今天天气很好。我们去公园散步吧。谢谢！",
    "emoji time 😀🎉👍 café naïve über straße",
]


def write_conversations(path: Path, convs: list[list[str]]) -> Path:
    """A JSONL corpus (``--corpus PATH.jsonl``): one conversation, a JSON list of turns, per line."""
    import json

    path.write_text("".join(json.dumps(c) + "\n" for c in convs), encoding="utf-8")
    return path


def tokenizer_dir(out: Path) -> Path:
    """A GPT-2-style byte-level BPE (~400 tokens) saved as a Hugging Face tokenizer directory."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=SPECIALS, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS * 4, trainer=trainer)
    hf = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>",
                                 bos_token="<|endoftext|>", unk_token="<|endoftext|>")
    hf.save_pretrained(str(out))
    return out


def gpt2_checkpoint(out: Path, positions: int = 128) -> Path:
    """GPT-2, 2 layers x 64, 4 heads, ``positions`` positions."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    tokenizer_dir(out)
    torch.manual_seed(0)
    cfg = GPT2Config(vocab_size=400, n_positions=positions, n_embd=64, n_layer=2, n_head=4,
                     bos_token_id=0, eos_token_id=0, initializer_range=0.3)
    GPT2LMHeadModel(cfg).eval().save_pretrained(str(out))
    return out


def llama_checkpoint(out: Path) -> Path:
    """Llama with grouped-query attention: 2 layers x 64, 4 query heads sharing 2 KV heads."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    tokenizer_dir(out)
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=400, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
                      bos_token_id=1, eos_token_id=2, tie_word_embeddings=True,
                      initializer_range=0.3)
    LlamaForCausalLM(cfg).eval().save_pretrained(str(out))
    return out


def hf_greedy(checkpoint: Path, ids: list[int], new_tokens: int, stop_at_eos: bool = False) -> list[int]:
    """transformers' greedy ``generate()`` continuation of ``ids``, eos excluded."""
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(checkpoint)).eval()
    with torch.no_grad():
        out = model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                             do_sample=False, max_new_tokens=new_tokens,
                             min_new_tokens=0 if stop_at_eos else new_tokens, pad_token_id=0)
    new = out[0, len(ids):].tolist()
    eos = model.generation_config.eos_token_id
    return new[: new.index(eos)] if stop_at_eos and eos in new else new


def build_all(root: Path) -> dict[str, Path]:
    """Build (once; a marker file says it is complete) the tiny checkpoints and their bundles."""
    from export.dialogue.lm_bundle import export_causal_lm

    paths = {name: root / name for name in ("gpt2", "llama", "gpt2_fp32", "gpt2_int8", "llama_fp32",
                                            "llama_concat")}
    if (root / "done").is_file():
        return paths
    gpt2_checkpoint(paths["gpt2"])
    llama_checkpoint(paths["llama"])
    export_causal_lm(paths["gpt2"], paths["gpt2_fp32"], quantize="none", prompt_format="eos-turns")
    export_causal_lm(paths["gpt2"], paths["gpt2_int8"], quantize="int8", prompt_format="eos-turns")
    export_causal_lm(paths["llama"], paths["llama_fp32"], quantize="none", prompt_format="chatml",
                     system_prompt="You are a test.")
    export_causal_lm(paths["llama"], paths["llama_concat"], quantize="none", prompt_format="chatml",
                     fuse_attention=False, system_prompt="You are a test.")                   # optimum's attention, concatenating cache
    (root / "done").write_text("ok\n")
    return paths
