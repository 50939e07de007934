"""Conditioning metric: does the picture for a caption look like its own concept's real image?

Feature: colour layout, the image averaged down to 8x8 RGB (192 values in [0, 1]). Each generated image
is compared (Euclidean) with the real images of every concept in the evaluated set; top-k accuracy is
how often its own concept is among the k nearest. Chance top-5 = 5 / set size.
"""

from __future__ import annotations

import numpy as np

GRID = 8


def colour_layout(images: np.ndarray) -> np.ndarray:
    """(N, H, W, 3) uint8 -> (N, 192) float32: mean colour of each cell of an 8x8 grid."""
    n, h, w, _ = images.shape
    cells = images.reshape(n, GRID, h // GRID, GRID, w // GRID, 3).astype(np.float32)
    return (cells.mean(axis=(2, 4)) / 255.0).reshape(n, -1)


def topk_accuracy(query_feats: np.ndarray, gallery_feats: np.ndarray, target: np.ndarray,
                  ks=(1, 5)) -> dict[str, float]:
    """query (Q, F), gallery (G, F), target (Q,) gallery index of each query's own concept."""
    d = ((query_feats[:, None, :] - gallery_feats[None, :, :]) ** 2).sum(-1)   # (Q, G)
    own = d[np.arange(len(target)), target][:, None]
    rank = (d < own).sum(axis=1)                                               # 0 = nearest
    return {f"top{k}": float(np.mean(rank < k)) for k in ks}


def lookup_baseline(query_emb: np.ndarray, train_emb: np.ndarray, train_concept: np.ndarray,
                    images: np.ndarray) -> np.ndarray:
    """The real image of the training caption whose embedding is nearest (cosine) to each query."""
    nearest = np.argmax(query_emb @ train_emb.T, axis=1)
    return images[train_concept[nearest]]
