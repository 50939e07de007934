"""Yes-or-no questions about a visitor line, answered by classifiers learnt from labelled lines.

Some lines must not reach the model, and no pattern lists all their wordings: a question only the
staff of this place can answer ("which aisle is the grout in", "is there a pro shop"), or one of
general knowledge, which a 135M model answers with a confident invention ("Shakespeare died in
1645"). Each such question is a bundle component of kind :data:`KIND`, trained by
``python -m export line-classifier NAME`` on lines labelled by hand (export/dialogue/labels/NAME.tsv):

* ``staff_lines``: the line asks what only the staff, signs or desk of this place know (the ``staff`` skill);
* ``fact_lines``: the line asks for general knowledge, a meaning or how to do something (the ``facts`` skill).

Each is a logistic regression over two views of a line: its text-encoder embedding (what it is about) and
hashed word unigrams and bigrams (how it asks: "do you", "is there", "how do i"). A component holds one
``.npz`` file (role ``weights``: ``weights`` float32 (dim + :data:`BUCKETS`,), ``bias`` float32 ()), and its
config ``threshold`` (the probability from which the answer is yes) and ``encoder`` (the component whose
embeddings it was trained on).
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


def word_features(text: str) -> tuple[np.ndarray, float]:
    """The bucket indices of ``text``'s lower-cased words and word pairs, each once (sorted int64), and the
    value each carries: together of unit length, like the embedding (0 for a line without words)."""
    words = _WORD.findall(text.lower().replace("’", "'"))
    grams = words + [f"{a} {b}" for a, b in pairwise(words)]
    buckets = np.unique(np.array([zlib.crc32(g.encode()) % BUCKETS for g in grams], np.int64))
    return buckets, 1.0 / np.sqrt(len(buckets)) if len(buckets) else 0.0


class LineClassifier:
    """A line's probability of the answer yes to one question about it (which, the component's name says)."""

    def __init__(self, encoder: TextEncoder, weights: np.ndarray, bias: float, threshold: float) -> None:
        if weights.shape != (encoder.dim + BUCKETS,):
            raise ValueError(f"weights of shape {weights.shape}, not ({encoder.dim + BUCKETS},)")
        self.encoder, self.weights, self.bias, self.threshold = encoder, weights, bias, threshold

    @classmethod
    def load(cls, component: Component, encoder: TextEncoder) -> LineClassifier:
        """The (verified) component's classifier over ``encoder``'s embeddings."""
        rebuild = f"rebuild it: python -m export line-classifier {component.name}"
        if component.kind != KIND:
            raise BundleError(f"bundle {component.root}: component '{component.name}' is of kind "
                              f"'{component.kind}', not {KIND}", rebuild)
        path = component.path("weights")
        try:
            with np.load(path, allow_pickle=False) as data:
                weights = data["weights"].astype(np.float32)
                bias = float(data["bias"])
            threshold = float(component.config["threshold"])
            classifier = cls(encoder, weights, bias, threshold)
        except (OSError, KeyError, ValueError, TypeError) as e:     # zipfile.BadZipFile is an OSError
            raise BundleError(f"{path} is not a line classifier: {str(e)[:200]}", rebuild) from None
        if not 0.0 < threshold < 1.0:
            raise BundleError(f"{path}: threshold {threshold} is outside 0-1", rebuild)
        return classifier

    def probability(self, text: str) -> float:
        """How likely the answer for ``text`` is yes (0-1)."""
        dim = self.encoder.dim
        buckets, value = word_features(text)
        logit = float(self.encoder.encode([text])[0] @ self.weights[:dim]) + self.bias
        logit += value * float(self.weights[dim + buckets].sum())
        return 1.0 / (1.0 + np.exp(-logit))

    def says(self, text: str) -> bool:
        """The answer for ``text`` is yes (its probability reaches the threshold)."""
        return self.probability(text) >= self.threshold
