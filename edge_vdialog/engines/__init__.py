"""Inference backends, one per file, behind :class:`edge_vdialog.engines.base.Engine`.

``open_engine(path, backend="ort")`` imports the backend module lazily, so a board without
TensorRT never imports it and a workstation without it gets a one-line error naming the extra.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from edge_vdialog.engines.base import Engine
from edge_vdialog.errors import UserError

BACKENDS = {
    "ort": "edge_vdialog.engines.ort",
}


def open_engine(path: str | Path, backend: str = "ort", **options: Any) -> Engine:
    """Load the model at ``path`` with ``backend`` (one of :data:`BACKENDS`)."""
    if backend not in BACKENDS:
        raise UserError(f"unknown inference backend '{backend}'",
                        f"supported: {', '.join(sorted(BACKENDS))}")
    return importlib.import_module(BACKENDS[backend]).load(Path(path), **options)
