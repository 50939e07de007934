"""Camera capture in its own thread: newest frame on demand, offline detection, reconnect.

``open_camera("test://")`` -> :class:`CameraSource`; ``source.start()``; ``source.latest()``
returns the newest :class:`Frame` (or None); ``source.status()`` says whether frames arrive.
The device is opened by that thread ("connecting" until the first frame); when it fails to
open (absent, SDK missing, network camera silent), ends, or stops delivering, the source reports
itself offline and reopens it with a doubling delay; nothing else waits on it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from edge_vdialog.errors import UserError
from edge_vdialog.interfaces import Capture
from edge_vdialog.media.backoff import Backoff
from edge_vdialog.media.sources import NETWORK_TIMEOUT_S, OPENERS, SCHEMES, Request
from edge_vdialog.media.status import SourceStatus
from edge_vdialog.media.uri import Uri, parse_uri
from edge_vdialog.threads import Background

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Frame:
    image: np.ndarray
    """HxWx3 uint8, BGR."""
    t: float
    """time.monotonic() when it was captured, seconds."""
    seq: int
    """Counts frames since start, across reconnects."""


class CameraSource(Background):
    def __init__(self, uri: Uri, opener: Callable[[], Capture], min_s: float = 0.5,
                 max_s: float = 10.0, stall_s: float = 3.0) -> None:
        super().__init__("camera")
        self.uri = uri
        self._open = opener
        self._backoff = Backoff(min_s, max_s)
        self.stall_s = stall_s
        """No frame for this long counts as offline, seconds."""
        self._lock = threading.Lock()
        self._frame: Frame | None = None
        self._seq = 0
        self._problem = "connecting"
        self.reconnects = 0
        """Successful reopenings after the first open."""

    def latest(self) -> Frame | None:
        with self._lock:
            return self._frame

    def status(self) -> SourceStatus:
        with self._lock:
            problem, frame = self._problem, self._frame
        if not problem and (frame is None or time.monotonic() - frame.t > self.stall_s):
            problem = f"no frames for {self.stall_s:g} s"
        return SourceStatus(not problem, f"camera offline: {self.uri.text}: {problem}"
                            if problem else "")

    def run(self) -> None:
        opened_before = False
        while not self.closing.is_set():
            try:
                cap = self._open()
            except (OSError, UserError) as e:  # UserError: a missing SDK, installed later maybe
                self._offline(str(e))
                if self._backoff.wait(self.closing):
                    return
                continue
            if opened_before:
                self.reconnects += 1
            opened_before = True
            self._pump(cap)

    def _pump(self, cap: Capture) -> None:
        """Read frames until the capture ends or the source is closed."""
        try:
            while not self.closing.is_set():
                image = cap.read()
                if image is None:
                    self._offline("stream ended or device lost")
                    self._backoff.wait(self.closing)
                    return
                with self._lock:
                    self._seq += 1
                    self._frame = Frame(image, time.monotonic(), self._seq)
                    self._problem = ""
                self._backoff.reset()
        finally:
            cap.close()

    def _offline(self, problem: str) -> None:
        with self._lock:
            changed = problem != self._problem
            self._problem = problem
        if changed:
            log.warning("camera %s: %s", self.uri.text, problem)


def open_camera(text: str, width: int = 1280, height: int = 720, fps: int = 30, loop: bool = True,
                reconnect_min_s: float = 0.5, reconnect_max_s: float = 10.0,
                timeout_s: float = NETWORK_TIMEOUT_S) -> CameraSource | None:
    """A not yet started source for ``text``; None for ``none``. Unknown schemes raise UserError;
    everything else (device absent, SDK missing, stream silent) is found and retried by the
    source's own thread, so nothing here waits on a device."""
    uri = parse_uri(text, "camera", SCHEMES)
    if uri.scheme == "none":
        return None
    opener = OPENERS[uri.scheme]
    return CameraSource(uri, lambda: opener(uri, Request(width, height, fps, loop, timeout_s)),
                        reconnect_min_s, reconnect_max_s)
