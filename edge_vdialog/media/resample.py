"""Streaming sample-rate conversion of int16 mono chunks (linear interpolation).

The microphone may run at any rate from 8 to 48 kHz (``mic.sample_rate``: some cards offer only
44.1 or 48 kHz); the VAD and the recognizer take 16 kHz. Chunks are converted one by one with the
fractional position and the last sample carried over, so the joins are seamless. Linear
interpolation does not low-pass first: above 8 kHz speech holds little energy, and Whisper's
features stop at 8 kHz.
"""

from __future__ import annotations

import numpy as np

from edge_vdialog.interfaces import SPEECH_RATE_HZ


class Resampler:
    def __init__(self, rate_in: int, rate_out: int = SPEECH_RATE_HZ) -> None:
        self.rate_in, self.rate_out = rate_in, rate_out
        """Hertz."""
        self.step = rate_in / rate_out
        """Input samples per output sample."""
        self._pos = 0.0  # where the next output sample lies, in samples of the next input (see below)
        self._last: np.ndarray | None = None  # the previous chunk's last sample, index 0 of the next

    def __call__(self, chunk: np.ndarray) -> np.ndarray:
        """``chunk`` (N,) int16 at ``rate_in`` -> (about N / step,) int16 at ``rate_out``."""
        if self.rate_in == self.rate_out:
            return chunk
        x = chunk.astype(np.float32)
        if self._last is not None:
            x = np.concatenate([self._last, x])
        end = len(x) - 1
        n = int((end - self._pos) // self.step) + 1 if end >= self._pos else 0
        positions = self._pos + self.step * np.arange(n)
        out = np.interp(positions, np.arange(len(x)), x)
        self._pos += self.step * n - end  # relative to the next input, whose index 0 is x[end]
        self._last = x[-1:]
        return np.round(out).astype(np.int16)
