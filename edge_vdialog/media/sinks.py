"""Display sinks by URI: where composed frames go.

``display://0`` a fullscreen window on ``$DISPLAY`` (``:0`` when unset), drawn by a child
process (:mod:`edge_vdialog.media.window`); ``fb:///dev/fb0`` the Linux framebuffer, for boards
without an X server; ``file://out.mp4`` a video (``?fps=30``); ``png://DIR`` snapshots
(``?every=1`` seconds); ``null://`` nowhere. ``sink.show(frame)`` returns a key pressed in the
window (-1: none) or raises :class:`FrameDropped` when the frame did not go out.

Every sink but ``null://`` is a :class:`RetryingSink`: an X server, framebuffer or directory
that is missing at start or goes away later marks the display offline (``status()``) and is
retried every few seconds; the kiosk runs on meanwhile.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from edge_vdialog.errors import UserError
from edge_vdialog.interfaces import FrameOutput, FrameSink
from edge_vdialog.media.status import FrameDropped, SourceStatus
from edge_vdialog.media.uri import Uri, parse_uri

log = logging.getLogger(__name__)

SCHEMES = {"display": "display://0", "fb": "fb:///dev/fb0", "file": "file://out.mp4",
           "png": "png://DIR", "null": "null://"}
RETRY_S = 5.0
"""How often a display that is offline is tried again, seconds."""


class NullSink:
    def show(self, frame: np.ndarray) -> int:
        return -1

    def close(self) -> None:
        pass


class VideoFileSink:
    """Frames into a video file; the writer opens at the first frame (its size is known then)."""

    def __init__(self, path: str, fps: float) -> None:
        self.path, self.fps = path, fps
        self.writer: cv2.VideoWriter | None = None

    def show(self, frame: np.ndarray) -> int:
        if self.writer is None:
            self.writer = self._open(frame.shape[1], frame.shape[0])
        self.writer.write(frame)
        return -1

    def _open(self, width: int, height: int) -> cv2.VideoWriter:
        hint = "use a .mp4 or .avi path in a writable directory"
        try:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise UserError(f"cannot write video {self.path} ({e})", hint) from None
        fourcc = "MJPG" if self.path.lower().endswith(".avi") else "mp4v"
        writer = cv2.VideoWriter(self.path, cv2.VideoWriter_fourcc(*fourcc), self.fps,
                                 (width, height))
        if not writer.isOpened():
            writer.release()
            raise UserError(f"cannot write video {self.path}", hint)
        return writer

    def close(self) -> None:
        if self.writer is not None:
            self.writer.release()


class PngSink:
    """A PNG snapshot every ``every_s`` seconds: DIR/frame_000001.png, ..., numbered on after
    the snapshots already there (a reopened sink overwrites none)."""

    def __init__(self, directory: str, every_s: float) -> None:
        self.dir = Path(directory)
        self.every_s = every_s
        self._next = 0.0  # time.monotonic() of the next snapshot
        self.count = max((int(p.stem[6:]) for p in self.dir.glob("frame_*.png")
                          if p.stem[6:].isdigit()), default=0)
        """The number of the last snapshot written."""

    def show(self, frame: np.ndarray) -> int:
        now = time.monotonic()
        if now >= self._next:
            self._next = now + self.every_s
            path = self.dir / f"frame_{self.count + 1:06d}.png"
            self.dir.mkdir(parents=True, exist_ok=True)
            if not cv2.imwrite(str(path), frame):
                raise OSError(f"cannot write {path}")
            self.count += 1
        return -1

    def close(self) -> None:
        pass


class RetryingSink:
    """A sink whose device may be missing or go away. It is opened by :meth:`open` and, after a
    failure (opening or showing raised OSError or UserError), reopened at most every
    ``retry_s`` seconds; meanwhile frames raise FrameDropped and ``status()`` says why."""

    def __init__(self, opener: Callable[[], FrameOutput], retry_s: float = RETRY_S) -> None:
        self.opener, self.retry_s = opener, retry_s
        self.sink: FrameOutput | None = None
        self.reconnects = 0
        """Times the display came back after a failure."""
        self._problem = ""
        self._next_try = 0.0  # time.monotonic() of the next attempt to open

    def open(self) -> RetryingSink:
        self._next_try = time.monotonic() + self.retry_s
        try:
            self.sink = self.opener()
        except (OSError, UserError) as e:
            self._fail(e)
        return self

    def show(self, frame: np.ndarray) -> int:
        if self.sink is None and time.monotonic() >= self._next_try:
            self.open()
        if self.sink is None:
            raise FrameDropped(self._problem)
        try:
            key = self.sink.show(frame)
        except (OSError, UserError) as e:
            self._fail(e)
            raise FrameDropped(self._problem) from None
        if self._problem:
            log.info("display is back")
            self._problem = ""
            self.reconnects += 1
        return key

    def status(self) -> SourceStatus:
        return SourceStatus(not self._problem, self._problem)

    def close(self) -> None:
        if self.sink is not None:
            self.sink.close()
            self.sink = None

    def _fail(self, error: Exception) -> None:
        problem = f"display offline: {error}"
        if problem != self._problem:
            log.warning("%s; retrying every %g s", problem, self.retry_s)
        self._problem = problem
        self._next_try = time.monotonic() + self.retry_s
        self.close()


def _opener(uri: Uri, fps: float, fullscreen: bool) -> Callable[[], FrameOutput]:
    """What opens ``uri``'s device; its URI parameters are read (and checked) now."""
    if uri.scheme == "display":
        from edge_vdialog.media.window import open_window
        full = uri.flag("fullscreen", fullscreen)
        return lambda: open_window(uri, full)
    if uri.scheme == "fb":
        from edge_vdialog.media.framebuffer import FramebufferSink
        return lambda: FramebufferSink(uri.rest or "/dev/fb0", uri.params.get("sysfs"))
    if uri.scheme == "file":
        rate = uri.number("fps", fps)
        return lambda: VideoFileSink(uri.rest, rate)
    every = uri.number("every", 1.0)
    return lambda: PngSink(uri.rest or ".", every)


def open_sink(text: str, fps: float = 30.0, fullscreen: bool = True,
              retry_s: float = RETRY_S) -> FrameSink:
    """The sink for ``text``, opened (or offline and retrying); unknown schemes raise UserError."""
    uri = parse_uri(text, "display", SCHEMES)
    if uri.scheme == "null":
        return NullSink()
    return RetryingSink(_opener(uri, fps, fullscreen), retry_s).open()
