"""Streaming text never splits a UTF-8 character; stop strings cut the reply and are never shown."""

from __future__ import annotations

from edge_vdialog.bundle import Bundle
from edge_vdialog.dialogue import Sampling, load_chat

TEXT = "emoji 😀🎉👍 and 你好，谢谢 plus naïve 🚑"


def test_pieces_are_whole_characters(tiny):
    chat = load_chat(Bundle.load(tiny["gpt2_fp32"]))
    ids = chat.tok.encode_text(TEXT)
    assert len(ids) > len(TEXT.split())                     # multi-byte characters span tokens
    stream = chat.tok.stream()
    pieces = [stream.push(i) for i in ids] + [stream.flush()]
    assert "".join(pieces) == TEXT
    for piece in pieces:
        piece.encode("utf-8")                               # no lone surrogates
        assert "\ufffd" not in piece
    assert "" in pieces                                     # some tokens held back half a character


def test_generated_pieces_are_valid_utf8(tiny):
    chat = load_chat(Bundle.load(tiny["llama_fp32"]))
    for seed in range(3):
        for piece in chat.send("emoji 😀 你好", Sampling(seed=seed, temperature=1.5, top_k=0, top_p=1.0)):
            assert piece and piece.encode("utf-8")


def test_stop_string_cuts_and_is_never_streamed(tiny):
    chat = load_chat(Bundle.load(tiny["gpt2_fp32"]))
    chat.eos_ids = set()
    free = "".join(chat.complete("hello there", Sampling(greedy=True, max_new_tokens=30)))
    stop = free[5:8]
    chat.stop = [stop]
    pieces = list(chat.complete("hello there", Sampling(greedy=True, max_new_tokens=30)))
    assert "".join(pieces) == free[: free.index(stop)]
    assert all(stop not in p for p in pieces)
