"""ONNX Runtime ``CalibrationDataReader`` over a :class:`calibration.sets.CalibrationSet`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np
from onnxruntime.quantization import CalibrationDataReader

from calibration.sets import CalibrationSet
from edge_vdialog.errors import UserError


class SetReader(CalibrationDataReader):
    """Feeds one batch of ``batch_size`` samples per ``get_next()``; ``rewind()`` starts over.

    ``input_names``: the model's inputs; every one must come from the set or from ``constant``
    (inputs that are the same for every sample, e.g. an empty KV cache (1, heads, 0, head_dim)).
    """

    def __init__(self, data: CalibrationSet, input_names: list[str] | None = None, batch_size: int = 1,
                 constant: Mapping[str, np.ndarray] | None = None):
        self.data, self.batch_size, self.constant = data, batch_size, dict(constant or {})
        names = input_names or list(data.arrays)
        missing = [n for n in names if n not in data.arrays and n not in self.constant]
        if missing:
            raise UserError(f"calibration set has no data for model input(s) {', '.join(missing)}",
                            f"it has: {', '.join(data.arrays)}")
        self.names = [n for n in names if n in data.arrays]
        self._it: Iterator[dict[str, np.ndarray]] | None = None
        self.rewind()

    def get_next(self) -> dict[str, np.ndarray] | None:
        batch = next(self._it, None)
        if batch is None:
            return None
        return {**{n: batch[n] for n in self.names}, **self.constant}

    def rewind(self) -> None:
        self._it = self.data.batches(self.batch_size)
