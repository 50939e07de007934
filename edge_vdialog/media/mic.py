"""Microphones by URI, delivering 30 ms chunks of 16-bit mono audio to a queue.

``mic://default`` or ``mic://<device name or index>`` record through PortAudio (``sounddevice``,
Debian ``libportaudio2``); ``wav://file.wav`` replays a file in real time and then stays silent,
like a quiet room (``?loop=1`` repeats it, ``?delay=S`` waits S seconds first); ``none`` means
typed input only. A microphone that is missing or lost reports itself offline and is reopened
with a doubling delay.
"""

from __future__ import annotations

import logging
import queue
import wave

import numpy as np

from edge_vdialog.errors import UserError
from edge_vdialog.interfaces import SPEECH_RATE_HZ
from edge_vdialog.media.backoff import Backoff
from edge_vdialog.media.portaudio import import_sounddevice, open_stream, release
from edge_vdialog.media.resample import Resampler
from edge_vdialog.media.sources import Pacer
from edge_vdialog.media.status import SourceStatus
from edge_vdialog.media.uri import Uri, parse_uri
from edge_vdialog.threads import Background

log = logging.getLogger(__name__)
CHUNK_S = 0.03
"""Chunk length, seconds."""
SCHEMES = {"mic": "mic://default", "wav": "wav://file.wav", "none": "none"}
MIC_HINT = "or use --mic none"


class Microphone(Background):
    """Base: a thread that opens the device, pumps chunks into ``self.chunks``, reopens on loss."""

    def __init__(self, uri: Uri, sample_rate: int, min_s: float = 0.5, max_s: float = 10.0) -> None:
        super().__init__("mic")
        self.uri = uri
        self.sample_rate = sample_rate
        """Hertz."""
        self.chunk = round(sample_rate * CHUNK_S)
        """Samples per chunk."""
        self.chunks: queue.Queue[np.ndarray] = queue.Queue(maxsize=200)
        """int16 mono chunks of ``self.chunk`` samples, oldest first."""
        self._backoff = Backoff(min_s, max_s)
        self._problem = "starting"

    def status(self) -> SourceStatus:
        problem = self._problem
        return SourceStatus(not problem, f"microphone offline: {self.uri.text}: {problem}"
                            if problem else "")

    def _push(self, chunk: np.ndarray) -> None:
        try:
            self.chunks.put_nowait(chunk)
        except queue.Full:  # nobody listens (busy): drop the oldest
            self.chunks.get_nowait()
            self.chunks.put_nowait(chunk)

    def _set_problem(self, problem: str) -> None:
        if problem and problem != self._problem:
            log.warning("microphone %s: %s", self.uri.text, problem)
        self._problem = problem

    def run(self) -> None:
        while not self.closing.is_set():
            try:
                self._pump()
            except (OSError, UserError) as e:
                self._set_problem(str(e))
            if self._backoff.wait(self.closing):
                return

    def _pump(self) -> None:
        """Deliver chunks until the device is lost (raise OSError) or the mic is closed."""
        raise NotImplementedError


class WavMicrophone(Microphone):
    """``wav://file.wav?delay=2&loop=1``: ``delay`` seconds of silence first."""

    def _pump(self) -> None:
        audio = read_wav(self.uri.rest, self.sample_rate)
        lead = np.zeros(round(self.uri.number("delay", 0.0) * self.sample_rate), np.int16)
        audio = np.concatenate([lead, audio])
        pacer, silence = Pacer(1.0 / CHUNK_S), np.zeros(self.chunk, np.int16)
        self._set_problem("")
        pos = 0
        while not self.closing.is_set():
            if pos >= len(audio) and self.uri.flag("loop", False):
                pos = 0
            part = audio[pos:pos + self.chunk]
            pos += self.chunk
            self._push(part if len(part) == self.chunk else silence)
            pacer.wait()


class PortAudioMicrophone(Microphone):
    def _pump(self) -> None:
        sd = import_sounddevice("microphone input", MIC_HINT)
        try:
            stream = open_stream(self.uri, output=False, samplerate=self.sample_rate, blocksize=self.chunk,
                                 channels=1, dtype="int16",
                                 callback=lambda data, n, t, status: self._push(data[:, 0].copy()))
        except (sd.PortAudioError, ValueError) as e:
            raise OSError(f"no microphone ({e})") from None
        try:
            stream.start()
            self._set_problem("")
            self._backoff.reset()
            while stream.active and not self.closing.wait(0.2):
                pass
        finally:
            release(stream)
        if not self.closing.is_set():
            raise OSError("recording stopped (device lost?)")


def read_wav(path: str, sample_rate: int) -> np.ndarray:
    """A 16-bit PCM WAV as int16 mono at ``sample_rate`` hertz (linear resampling). A file that
    ends inside a sample frame (still being written, or cut short) raises OSError."""
    try:
        with wave.open(path, "rb") as w:
            if w.getsampwidth() != 2:
                raise UserError(f"{path}: {8 * w.getsampwidth()}-bit WAV", "use 16-bit PCM")
            data = w.readframes(w.getnframes())
            channels, rate = w.getnchannels(), w.getframerate()
    except (wave.Error, EOFError) as e:
        raise UserError(f"{path} is not a readable WAV file ({e})") from None
    if not data or len(data) % (2 * channels):
        raise OSError(f"{path} is truncated or still being written ({len(data)} bytes of audio, "
                      f"not a whole number of {channels}-channel 16-bit frames)")
    mono = np.frombuffer(data, np.int16).reshape(-1, channels).mean(axis=1).astype(np.int16)
    return Resampler(rate, sample_rate)(mono)


def open_mic(text: str, sample_rate: int = SPEECH_RATE_HZ, reconnect_min_s: float = 0.5,
             reconnect_max_s: float = 10.0) -> Microphone | None:
    """A not yet started microphone for ``text``; None for ``none``."""
    uri = parse_uri(text, "microphone", SCHEMES)
    if uri.scheme == "none":
        return None
    if uri.scheme == "mic":
        import_sounddevice("microphone input", MIC_HINT)  # reported now, not retried forever
        return PortAudioMicrophone(uri, sample_rate, reconnect_min_s, reconnect_max_s)
    return WavMicrophone(uri, sample_rate, reconnect_min_s, reconnect_max_s)
