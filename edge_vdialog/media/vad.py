"""Voice-activity detection: cuts a stream of 16 kHz chunks into utterances.

:class:`Segmenter` asks a detector whether each chunk is speech. An utterance ends after
``silence_ms`` without speech and is kept when it held at least ``min_speech_ms`` of speech;
``preroll_ms`` of audio before the onset is kept too. Detectors: Silero VAD
(:class:`edge_vdialog.media.silero.SileroDetector`, from the audio extra) and, only where that
extra is absent, :class:`EnergyDetector`. ``threshold`` (0: nearly everything counts, 1: only
clear, loud speech) tunes either.
"""

from __future__ import annotations

import collections
import logging
import math
from typing import Protocol

import numpy as np

from edge_vdialog.interfaces import SPEECH_RATE_HZ

log = logging.getLogger(__name__)
MAX_UTTERANCE_S = 15.0
"""Longer speech is cut here, seconds."""


class Detector(Protocol):
    def is_speech(self, chunk: np.ndarray) -> bool:
        """Whether int16 mono ``chunk`` (16 kHz) holds speech; called for consecutive chunks."""
        ...

    def reset(self) -> None:
        """Forget the stream so far."""
        ...


def level_db(chunk: np.ndarray) -> float:
    """RMS level of int16 audio, dB relative to full scale (-100 for digital silence)."""
    rms = math.sqrt(float(np.mean(np.square(chunk, dtype=np.float64)))) / 32768.0
    return 20 * math.log10(rms) if rms > 1e-5 else -100.0


class EnergyDetector:
    """Speech is ``margin_db`` above the tracked noise floor and above an absolute minimum."""

    def __init__(self, threshold: float = 0.5) -> None:
        self.margin_db = 6 + 24 * threshold
        self.min_db = -70 + 40 * threshold
        self.floor_db = -60.0

    def is_speech(self, chunk: np.ndarray) -> bool:
        db = level_db(chunk)
        voiced = db > max(self.floor_db + self.margin_db, self.min_db)
        if not voiced:
            self.floor_db += 0.05 * (db - self.floor_db)  # noise floor follows quiet audio slowly
        return voiced

    def reset(self) -> None:
        pass  # the noise floor describes the room, not the utterance: keep it


def load_detector(threshold: float = 0.5) -> Detector:
    """Silero VAD when the audio extra is installed, else the energy detector (logged)."""
    from edge_vdialog.media.silero import SileroDetector, silero_model

    try:
        path = silero_model()
    except ImportError as e:
        log.warning("Silero VAD unavailable (%s): energy detector instead; "
                    "pip install 'edge-vdialog[audio]' for Silero", e)
        return EnergyDetector(threshold)
    return SileroDetector.load(path, threshold)


class Segmenter:
    def __init__(self, detector: Detector, min_speech_ms: int = 250, silence_ms: int = 700,
                 preroll_ms: int = 300) -> None:
        self.detector = detector
        self.sample_rate = SPEECH_RATE_HZ
        self.min_speech_ms, self.silence_ms, self.preroll_ms = min_speech_ms, silence_ms, preroll_ms
        self._preroll: collections.deque[np.ndarray] = collections.deque()
        self._parts: list[np.ndarray] = []
        self._speech_ms = self._quiet_ms = 0.0
        self.in_speech = False
        """True from a speech onset until the utterance ends."""

    def push(self, chunk: np.ndarray) -> np.ndarray | None:
        """Feed int16 mono 16 kHz audio; returns a finished utterance (int16) or None."""
        ms = 1000 * len(chunk) / self.sample_rate
        voiced = self.detector.is_speech(chunk)
        if not self.in_speech:
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

    def reset(self) -> None:
        """Drop the utterance under way (the kiosk is speaking: what is heard is itself)."""
        self.in_speech, self._parts = False, []
        self._preroll.clear()
        self.detector.reset()

    def _remember(self, chunk: np.ndarray, ms: float) -> None:
        self._preroll.append(chunk)
        while len(self._preroll) * ms > self.preroll_ms:
            self._preroll.popleft()

    def _finish(self) -> np.ndarray | None:
        self.in_speech = False
        parts, self._parts = self._parts, []
        self._preroll.clear()
        return np.concatenate(parts) if self._speech_ms >= self.min_speech_ms else None
