"""``python -m export line-classifier NAME``: learn a yes-or-no question about visitor lines, into a bundle.

The questions (:data:`CLASSIFIERS`, each a bundle component; edge_vdialog/dialogue/line_classifier.py):
``staff_lines`` (does the line ask what only the staff, signs or desk of the place could answer or do?),
``fact_lines`` (does it ask for general knowledge: a fact, a meaning, a difference, how to do something?),
``good_news`` and ``bad_news`` (does the visitor share good news? bad news, a mild complaint included?).
The labels (``export/dialogue/labels/NAME.tsv``, ``line<TAB>label<TAB>origin`` per row, label 1 for yes) come
from helper sessions (docs/dialogue_models.md, rounds 90-99, 104-107 and 112-117): ``labelled``, lines of the spent
evaluation sets and the persona corpus labelled from a written brief; ``written``, lines of both answers
written to order. The classifier is a logistic regression over the bundle's text-encoder embedding and
hashed word unigrams and bigrams, fitted by full-batch Adam with an L2 penalty. Its threshold is the lowest
probability at which cross-validated predictions on the labelled lines (:data:`FOLDS` folds; each line
scored by a model that never saw it; the written lines always train, as they are not typical traffic)
reach ``--precision``: a line wrongly taken gets a useless reply, so precision comes first.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edge_vdialog.dialogue.line_classifier import BUCKETS, KIND, word_features
from edge_vdialog.errors import UserError

LABELS = Path(__file__).with_name("labels")
CLASSIFIERS = {"staff_lines": ("staff.npz", "the staff's", 0.85),
               "fact_lines": ("facts.npz", "general knowledge", 0.87),
               "good_news": ("good_news.npz", "good news", 0.9),
               "bad_news": ("bad_news.npz", "bad news", 0.85)}
"""Component name -> its weights file, what a yes means (for the report), and the default ``--precision``: a fact
question wrongly taken gets "I'd only be guessing" (a whimsical question, a riddle), so facts keep more; good news
wrongly taken gets a "congratulations" (to a sarcastic line, to mixed news), so it keeps the most."""
ORIGINS = ("labelled", "written")
FOLDS = 5
SOURCE = ("logistic regression over text-encoder embeddings and hashed word n-grams, trained by python -m export "
          "line-classifier {name} on export/dialogue/labels/{name}.tsv (lines labelled for this project by "
          "helper sessions)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("line-classifier", help="learn a yes-or-no question about visitor lines, into a bundle")
    p.add_argument("name", choices=sorted(CLASSIFIERS), help="the question: its bundle component")
    p.add_argument("--bundle", type=Path, default=Path("models/default"), help="bundle with a text_encoder")
    p.add_argument("--labels", type=Path, help="line<TAB>label<TAB>origin rows (default: labels/NAME.tsv)")
    p.add_argument("--precision", type=float,
                   help="cross-validated precision the threshold keeps (default: see CLASSIFIERS)")
    p.add_argument("--l2", type=float, default=1e-5, help="L2 penalty on the weights")
    p.add_argument("--steps", type=int, default=800, help="full-batch Adam steps")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run)


def read_labels(path: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The lines, their labels ((N,) float32 0/1) and whether each was written to order ((N,) bool)."""
    lines, labels, written = [], [], []
    for number, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        parts = row.split("\t")
        if len(parts) != 3 or parts[1] not in ("0", "1") or parts[2] not in ORIGINS:
            raise UserError(f"{path}:{number}: not line<TAB>0 or 1<TAB>origin ({row[:80]!r})")
        lines.append(parts[0])
        labels.append(float(parts[1]))
        written.append(parts[2] == "written")
    return lines, np.array(labels, np.float32), np.array(written, bool)


@dataclass(frozen=True)
class Features:
    """Lines as the classifier sees them: embeddings (N, dim) beside their word features as sparse (row,
    bucket, value) triples (:func:`~edge_vdialog.dialogue.line_classifier.word_features`)."""

    vectors: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray

    @classmethod
    def of(cls, lines: list[str], vectors: np.ndarray) -> Features:
        words = [word_features(line) for line in lines]
        return cls(vectors, np.concatenate([np.full(len(b), i, np.int64) for i, (b, _) in enumerate(words)]),
                   np.concatenate([b for b, _ in words]).astype(np.int64),
                   np.concatenate([np.full(len(b), v, np.float32) for b, v in words]))

    def subset(self, index: np.ndarray) -> Features:
        """The lines of ``index`` (sorted), renumbered from 0."""
        keep = np.isin(self.rows, index)
        row = np.full(len(self.vectors), -1)
        row[index] = np.arange(len(index))
        return Features(self.vectors[index], row[self.rows[keep]], self.cols[keep], self.values[keep])

    def logits(self, w: np.ndarray, b: float) -> np.ndarray:
        dim = self.vectors.shape[1]
        words = np.bincount(self.rows, self.values * w[dim + self.cols], minlength=len(self.vectors))
        return self.vectors @ w[:dim] + words + b

    def gradient(self, residual: np.ndarray) -> np.ndarray:
        """X^T residual, (dim + BUCKETS,)."""
        words = np.bincount(self.cols, self.values * residual[self.rows], minlength=BUCKETS)
        return np.concatenate([self.vectors.T @ residual, words]).astype(np.float32)


def fit(x: Features, y: np.ndarray, l2: float, steps: int, lr: float = 0.05) -> tuple[np.ndarray, float]:
    """Weights (dim + BUCKETS,) and bias of a logistic regression of ``y`` (N,) on ``x``, by Adam."""
    w, b = np.zeros(x.vectors.shape[1] + BUCKETS, np.float32), 0.0
    m, v, mb, vb = np.zeros_like(w), np.zeros_like(w), 0.0, 0.0
    for t in range(1, steps + 1):
        p = 1.0 / (1.0 + np.exp(-x.logits(w, b)))
        g = x.gradient(p - y) / len(y) + l2 * w
        gb = float((p - y).mean())
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        mb, vb = 0.9 * mb + 0.1 * gb, 0.999 * vb + 0.001 * gb * gb
        w -= lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        b -= lr * (mb / (1 - 0.9 ** t)) / (np.sqrt(vb / (1 - 0.999 ** t)) + 1e-8)
    return w, b


def threshold_for(p: np.ndarray, y: np.ndarray, precision: float) -> float:
    """The lowest probability from which the predictions ``p`` of labels ``y`` are at least ``precision``
    precise (None of them reaching it: a UserError)."""
    for t in np.unique(np.round(p, 3)):
        chosen = p >= t
        if chosen.any() and y[chosen].mean() >= precision:
            return float(t)
    raise UserError(f"no threshold reaches precision {precision}", "lower --precision or add labels")


def run(args: argparse.Namespace) -> int:
    from edge_vdialog.bundle import Bundle
    from edge_vdialog.imagegen.text_encoder import TextEncoder
    from export.common.bundle_writer import bundle_export

    file, meaning, precision = CLASSIFIERS[args.name]
    precision = args.precision if args.precision is not None else precision
    if not 0.5 <= precision < 1.0:
        raise UserError(f"--precision {precision} is outside 0.5-1")
    labels = args.labels or LABELS / f"{args.name}.tsv"
    lines, y, written = read_labels(labels)
    encoder = TextEncoder.load(Bundle.load(args.bundle).component("text_encoder"))
    x = Features.of(lines, encoder.encode_all(lines))
    labelled = np.flatnonzero(~written)                               # folds of these; the lines written to
    order = labelled.copy()                                           # order always train
    random.Random(args.seed).shuffle(order)
    if len(order) < FOLDS or not y[order].any():
        raise UserError(f"{labels}: too few labelled lines (origin 'labelled') to cross-validate")
    held = np.zeros(len(lines), np.float32)                           # each scored by a fold without it
    for k in range(FOLDS):
        test = np.sort(order[k::FOLDS])
        w, b = fit(x.subset(np.setdiff1d(np.arange(len(lines)), test)), np.delete(y, test), args.l2, args.steps)
        held[test] = 1.0 / (1.0 + np.exp(-x.subset(test).logits(w, b)))
    held, truth = held[labelled], y[labelled]
    threshold = threshold_for(held, truth, precision)
    print(f"{args.name}: {int(y.sum())} of {len(y)} lines are {meaning} ({int(truth.sum())} of {len(truth)} "
          f"labelled); cross-validated on the labelled lines:")
    for t in sorted({0.5, 0.7, 0.9, threshold}):
        c = held >= t
        print(f"  from {t:.3f}: precision {truth[c].mean() if c.any() else 0:.3f}, recall {c[truth == 1].mean():.3f}"
              + ("  <- the threshold" if t == threshold else ""))
    w, b = fit(x, y, args.l2, args.steps)
    with bundle_export(args.bundle) as export:
        path = export.work / file
        np.savez(path, weights=w.astype(np.float32), bias=np.float32(b))
        export.write(args.name, {"weights": path}, kind=KIND, precision="fp32",
                     source=SOURCE.format(name=args.name), licence="Apache-2.0 (labels written for this project)",
                     config={"encoder": "text_encoder", "threshold": round(threshold, 3)})
    print(f"-> {args.bundle}/{args.name}")
    return 0
