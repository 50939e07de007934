"""The inference-engine interface every backend file implements."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np


class Engine(Protocol):
    """One loaded model, ready to run.

    ``provider`` names what actually runs it (e.g. ``CPUExecutionProvider``, ``tensorrt``),
    which may differ from what was asked for when a backend fell back.
    """

    input_names: list[str]
    output_names: list[str]
    provider: str

    def run(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Run once; returns every output by name."""
        ...
