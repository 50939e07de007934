"""Silero VAD (v6, the ONNX file faster-whisper ships) as a streaming speech detector.

The model takes windows of 512 new samples at 16 kHz with the 64 samples before them as context,
and carries an LSTM state (h, c) from window to window. A chunk is speech when the latest window's
probability reaches ``threshold``; once in speech, it stays until the probability falls
``HYSTERESIS`` below it (Silero's own recommendation), so pauses between words do not cut.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from edge_vdialog.engines import EngineOptions, open_engine
from edge_vdialog.interfaces import Engine

WINDOW = 512
"""New samples per model run (32 ms at 16 kHz)."""
CONTEXT = 64
"""Samples of the previous window prepended to each."""
HYSTERESIS = 0.15


def silero_model() -> Path:
    """The ONNX file inside faster-whisper (ImportError where the audio extra is absent)."""
    import faster_whisper

    path = Path(faster_whisper.__file__).parent / "assets" / "silero_vad_v6.onnx"
    if not path.is_file():
        raise ImportError(f"{path} is missing from this faster-whisper")
    return path


class SileroDetector:
    def __init__(self, engine: Engine, threshold: float = 0.5) -> None:
        self.engine = engine
        self.threshold = threshold
        """Speech probability that starts speech, 0..1."""
        self.probability = 0.0
        """Of the latest window."""
        self.reset()

    @classmethod
    def load(cls, path: Path, threshold: float = 0.5) -> SileroDetector:
        return cls(open_engine(path, EngineOptions(threads=1, spinning=False)), threshold)

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), np.float32)
        self._c = np.zeros((1, 1, 128), np.float32)
        self._context = np.zeros(CONTEXT, np.float32)
        self._pending = np.zeros(0, np.float32)
        self._speech = False
        self.probability = 0.0

    def is_speech(self, chunk: np.ndarray) -> bool:
        self._pending = np.concatenate([self._pending, chunk.astype(np.float32) / 32768.0])
        while len(self._pending) >= WINDOW:
            window, self._pending = self._pending[:WINDOW], self._pending[WINDOW:]
            self.probability = self._run(window)
        bar = self.threshold - HYSTERESIS if self._speech else self.threshold
        self._speech = self.probability >= bar
        return self._speech

    def _run(self, window: np.ndarray) -> float:
        x = np.concatenate([self._context, window])[None, :]  # (1, 576)
        out = self.engine.run({"input": x, "h": self._h, "c": self._c})
        self._h, self._c, self._context = out["hn"], out["cn"], window[-CONTEXT:]
        return float(out["speech_probs"].reshape(-1)[0])
