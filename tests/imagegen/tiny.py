"""A tiny but real picture bundle: random-weight generator exported from torch, static encoder over a
small WordPiece vocabulary, written with the real bundle writer."""

from __future__ import annotations

from pathlib import Path

import numpy as np

WORDS = ["a", "red", "apple", "rainy", "day", "cat", "dog", "happy", "sad", "sun", "moon", "tree", "car",
         "##s", "##y", "the", "is", "i", "like", "picture", "of", ",", ".", "!", "?"]
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
CHANNELS = (16, 8, 8, 8, 8)


def make_tokenizer(path: Path) -> Path:
    from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordPiece
    vocab = {w: i for i, w in enumerate(SPECIAL + WORDS)}
    tok = Tokenizer(WordPiece(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tok.save(str(path))
    return path


def make_generator(seed: int = 0):
    import torch

    from export.imagegen.gan_model import Generator
    torch.manual_seed(seed)
    return Generator(channels=CHANNELS).eval()


def make_bundle(root: Path, int8_generator: bool = False) -> Path:
    """Bundle at ``root`` with components text_encoder and generator (64x64, z 64, text 384)."""
    from export.common.bundle_writer import write_component
    from export.imagegen.gan_onnx import (
        ENCODER_IO,
        GENERATOR_IO,
        export_generator,
        export_static_encoder,
    )
    work = root.parent / (root.name + "_work")
    work.mkdir(parents=True, exist_ok=True)
    table = np.random.default_rng(0).standard_normal((len(SPECIAL) + len(WORDS), 384)).astype(np.float32)
    enc = export_static_encoder(table, work / "text_encoder.onnx")
    tok = make_tokenizer(work / "tokenizer.json")
    gen = export_generator(make_generator(), work / "generator.onnx")
    write_component(root, "text_encoder", {"model": enc, "tokenizer": tok}, kind="text-encoder",
                    io=ENCODER_IO, precision="int8-weights", config={"dim": 384, "max_tokens": 16})
    write_component(root, "generator", {"model": gen}, kind="gan-generator", io=GENERATOR_IO,
                    config={"z_dim": 64, "size": 64, "neutral_rgb": [245, 245, 245]})
    return root
