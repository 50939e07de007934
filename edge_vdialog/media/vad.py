"""Energy voice-activity detection: cuts a stream of 30 ms chunks into utterances.

A chunk is speech when its level is ``margin_db`` above the tracked noise floor and above an
absolute minimum; both come from ``threshold`` (0: nearly everything counts, 1: only loud,
close speech). An utterance ends after ``silence_ms`` without speech and is kept when it held at
least ``min_speech_ms`` of speech. ``preroll_ms`` of audio before the onset is kept too.
"""

from __future__ import annotations

import collections
import math

import numpy as np

MAX_UTTERANCE_S = 15.0
"""Longer speech is cut here, seconds."""


def level_db(chunk: np.ndarray) -> float:
    """RMS level of int16 audio, dB relative to full scale (-100 for digital silence)."""
    rms = math.sqrt(float(np.mean(np.square(chunk, dtype=np.float64)))) / 32768.0
    return 20 * math.log10(rms) if rms > 1e-5 else -100.0


class EnergyVad:
    def __init__(self, sample_rate: int, threshold: float = 0.5, min_speech_ms: int = 250,
                 silence_ms: int = 700, preroll_ms: int = 300) -> None:
        self.sample_rate = sample_rate
        self.margin_db = 6 + 24 * threshold
        self.min_db = -70 + 40 * threshold
        self.min_speech_ms, self.silence_ms = min_speech_ms, silence_ms
        self.floor_db = -60.0
        self._preroll: collections.deque[np.ndarray] = collections.deque()
        self._preroll_ms = preroll_ms
        self._parts: list[np.ndarray] = []
        self._speech_ms = self._quiet_ms = 0.0
        self.in_speech = False
        """True from a speech onset until the utterance ends."""

    def push(self, chunk: np.ndarray) -> np.ndarray | None:
        """Feed int16 mono audio; returns a finished utterance (int16) or None."""
        ms = 1000 * len(chunk) / self.sample_rate
        db = level_db(chunk)
        voiced = db > max(self.floor_db + self.margin_db, self.min_db)
        if not self.in_speech:
            self.floor_db += 0.05 * (db - self.floor_db)  # noise floor follows quiet audio slowly
            self._remember(chunk, ms)
            if voiced:
                self.in_speech, self._parts = True, list(self._preroll)
                self._speech_ms, self._quiet_ms = ms, 0.0
            return None
        self._parts.append(chunk)
        self._speech_ms, self._quiet_ms = (self._speech_ms + ms, 0.0) if voiced else (
            self._speech_ms, self._quiet_ms + ms)
        total_s = sum(len(p) for p in self._parts) / self.sample_rate
        if self._quiet_ms >= self.silence_ms or total_s >= MAX_UTTERANCE_S:
            return self._finish()
        return None

    def _remember(self, chunk: np.ndarray, ms: float) -> None:
        self._preroll.append(chunk)
        while len(self._preroll) * ms > self._preroll_ms:
            self._preroll.popleft()

    def _finish(self) -> np.ndarray | None:
        self.in_speech = False
        parts, self._parts = self._parts, []
        self._preroll.clear()
        return np.concatenate(parts) if self._speech_ms >= self.min_speech_ms else None
