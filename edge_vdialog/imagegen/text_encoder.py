"""Text -> sentence embedding with the bundle's ``text_encoder`` component (ONNX + WordPiece tokenizer).

Component files: ``model`` (ONNX: input_ids (B, T) int64, attention_mask (B, T) int64 ->
embedding (B, D) float32, unit length) and ``tokenizer`` (tokenizer.json). Config: ``max_tokens``
(word pieces kept, [CLS]/[SEP] included; longer text is truncated), ``dim``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from edge_vdialog.bundle import Component
from edge_vdialog.engines import open_engine

DEFAULT_MAX_TOKENS = 64


class TextEncoder:
    def __init__(self, tokenizer, engine, max_tokens: int, dim: int):
        self.tokenizer, self.engine, self.max_tokens, self.dim = tokenizer, engine, max_tokens, dim

    @classmethod
    def load(cls, component: Component, providers: Sequence[str] = ("cpu",),
             threads: int | None = None, spinning: bool = True) -> TextEncoder:
        from tokenizers import Tokenizer
        tokenizer = Tokenizer.from_file(str(component.path("tokenizer")))
        max_tokens = int(component.config.get("max_tokens", DEFAULT_MAX_TOKENS))
        tokenizer.enable_truncation(max_tokens)
        tokenizer.no_padding()
        engine = open_engine(component.path("model"), providers=providers, threads=threads,
                             spinning=spinning)
        return cls(tokenizer, engine, max_tokens, int(component.config.get("dim", 384)))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(N,) texts -> (N, dim) float32 unit vectors; texts are padded to the longest in the batch."""
        encs = self.tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in encs)
        ids = np.zeros((len(encs), width), np.int64)                       # (N, T) word-piece ids
        mask = np.zeros((len(encs), width), np.int64)                      # (N, T) 1 = real token
        for row, e in enumerate(encs):
            ids[row, :len(e.ids)] = e.ids
            mask[row, :len(e.ids)] = 1
        out = self.engine.run({"input_ids": ids, "attention_mask": mask})
        return out["embedding"].astype(np.float32)
