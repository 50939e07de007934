"""Text -> sentence embedding with the bundle's ``text_encoder`` component (ONNX + WordPiece tokenizer).

Component files: ``model`` (ONNX: input_ids (B, T) int64, attention_mask (B, T) int64 ->
embedding (B, D) float32, unit length) and ``tokenizer`` (tokenizer.json). Config: ``max_tokens``
(word pieces kept, [CLS]/[SEP] included; longer text is truncated), ``dim``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from edge_vdialog.bundle import Component
from edge_vdialog.engines import EngineOptions, open_engine
from edge_vdialog.errors import BundleError
from edge_vdialog.interfaces import Engine

DEFAULT_MAX_TOKENS = 64
DIM = 384
"""Sentence-embedding size (all-MiniLM-L6-v2's) the generator is conditioned on."""
BATCH = 256
"""Texts embedded at once by :meth:`TextEncoder.encode_all`: (256, 64 tokens, 384) float32 is 25 MB at most, not
the 0.9 GB of all 9,476 written answers at once; 256 was also the fastest batch measured (0.34 s for all, one
core)."""


class TextEncoder:
    def __init__(self, tokenizer, engine: Engine, max_tokens: int, dim: int):
        self.tokenizer, self.engine, self.max_tokens, self.dim = tokenizer, engine, max_tokens, dim

    @classmethod
    def load(cls, component: Component, options: EngineOptions = EngineOptions()) -> TextEncoder:
        """The (verified) component's tokenizer and model opened."""
        from tokenizers import Tokenizer
        path, cfg = component.path("tokenizer"), component.config
        try:
            tokenizer = Tokenizer.from_file(str(path))
            max_tokens, dim = int(cfg.get("max_tokens", DEFAULT_MAX_TOKENS)), int(cfg.get("dim", DIM))
            tokenizer.enable_truncation(max_tokens)
        except Exception as e:  # tokenizers raises bare Exception subclasses for bad JSON
            raise BundleError(f"{path} is not a usable tokenizer.json ({str(e)[:200]})",
                              "rebuild the bundle") from None
        if not (2 <= max_tokens <= 4096 and 1 <= dim <= 8192):
            raise BundleError(f"bundle {component.root}: text encoder config out of range "
                              f"(max_tokens {max_tokens}, dim {dim})", "rebuild the bundle")
        tokenizer.no_padding()
        return cls(tokenizer, open_engine(component.path("model"), options), max_tokens, dim)

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

    def encode_all(self, texts: Sequence[str]) -> np.ndarray:
        """Like :meth:`encode` for any number of texts, :data:`BATCH` at a time (each batch is padded to its
        longest text): (N, dim) float32."""
        vectors = np.zeros((len(texts), self.dim), np.float32)
        for start in range(0, len(texts), BATCH):
            vectors[start:start + BATCH] = self.encode(texts[start:start + BATCH])
        return vectors
