"""The runtime's seams, in one place: what each part of the kiosk needs from the others.

Implementations are named for what they are (``OrtEngine``, ``OrtDecoder``, ``GanImageGenerator``,
``KVChat``, ``WhisperRecognizer``, ``CameraSource``, ``VideoFileSink``...) and live in their packages;
consumers type against these protocols only. Arrays are numpy; shapes are written ``(B, T)`` etc.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from edge_vdialog.dialogue.sampling import Sampling
    from edge_vdialog.media.camera import Frame
    from edge_vdialog.media.status import SourceStatus


class Engine(Protocol):
    """One loaded model, stateless: named arrays in, named arrays out. One per backend file."""

    input_names: list[str]
    output_names: list[str]
    provider: str
    """What actually runs it (``CPUExecutionProvider``, ``tensorrt``, ``triton``...), which may differ
    from what was asked for when a backend fell back."""

    def run(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Run once; every output by name."""
        ...


class Decoder(Protocol):
    """A decoder-only language model with its key/value cache, batch 1."""

    max_context: int
    """Most tokens the cache holds (prompt + reply)."""
    length: int
    """Tokens in the cache now."""
    vocab: int
    """Size of the logits vector."""
    provider: str

    def feed(self, ids: list[int]) -> np.ndarray:
        """Run ``ids`` after the cached tokens; next-token logits (vocab,) float32, valid until the
        next call. Raises ValueError when they do not fit (``length + len(ids) > max_context``)."""
        ...

    def rewind(self, keep: int) -> None:
        """Forget all but the first ``keep`` cached tokens (to reuse a shared prompt prefix)."""
        ...

    def reset(self) -> None:
        """Forget every cached token."""
        ...


class Dialogue(Protocol):
    """A conversation with a language model. One ``send`` at a time."""

    provider: str

    def send(self, text: str, sampling: Sampling,
             cancel: threading.Event | None = None) -> Iterator[str]:
        """Say ``text``; yields the reply in pieces as they are decoded. Setting ``cancel`` stops it
        at the next token. The exchange joins the history once the reply has text."""
        ...

    def reset(self) -> None:
        """Forget the conversation."""
        ...

    def remember(self, text: str, reply: str) -> None:
        """Add an exchange answered without the model (a skill, :mod:`edge_vdialog.dialogue.skills`)
        to the history, so the next reply follows on from it."""
        ...

    @property
    def kept(self) -> list:
        """The history the next reply follows on from (as :meth:`resume` takes it back)."""
        ...

    def resume(self, kept: list) -> None:
        """Go back to (or continue from) a history this dialogue gave as :attr:`kept`."""
        ...

    def prepare(self, cancel: threading.Event) -> None:
        """Use idle time for work ahead of the next reply (a prefill of what :meth:`remember` added);
        return soon after ``cancel`` is set. The kiosk calls it when a turn is over and nothing waits."""
        ...


class ImageGenerator(Protocol):
    """Text -> picture."""

    size: int
    """Height = width of the pictures, pixels."""
    attribution: str
    """What the licence of the art it learned from asks to show where its pictures appear ("" if none)."""

    def generate(self, text: str, seed: int | None = None) -> np.ndarray:
        """(size, size, 3) uint8 RGB; the same text and seed give the same picture."""
        ...


class Capture(Protocol):
    """An opened camera, file or stream (what a camera URI's opener returns)."""

    def read(self) -> np.ndarray | None:
        """The next frame, HxWx3 uint8 BGR, blocking; None when the device or stream ended."""
        ...

    def close(self) -> None: ...


class FrameOutput(Protocol):
    """An opened output for composed frames: a window, a framebuffer, a video file, PNGs, nowhere."""

    def show(self, frame: np.ndarray) -> int:
        """Output one HxWx3 uint8 BGR frame; the key pressed meanwhile, -1 when none. Raises
        :class:`~edge_vdialog.media.status.FrameDropped` when the frame did not reach the output."""
        ...

    def close(self) -> None: ...


class FrameSink(FrameOutput, Protocol):
    """What the kiosk draws into: a display URI's output, reopened when it goes away."""

    def status(self) -> SourceStatus: ...


class Camera(Protocol):
    """A camera kept open in the background, reconnecting when it goes away."""

    def latest(self) -> Frame | None:
        """The newest frame, or None before the first one."""
        ...

    reconnects: int
    """Times the device came back after going away."""

    def status(self) -> SourceStatus: ...

    def close(self) -> None: ...


SPEECH_RATE_HZ = 16000
"""The sample rate of the speech path: microphones deliver it, voice-activity detectors and recognizers take it."""


class Recognizer(Protocol):
    """Speech -> text."""

    def transcribe(self, audio: np.ndarray) -> str:
        """Text for (N,) float32 mono audio in [-1, 1] at :data:`SPEECH_RATE_HZ`."""
        ...


class Voice(Protocol):
    """Text -> speech."""

    sample_rate: int
    """Hertz of the audio it makes."""

    def synthesize(self, sentence: str) -> np.ndarray:
        """(N,) int16 mono audio of one sentence; (0,) when there is nothing to say."""
        ...
