"""Openers for each camera scheme: each returns a :class:`Capture` or raises :class:`OSError`.

A ``Capture`` is one opened device; :class:`edge_vdialog.media.camera.CameraSource` runs it in a
thread and reopens it when it fails. SDK or build problems raise :class:`UserError` instead,
naming what to install; the source shows that on screen and keeps retrying too.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass

import cv2
import numpy as np

from edge_vdialog.errors import UserError
from edge_vdialog.interfaces import Capture
from edge_vdialog.media.opencv_build import has_gstreamer
from edge_vdialog.media.uri import Uri

NETWORK_TIMEOUT_S = 10.0
"""A network camera that does not answer for this long, opening or reading, counts as lost,
seconds (OpenCV's own default is 30 s)."""


@dataclass(frozen=True)
class Request:
    """What the kiosk asks of a camera; URI parameters (``?fps=``) override it."""

    width: int
    """Pixels."""
    height: int
    """Pixels."""
    fps: int
    """Frames per second."""
    loop: bool
    """Files start over at their end."""
    timeout_s: float = NETWORK_TIMEOUT_S
    """Network streams: longest wait for an answer, seconds."""


class Pacer:
    """Sleeps so that successive calls happen at most ``fps`` times a second."""

    def __init__(self, fps: float) -> None:
        self.period = 1.0 / fps if fps > 0 else 0.0  # seconds
        self._next = time.monotonic()

    def wait(self) -> None:
        self._next = max(self._next + self.period, time.monotonic() - self.period)
        delay = self._next - time.monotonic()
        if delay > 0:
            time.sleep(delay)


class CvCapture:
    """An OpenCV ``VideoCapture``; files are paced to their frame rate and may loop."""

    def __init__(self, cap: cv2.VideoCapture, pace_fps: float = 0.0, loop: bool = False) -> None:
        self.cap = cap
        self.loop = loop
        self.pacer = Pacer(pace_fps) if pace_fps > 0 else None

    def read(self) -> np.ndarray | None:
        ok, image = self.cap.read()
        if not ok and self.loop:
            self.cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, image = self.cap.read()
        if self.pacer:
            self.pacer.wait()
        return image if ok and image is not None else None

    def close(self) -> None:
        self.cap.release()


class TestPattern:
    """A synthetic moving pattern: colour bars, a bouncing disc and a frame counter."""

    def __init__(self, width: int, height: int, fps: float) -> None:
        self.size = (width, height)
        self.pacer = Pacer(fps)
        x = np.linspace(0, 255, width, dtype=np.float32)
        y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
        self.base = np.dstack([np.broadcast_to(x, (height, width)),
                               np.broadcast_to(y, (height, width)),
                               np.full((height, width), 96, np.float32)]).astype(np.uint8)
        self.n = 0

    def read(self) -> np.ndarray:
        w, h = self.size
        image = np.roll(self.base, self.n * 4, axis=1)
        cx = int((0.5 + 0.4 * np.sin(self.n / 20)) * w)
        cy = int((0.5 + 0.4 * np.cos(self.n / 27)) * h)
        cv2.circle(image, (cx, cy), max(4, h // 8), (255, 255, 255), -1)
        cv2.putText(image, f"test {self.n}", (8, h - 10), cv2.FONT_HERSHEY_SIMPLEX, h / 480,
                    (0, 0, 0), max(1, h // 240))
        self.n += 1
        self.pacer.wait()
        return image

    def close(self) -> None:
        pass


def _video_capture(target: str | int, api: int, what: str,
                   params: tuple[int, ...] = ()) -> cv2.VideoCapture:
    cap = cv2.VideoCapture(target, api, list(params))
    if not cap.isOpened():
        cap.release()
        raise OSError(f"cannot open {what}")
    return cap


def _request(cap: cv2.VideoCapture, req: Request) -> cv2.VideoCapture:
    cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG"))  # USB cameras: 720p needs MJPG
    cap.set(cv2.CAP_PROP_FRAME_WIDTH, req.width)
    cap.set(cv2.CAP_PROP_FRAME_HEIGHT, req.height)
    cap.set(cv2.CAP_PROP_FPS, req.fps)
    cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not a queue of old ones
    return cap


def open_v4l2(uri: Uri, req: Request) -> Capture:
    target: str | int = int(uri.rest) if uri.rest.isdigit() else uri.rest or "/dev/video0"
    if isinstance(target, str) and not os.path.exists(target):
        raise OSError(f"camera {target} does not exist (unplugged?)")
    api = cv2.CAP_V4L2 if sys.platform.startswith("linux") else cv2.CAP_ANY
    return CvCapture(_request(_video_capture(target, api, f"camera {target}"), req))


def gstreamer_pipeline(sensor: int, width: int, height: int, fps: int) -> str:
    """Jetson CSI camera -> BGR frames for OpenCV's appsink."""
    return (f"nvarguscamerasrc sensor-id={sensor} ! video/x-raw(memory:NVMM), width={width}, "
            f"height={height}, framerate={fps}/1, format=NV12 ! nvvidconv ! video/x-raw, "
            "format=BGRx ! videoconvert ! video/x-raw, format=BGR ! appsink drop=true max-buffers=1")


def open_csi(uri: Uri, req: Request) -> Capture:
    if not has_gstreamer():
        raise UserError(f"{uri.text}: this OpenCV ({cv2.__version__}) was built without GStreamer",
                        "on a Jetson use JetPack's OpenCV (python3-opencv, venv with "
                        "--system-site-packages) or use v4l2:///dev/video0")
    sensor = int(uri.rest or 0)
    pipeline = gstreamer_pipeline(sensor, req.width, req.height, req.fps)
    return CvCapture(_video_capture(pipeline, cv2.CAP_GSTREAMER, f"CSI camera {sensor}"))


def open_rtsp(uri: Uri, req: Request) -> Capture:
    os.environ.setdefault("OPENCV_FFMPEG_CAPTURE_OPTIONS", "rtsp_transport;tcp")
    ms = round(req.timeout_s * 1000)
    timeouts = (cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, ms)
    return CvCapture(_video_capture(uri.text, cv2.CAP_FFMPEG, f"stream {uri.text}", timeouts))


def open_file(uri: Uri, req: Request) -> Capture:
    path = uri.rest
    if not os.path.isfile(path):
        raise OSError(f"video file {path} does not exist")
    cap = _video_capture(path, cv2.CAP_ANY, f"video file {path}")
    rate = cap.get(cv2.CAP_PROP_FPS) or req.fps
    return CvCapture(cap, pace_fps=uri.number("fps", rate), loop=uri.flag("loop", req.loop))


def open_test(uri: Uri, req: Request) -> Capture:
    return TestPattern(int(uri.number("width", req.width)), int(uri.number("height", req.height)),
                       uri.number("fps", req.fps))


def open_picam(uri: Uri, req: Request) -> Capture:
    try:
        from picamera2 import Picamera2
    except ImportError as e:
        raise UserError(f"{uri.text} needs picamera2 ({e})",
                        "on Raspberry Pi OS: apt install python3-picamera2, or pip install "
                        "'edge-vdialog[picamera]'; elsewhere use v4l2:///dev/video0") from None
    index = int(uri.rest or 0)
    try:
        return PiCapture(Picamera2(index), req.width, req.height)
    except (IndexError, RuntimeError) as e:  # no camera at that index, or it is busy
        raise OSError(f"Pi camera {index} is not available ({e})") from None


class PiCapture:
    def __init__(self, cam, width: int, height: int) -> None:
        # picamera2's "RGB888" is stored B, G, R: what OpenCV expects
        cam.configure(cam.create_video_configuration(main={"size": (width, height),
                                                            "format": "RGB888"}))
        cam.start()
        self.cam = cam

    def read(self) -> np.ndarray | None:
        return self.cam.capture_array()

    def close(self) -> None:
        self.cam.close()


OPENERS = {
    "v4l2": open_v4l2, "": open_v4l2, "csi": open_csi, "picam": open_picam, "rtsp": open_rtsp,
    "file": open_file, "test": open_test,
}
SCHEMES = {
    "v4l2": "v4l2:///dev/video0", "": "0 (USB camera index)", "csi": "csi://0",
    "picam": "picam://0", "rtsp": "rtsp://host/stream", "file": "file://video.mp4?loop=1",
    "test": "test://", "none": "none",
}
