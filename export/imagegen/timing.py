"""Latency of a call, median and p90 after a warm-up (bench-imagegen, encoder-compare)."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

TEXTS = ["a red apple", "what a rainy day", "I love my dog so much!", "let's go to the beach tomorrow",
         "the moon is bright tonight", "我喜欢猫", "pizza and ice cream", "he is playing football"]
"""Distinct texts the benchmarks cycle through (call ``i`` gets ``TEXTS[i % 8]``)."""


def timed(fn: Callable[[int], object], runs: int, warmup: int) -> dict[str, float]:
    """``fn(i)`` ``warmup`` times untimed, then ``runs`` times: milliseconds, median and p90."""
    for i in range(warmup):
        fn(i)
    ms = []
    for i in range(runs):
        t0 = time.perf_counter()
        fn(i)
        ms.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": round(float(np.median(ms)), 3), "p90_ms": round(float(np.percentile(ms, 90)), 3)}
