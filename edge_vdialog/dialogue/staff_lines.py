"""Which lines ask what only the staff of this place know, by a classifier learnt from labelled lines.

The ``venue`` and ``places`` skills recognise such questions by their wording, and fresh lines keep
finding wordings they miss ("which aisle is the grout in", "do you cut wood to size here and is it
free", "where can i get my skates sharpened, is there a pro shop"); the model then invents an answer.
This is a logistic regression over two views of a line: its text-encoder embedding (what it is about)
and hashed word unigrams and bigrams (how it asks: "do you", "is there", "here"). It is trained by
``python -m export staff-lines`` on lines labelled by hand (export/dialogue/staff_labels.tsv) and
stored as the bundle component ``staff_lines`` (kind :data:`KIND`): ``staff.npz`` (``weights``
float32 (dim + :data:`BUCKETS`,), ``bias`` float32 ()), config ``threshold`` (the probability from
which a line is the staff's) and ``encoder`` (the component whose embeddings it was trained on).
"""

from __future__ import annotations

import re
import zlib
from itertools import pairwise

import numpy as np

from edge_vdialog.bundle import Component
from edge_vdialog.errors import BundleError
from edge_vdialog.imagegen.text_encoder import TextEncoder

KIND = "line-classifier"
BUCKETS = 1 << 13
"""Hashed word unigrams and bigrams (crc32 modulo this)."""
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_REBUILD = "rebuild it: python -m export staff-lines"


def word_features(text: str) -> tuple[np.ndarray, float]:
    """The bucket indices of ``text``'s lower-cased words and word pairs, each once (sorted int64), and the
    value each carries: together of unit length, like the embedding (0 for a line without words)."""
    words = _WORD.findall(text.lower().replace("’", "'"))
    grams = words + [f"{a} {b}" for a, b in pairwise(words)]
    buckets = np.unique(np.array([zlib.crc32(g.encode()) % BUCKETS for g in grams], np.int64))
    return buckets, 1.0 / np.sqrt(len(buckets)) if len(buckets) else 0.0


class StaffLines:
    """A line's probability of asking what only this place's staff know."""

    def __init__(self, encoder: TextEncoder, weights: np.ndarray, bias: float, threshold: float) -> None:
        if weights.shape != (encoder.dim + BUCKETS,):
            raise ValueError(f"weights of shape {weights.shape}, not ({encoder.dim + BUCKETS},)")
        self.encoder, self.weights, self.bias, self.threshold = encoder, weights, bias, threshold

    @classmethod
    def load(cls, component: Component, encoder: TextEncoder) -> StaffLines:
        """The (verified) component's classifier over ``encoder``'s embeddings."""
        if component.kind != KIND:
            raise BundleError(f"bundle {component.root}: component '{component.name}' is of kind "
                              f"'{component.kind}', not {KIND}", _REBUILD)
        path = component.path("weights")
        try:
            with np.load(path, allow_pickle=False) as data:
                weights = data["weights"].astype(np.float32)
                bias = float(data["bias"])
            threshold = float(component.config["threshold"])
            lines = cls(encoder, weights, bias, threshold)
        except (OSError, KeyError, ValueError, TypeError) as e:     # zipfile.BadZipFile is an OSError
            raise BundleError(f"{path} is not a staff-line classifier: {str(e)[:200]}",
                              _REBUILD) from None
        if not 0.0 < threshold < 1.0:
            raise BundleError(f"{path}: threshold {threshold} is outside 0-1",
                              _REBUILD)
        return lines

    def probability(self, text: str) -> float:
        """How likely ``text`` asks what only the staff here know (0-1)."""
        dim = self.encoder.dim
        buckets, value = word_features(text)
        logit = float(self.encoder.encode([text])[0] @ self.weights[:dim]) + self.bias
        logit += value * float(self.weights[dim + buckets].sum())
        return 1.0 / (1.0 + np.exp(-logit))

    def asks(self, text: str) -> bool:
        """``text`` is the staff's to answer (its probability reaches the threshold)."""
        return self.probability(text) >= self.threshold
