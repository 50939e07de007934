"""Audio outputs by URI, taking 16-bit mono chunks at the voice's rate.

``speaker://default`` or ``speaker://<device name or index>`` play through PortAudio
(``sounddevice``, Debian ``libportaudio2``); ``wav://out.wav`` writes a WAV file as fast as audio
comes (``?realtime=1`` paces it like a sound card: a real stand-in for one in tests and demos);
``none`` is silence. A sound card that is missing or lost never stops the caller: its audio is
dropped, :meth:`status` says why, and it is reopened with a doubling delay.
"""

from __future__ import annotations

import logging
import time
import wave

import numpy as np

from edge_vdialog.errors import UserError
from edge_vdialog.media.backoff import Backoff
from edge_vdialog.media.portaudio import import_sounddevice, open_stream, release
from edge_vdialog.media.status import SourceStatus
from edge_vdialog.media.uri import Uri, parse_uri

log = logging.getLogger(__name__)
SCHEMES = {"speaker": "speaker://default", "wav": "wav://out.wav", "none": "none"}
SPEAKER_HINT = 'or set [voice] output = "none"'


class Speaker:
    """Base: ``play`` blocks until the chunk is handed over (a paced output: about its duration)."""

    def __init__(self, uri: Uri, sample_rate: int) -> None:
        self.uri = uri
        self.sample_rate = sample_rate
        """Hertz."""
        self.samples = 0
        """Samples handed over so far (dropped ones not counted)."""

    def play(self, chunk: np.ndarray) -> None:
        """Output int16 mono ``chunk``."""
        raise NotImplementedError

    def status(self) -> SourceStatus:
        return SourceStatus(True, "")

    def close(self) -> None:
        pass


class WavSpeaker(Speaker):
    def __init__(self, uri: Uri, sample_rate: int) -> None:
        super().__init__(uri, sample_rate)
        self.realtime = uri.flag("realtime", False)
        try:
            self._raw = open(uri.rest, "wb")  # opened here: wave.open leaves a half object on failure
        except OSError as e:
            raise UserError(f"cannot write {uri.rest}: {e.strerror or e}",
                            "check that its folder exists and is writable") from None
        self._file = wave.open(self._raw, "wb")
        self._file.setnchannels(1)
        self._file.setsampwidth(2)
        self._file.setframerate(sample_rate)
        self._due = 0.0  # realtime: time.monotonic() when the audio written so far has played

    def play(self, chunk: np.ndarray) -> None:
        self._file.writeframes(chunk.astype(np.int16).tobytes())  # the header is kept valid
        self.samples += len(chunk)
        if self.realtime:
            now = time.monotonic()
            self._due = max(self._due, now) + len(chunk) / self.sample_rate
            time.sleep(max(0.0, self._due - now - len(chunk) / self.sample_rate))

    def close(self) -> None:
        if not self._raw.closed:
            self._file.close()
            self._raw.close()


class PortAudioSpeaker(Speaker):
    def __init__(self, uri: Uri, sample_rate: int, min_s: float, max_s: float) -> None:
        super().__init__(uri, sample_rate)
        self._backoff = Backoff(min_s, max_s)  # reopen delays
        self._stream = None
        self._retry_at = 0.0  # time.monotonic() of the next try
        self._problem = ""

    def play(self, chunk: np.ndarray) -> None:
        if self._stream is None and not self._open():
            return  # no sound card: the audio is dropped, the caller goes on
        try:
            self._stream.write(chunk.reshape(-1, 1))
            self.samples += len(chunk)
        except Exception as e:  # sounddevice raises PortAudioError and others when a card goes
            self._lost(f"playback stopped ({e})")

    def status(self) -> SourceStatus:
        problem = self._problem
        return SourceStatus(not problem, f"speaker offline: {self.uri.text}: {problem}" if problem else "")

    def close(self) -> None:
        if self._stream is not None:
            release(self._stream)
            self._stream = None

    def _open(self) -> bool:
        if time.monotonic() < self._retry_at:
            return False
        import_sounddevice("speech output", SPEAKER_HINT)
        try:
            self._stream = open_stream(self.uri, output=True, samplerate=self.sample_rate, channels=1,
                                       dtype="int16", latency="low")
            self._stream.start()
        except Exception as e:
            self._lost(f"no sound card ({e})")
            return False
        self._problem = ""
        self._backoff.reset()
        return True

    def _lost(self, problem: str) -> None:
        if problem != self._problem:
            log.warning("speaker %s: %s", self.uri.text, problem)
        self._problem = problem
        self.close()
        self._retry_at = time.monotonic() + self._backoff.next_delay()


def open_speaker(text: str, sample_rate: int, reconnect_min_s: float = 0.5,
                 reconnect_max_s: float = 10.0) -> Speaker | None:
    """The audio output for ``text`` at ``sample_rate`` hertz; None for ``none``."""
    uri = parse_uri(text, "speaker", SCHEMES)
    if uri.scheme == "none":
        return None
    if uri.scheme == "speaker":
        import_sounddevice("speech output", SPEAKER_HINT)  # reported now, not retried forever
        return PortAudioSpeaker(uri, sample_rate, reconnect_min_s, reconnect_max_s)
    if not uri.rest:
        raise UserError(f"{text}: no file name", f"use e.g. {SCHEMES['wav']}")
    return WavSpeaker(uri, sample_rate)

