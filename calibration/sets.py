"""Calibration sets: named arrays with a leading sample axis, saved as one .npz.

A set maps each model input name to an array (N, ...) whose row i is sample i, e.g. for the GAN
generator ``noise`` (N, 64) float32 and ``text_embedding`` (N, 384) float32. The same file feeds
ONNX Runtime (:mod:`calibration.readers`) and, later, a TensorRT INT8 calibrator (``batches``
yields C-contiguous arrays to copy into device buffers in ``get_batch``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from edge_vdialog.errors import UserError

T = TypeVar("T")
"""What ``token_set`` encodes: a text, or a dialogue context."""


@dataclass(frozen=True)
class CalibrationSet:
    arrays: dict[str, np.ndarray]
    """Input name -> (N, ...) array; all share N."""

    def __post_init__(self) -> None:
        sizes = {len(a) for a in self.arrays.values()}
        if len(sizes) != 1:
            raise UserError(f"calibration arrays disagree on the sample count: {sorted(sizes)}")

    def __len__(self) -> int:
        return len(next(iter(self.arrays.values())))

    def batches(self, batch_size: int = 1) -> Iterator[dict[str, np.ndarray]]:
        """Consecutive batches (the last may be short), each array C-contiguous."""
        for i in range(0, len(self), batch_size):
            yield {k: np.ascontiguousarray(v[i:i + batch_size]) for k, v in self.arrays.items()}

    def save(self, path: str | Path) -> Path:
        np.savez(path, **self.arrays)
        return Path(path)

    @classmethod
    def load(cls, path: str | Path) -> CalibrationSet:
        if not Path(path).is_file():
            raise UserError(f"no calibration set at {path}", "build it with calibration.sets")
        with np.load(path) as f:
            return cls({k: f[k] for k in f.files})


def generator_set(texts: Sequence[str], embed: Callable[[Sequence[str]], np.ndarray],
                  z_dim: int, seed: int = 0) -> CalibrationSet:
    """GAN generator inputs: the runtime encoder's embeddings of ``texts`` and N(0, 1) noise."""
    emb = np.asarray(embed(list(texts)), np.float32)                       # (N, D)
    noise = np.random.default_rng(seed).standard_normal((len(texts), z_dim), dtype=np.float32)
    return CalibrationSet({"noise": noise, "text_embedding": emb})


def token_set(texts: Sequence[T], encode: Callable[[T], list[int]], length: int,
              pad_id: int = 0) -> CalibrationSet:
    """Token inputs padded/truncated to a fixed ``length`` (TensorRT wants static shapes):
    ``input_ids`` (N, length) int64 and ``attention_mask`` (N, length) int64.

    Serves the text encoder (WordPiece ids of texts) and GPT-2 static INT8 (prompt BPE ids of
    dialogue contexts) alike.
    """
    ids = np.full((len(texts), length), pad_id, np.int64)
    mask = np.zeros((len(texts), length), np.int64)
    for row, text in enumerate(texts):
        toks = encode(text)[-length:]                    # keep the end: the newest dialogue turns
        ids[row, :len(toks)] = toks
        mask[row, :len(toks)] = 1
    return CalibrationSet({"input_ids": ids, "attention_mask": mask})
