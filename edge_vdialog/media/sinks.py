"""Display sinks by URI: where composed frames go.

``display://0`` a fullscreen OpenCV window on ``$DISPLAY`` (``:0`` when unset; while no X server
answers, the kiosk runs on with the display marked offline and retries);
``fb:///dev/fb0`` the Linux framebuffer, for boards without an X server;
``file://out.mp4`` a video (``?fps=30``); ``png://DIR`` snapshots (``?every=1`` seconds);
``null://`` nowhere. ``sink.show(frame)`` returns a key pressed in the window (-1: none).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from edge_vdialog.errors import UserError
from edge_vdialog.media.status import SourceStatus
from edge_vdialog.media.uri import Uri, parse_uri

log = logging.getLogger(__name__)

SCHEMES = {"display": "display://0", "fb": "fb:///dev/fb0", "file": "file://out.mp4",
           "png": "png://DIR", "null": "null://"}
HEADLESS = "fb:///dev/fb0, file://out.mp4, png://DIR or null://"


class Sink(Protocol):
    def show(self, frame: np.ndarray) -> int:
        """Output one HxWx3 uint8 BGR frame; the key pressed meanwhile, -1 when none."""
        ...

    def close(self) -> None: ...


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
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            fourcc = "MJPG" if self.path.lower().endswith(".avi") else "mp4v"
            h, w = frame.shape[:2]
            self.writer = cv2.VideoWriter(self.path, cv2.VideoWriter_fourcc(*fourcc), self.fps, (w, h))
            if not self.writer.isOpened():
                raise UserError(f"cannot write video {self.path}", "use a .mp4 or .avi path "
                                "in a writable directory")
        self.writer.write(frame)
        return -1

    def close(self) -> None:
        if self.writer is not None:
            self.writer.release()


class PngSink:
    """A PNG snapshot every ``every_s`` seconds: DIR/frame_000001.png, ..."""

    def __init__(self, directory: str, every_s: float) -> None:
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.every_s = every_s
        self._next = 0.0  # time.monotonic() of the next snapshot
        self.count = 0

    def show(self, frame: np.ndarray) -> int:
        now = time.monotonic()
        if now >= self._next:
            self._next = now + self.every_s
            self.count += 1
            cv2.imwrite(str(self.dir / f"frame_{self.count:06d}.png"), frame)
        return -1

    def close(self) -> None:
        pass


class WindowSink:
    """A fullscreen OpenCV window (HDMI kiosk)."""

    TITLE = "edge-vdialog"

    def __init__(self, fullscreen: bool) -> None:
        cv2.namedWindow(self.TITLE, cv2.WINDOW_NORMAL)
        if fullscreen:
            cv2.setWindowProperty(self.TITLE, cv2.WND_PROP_FULLSCREEN, cv2.WINDOW_FULLSCREEN)
        self.sized = False

    def show(self, frame: np.ndarray) -> int:
        if not self.sized:  # a bare X server (no window manager) ignores "fullscreen"
            cv2.resizeWindow(self.TITLE, frame.shape[1], frame.shape[0])
            cv2.moveWindow(self.TITLE, 0, 0)
            self.sized = True
        cv2.imshow(self.TITLE, frame)
        key = cv2.waitKey(1)
        if cv2.getWindowProperty(self.TITLE, cv2.WND_PROP_VISIBLE) < 1:
            return 27  # the window was closed: like Esc
        return key

    def close(self) -> None:
        cv2.destroyAllWindows()


class RetryingWindow:
    """A window that waits for its X display: frames are dropped and the display is retried
    every ``retry_s`` seconds until it answers; ``status()`` says why there is no window."""

    def __init__(self, uri: Uri, fullscreen: bool, retry_s: float = 5.0) -> None:
        self.uri, self.fullscreen, self.retry_s = uri, fullscreen, retry_s
        self.window: WindowSink | None = None
        self._problem, self._next_try = "", 0.0
        self._try_open()

    def _try_open(self) -> None:
        self._next_try = time.monotonic() + self.retry_s
        try:
            os.environ["DISPLAY"] = x_display(self.uri)
        except UserError as e:
            if str(e) != self._problem:
                log.warning("%s; retrying every %g s", e, self.retry_s)
            self._problem = str(e)
            return
        self.window, self._problem = WindowSink(self.fullscreen), ""

    def show(self, frame: np.ndarray) -> int:
        if self.window is None and time.monotonic() >= self._next_try:
            self._try_open()
        return self.window.show(frame) if self.window else -1

    def status(self) -> SourceStatus:
        return SourceStatus(not self._problem, self._problem)

    def close(self) -> None:
        if self.window:
            self.window.close()


def x_display(uri: Uri) -> str:
    """The X display to use and a check that it answers; UserError naming headless sinks if not."""
    name = os.environ.get("DISPLAY") or f":{uri.rest or 0}"
    host, _, number = name.rpartition(":")
    number = number.split(".")[0]
    try:
        with socket.socket(socket.AF_UNIX if not host else socket.AF_INET) as s:
            s.settimeout(1.0)
            s.connect(f"/tmp/.X11-unix/X{number}" if not host else (host, 6000 + int(number)))
    except (OSError, ValueError):
        raise UserError(f"no display: cannot reach X display {name} for {uri.text}",
                        f"start X (or set DISPLAY), or use a headless sink: {HEADLESS}") from None
    if "NONE" in _gui_line():
        raise UserError(f"this OpenCV ({cv2.__version__}) has no window support",
                        f"install opencv-python (not -headless), or use {HEADLESS}")
    return name


def _gui_line() -> str:
    return next((line for line in cv2.getBuildInformation().splitlines()
                 if line.strip().startswith("GUI:")), "")


def open_sink(text: str, fps: float = 30.0, fullscreen: bool = True) -> Sink:
    uri = parse_uri(text, "display", SCHEMES)
    if uri.scheme == "display":
        return RetryingWindow(uri, uri.flag("fullscreen", fullscreen))
    if uri.scheme == "fb":
        from edge_vdialog.media.framebuffer import FramebufferSink
        return FramebufferSink(uri.rest or "/dev/fb0", uri.params.get("sysfs"))
    if uri.scheme == "file":
        return VideoFileSink(uri.rest, uri.number("fps", fps))
    if uri.scheme == "png":
        return PngSink(uri.rest or ".", uri.number("every", 1.0))
    return NullSink()
