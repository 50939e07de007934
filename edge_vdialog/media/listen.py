"""Voice input: microphone chunks -> voice-activity detection -> speech recognition -> text."""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Callable

import numpy as np

from edge_vdialog.interfaces import Recognizer
from edge_vdialog.media.mic import Microphone
from edge_vdialog.media.resample import Resampler
from edge_vdialog.media.vad import Segmenter
from edge_vdialog.telemetry import VISITOR_WORDS, Telemetry
from edge_vdialog.threads import Background

log = logging.getLogger(__name__)
words = logging.getLogger(VISITOR_WORDS)


class Listener(Background):
    """Calls ``on_text(text, t_end)`` for each recognised utterance; ``t_end`` is when the speech
    ended (time.monotonic(), seconds), so turn latency includes the VAD's wait and the ASR.

    ``hearing`` is True while speech is going on or being transcribed. The thread beats
    ``listener`` on every chunk and every 0.5 s without one, so it counts as stalled only when
    it really hangs. While ``muted()`` is true (the kiosk is speaking: what the microphone hears
    is the kiosk itself) audio is dropped and an utterance under way is forgotten. Audio is
    resampled to the VAD's 16 kHz.
    """

    def __init__(self, mic: Microphone, vad: Segmenter, recognizer: Recognizer,
                 telemetry: Telemetry) -> None:
        # speech recognition yields to the render loop, like the model workers
        super().__init__("listener", nice=5)
        self.mic, self.vad, self.recognizer, self.telemetry = mic, vad, recognizer, telemetry
        self.on_text: Callable[[str, float], None] = lambda text, t_end: None
        self.hearing = False
        self.resample = Resampler(mic.sample_rate, vad.sample_rate)
        self.muted: Callable[[], bool] = lambda: False

    def start(self, on_text: Callable[[str, float], None]) -> Listener:
        self.on_text = on_text
        self.mic.start()
        return super().start()

    def close(self, timeout_s: float = 2.0) -> None:
        self.mic.close(timeout_s)
        super().close(timeout_s)

    def run(self) -> None:
        while not self.closing.is_set():
            try:
                chunk = self.mic.chunks.get(timeout=0.5)
            except queue.Empty:
                chunk = None
            self.telemetry.beat(self.name)
            if chunk is not None:
                self._hear(chunk)

    def _hear(self, chunk: np.ndarray) -> None:
        if self.muted():
            self.vad.reset()
            self.hearing = False
            return
        utterance = self.vad.push(self.resample(chunk))
        self.hearing = self.vad.in_speech or utterance is not None
        if utterance is not None:  # the person stopped speaking silence_ms before the cut
            self._transcribe(utterance, time.monotonic() - self.vad.silence_ms / 1000)
            self.hearing = False

    def _transcribe(self, utterance: np.ndarray, t_end: float) -> None:
        try:
            text = self.recognizer.transcribe(utterance.astype(np.float32) / 32768.0)
        except Exception:  # a bad utterance must not end listening
            log.exception("speech recognition failed")
            self.telemetry.count_error("asr")
            return
        log.info("heard %d characters in %.2f s of audio", len(text), len(utterance) / self.vad.sample_rate)
        words.info("heard %r", text)
        if text.strip():
            self.on_text(text.strip(), t_end)
