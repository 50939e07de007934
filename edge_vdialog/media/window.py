"""A fullscreen window on an X display (``display://0``), drawn by a child process.

OpenCV's window toolkit (Qt) ends the whole process when its X connection breaks ("The X11
connection broke"). The connection therefore lives in a child: when X dies, only the child
ends, :meth:`WindowProcess.show` raises OSError, and the display sink reopens a window once X
answers again. Frames go to the child over a pipe, one at a time: while it is still drawing
the previous one, a new frame is dropped (:class:`FrameDropped`), never queued, so the render
loop never waits on the X server.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import time
from multiprocessing.connection import Connection

import cv2
import numpy as np

from edge_vdialog.errors import UserError
from edge_vdialog.media.opencv_build import has_gui
from edge_vdialog.media.status import FrameDropped
from edge_vdialog.media.uri import Uri

TITLE = "edge-vdialog"
HEADLESS = "fb:///dev/fb0, file://out.mp4, png://DIR or null://"
UNRESPONSIVE_S = 10.0
"""A window process that has not finished a frame (or started) for this long is lost, seconds."""


class WindowProcess:
    """The kiosk side of the window: ``show`` hands a frame to the child, ``close`` ends it."""

    def __init__(self, display: str, fullscreen: bool) -> None:
        self.display = display
        """X display name, e.g. ``:0``."""
        self.fullscreen = fullscreen
        self.shown = 0
        """Frames the child has put on screen."""
        self._key = -1
        self._busy_since: float | None = None  # time.monotonic() the child got work, None: idle
        self._conn: Connection | None = None
        self._proc: multiprocessing.process.BaseProcess | None = None

    def start(self) -> WindowProcess:
        ctx = multiprocessing.get_context("spawn")  # no fork: the kiosk has threads and sessions
        self._conn, child_end = ctx.Pipe()
        self._proc = ctx.Process(target=serve, args=(child_end, self.display, self.fullscreen),
                                 name="window", daemon=True)
        self._proc.start()
        child_end.close()
        self._busy_since = time.monotonic()  # until the child reports its window is open
        return self

    def show(self, frame: np.ndarray) -> int:
        """Hand over one HxWx3 uint8 BGR frame; the key pressed since the last call, -1 if none.
        FrameDropped while the child is busy; OSError when it is gone (X server died)."""
        self._collect()
        if self._busy_since is not None:
            raise FrameDropped("the window is still drawing the previous frame")
        frame = np.ascontiguousarray(frame, np.uint8)
        self._conn.send(frame.shape)
        self._conn.send_bytes(frame.reshape(-1))  # one flat buffer: the bytes, not the rows
        self._busy_since = time.monotonic()
        key, self._key = self._key, -1
        return key

    def close(self) -> None:
        self._conn.close()  # the child sees the end of the pipe and closes its window
        self._proc.join(2.0)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join(2.0)

    def _collect(self) -> None:
        """Take the child's answers (one key per frame drawn); OSError when it is gone or hung."""
        try:
            while self._conn.poll():
                key = self._conn.recv()  # None: the window opened; a key: a frame is on screen
                self._busy_since = None
                if key is not None:
                    self.shown += 1
                    self._key = key if key != -1 else self._key
        except (EOFError, OSError):
            self._proc.join(1.0)
            raise OSError(f"the window on X display {self.display} closed (X server gone?; "
                          f"window process exit code {self._proc.exitcode})") from None
        if self._busy_since is not None and time.monotonic() - self._busy_since > UNRESPONSIVE_S:
            raise OSError(f"the window on X display {self.display} stopped responding")


def serve(conn: Connection, display: str, fullscreen: bool) -> None:
    """The child: open the window, then draw each frame received and answer with the key
    pressed (-1: none, 27 when the window was closed); ends when the kiosk closes the pipe."""
    os.environ["DISPLAY"] = display
    cv2.namedWindow(TITLE, cv2.WINDOW_NORMAL)
    if fullscreen:
        cv2.setWindowProperty(TITLE, cv2.WND_PROP_FULLSCREEN, cv2.WINDOW_FULLSCREEN)
    conn.send(None)  # open: ready for frames
    sized = False
    while True:
        try:
            shape = conn.recv()
            image = np.frombuffer(conn.recv_bytes(), np.uint8).reshape(shape)
        except EOFError:
            break
        if not sized:  # a bare X server (no window manager) ignores "fullscreen"
            cv2.resizeWindow(TITLE, shape[1], shape[0])
            cv2.moveWindow(TITLE, 0, 0)
            sized = True
        cv2.imshow(TITLE, image)
        key = cv2.waitKey(1)
        conn.send(27 if cv2.getWindowProperty(TITLE, cv2.WND_PROP_VISIBLE) < 1 else key)
    cv2.destroyAllWindows()


def open_window(uri: Uri, fullscreen: bool) -> WindowProcess:
    """A started window on the X display for ``uri``; UserError while no X server answers."""
    return WindowProcess(x_display(uri), fullscreen).start()


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
    if not has_gui():
        raise UserError(f"this OpenCV ({cv2.__version__}) has no window support",
                        f"install opencv-python (not -headless), or use {HEADLESS}")
    return name

