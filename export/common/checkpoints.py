"""What resumable training runs share: the learning-rate schedule and the atomic checkpoint write."""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def warmup_cosine(peak: float, step: int, warmup: int, progress: float) -> float:
    """Learning rate: linear warm-up over ``warmup`` steps, then cosine from ``peak`` down to ``peak / 10``
    as ``progress`` (0..1, the share of the schedule done) goes from 0 to 1."""
    warm = min(1.0, (step + 1) / warmup)
    return peak * warm * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0))))


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A sibling directory to write a checkpoint into; on success its files replace those in ``out`` one
    by one (``os.replace``), so a run killed while saving leaves the previous checkpoint whole."""
    tmp = out.with_name(out.name + ".saving")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    yield tmp
    out.mkdir(parents=True, exist_ok=True)
    for f in tmp.iterdir():
        os.replace(f, out / f.name)
    tmp.rmdir()
