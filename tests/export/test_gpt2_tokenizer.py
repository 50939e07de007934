"""GPT-2 byte-level BPE tokenizers: the real vocabulary, a corpus-trained one, and their HF checkpoint files."""

from __future__ import annotations

import pytest

from edge_vdialog.errors import UserError
from export.dialogue.gpt2_tokenizer import (
    EOS,
    gpt2_tokenizer,
    load_tokenizer,
    save_hf_tokenizer,
    train_bpe,
)

TEXTS = ["hello there, how are you today?", "fine thanks, and you?", "你好，今天天气很好", "café 😀"] * 20


def test_real_gpt2_vocabulary_has_gpt2_ids():
    try:
        tok = gpt2_tokenizer()
    except UserError as e:               # no registry and nothing cached
        pytest.skip(str(e))
    assert tok.get_vocab_size() == 50257 and tok.token_to_id(EOS) == 50256
    assert tok.encode("Hello world, how are you?").ids == [15496, 995, 11, 703, 389, 345, 30]


def test_trained_bpe_round_trips_and_saves_as_a_checkpoint_tokenizer(tmp_path):
    from transformers import AutoTokenizer

    tok = train_bpe(TEXTS, vocab_size=300)
    assert tok.token_to_id(EOS) == 0 and tok.get_vocab_size() <= 300
    for text in TEXTS[:4]:
        assert tok.decode(tok.encode(text).ids) == text
    save_hf_tokenizer(tok, tmp_path)
    hf = AutoTokenizer.from_pretrained(str(tmp_path))
    assert hf.eos_token == EOS and hf.encode(TEXTS[0]) == tok.encode(TEXTS[0]).ids
    (tmp_path / "tokenizer.json").unlink()               # vocab.json + merges.txt alone still load
    assert load_tokenizer(tmp_path).encode(TEXTS[0]).ids == tok.encode(TEXTS[0]).ids
