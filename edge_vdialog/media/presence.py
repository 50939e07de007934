"""Is somebody in front of the camera? OpenCV's bundled Haar face cascade, a few times a second.

Faces are searched on a grey, downscaled copy of the newest frame (``width`` pixels wide), so one
check costs a few milliseconds. Somebody counts as present from the first face until nobody has
been seen for ``absent_after_s``.
"""

from __future__ import annotations

import logging
import time

import cv2
import numpy as np

from edge_vdialog.errors import UserError
from edge_vdialog.media.camera import CameraSource
from edge_vdialog.threads import Background

log = logging.getLogger(__name__)
CASCADE = "haarcascade_frontalface_default.xml"


class FaceDetector:
    def __init__(self, width: int = 320) -> None:
        self.width = width
        """Frames are downscaled to this width before the search, pixels."""
        data = getattr(cv2, "data", None)
        if data is None or not hasattr(cv2, "CascadeClassifier"):
            raise UserError(f"OpenCV {cv2.__version__} ships no Haar cascades",
                            "install opencv-python<5 (4.x bundles them)")
        self.cascade = cv2.CascadeClassifier(data.haarcascades + CASCADE)

    def count(self, image: np.ndarray) -> int:
        """Faces in an HxWx3 BGR frame."""
        h, w = image.shape[:2]
        scale = min(1.0, self.width / w)
        small = cv2.resize(image, (round(w * scale), round(h * scale)),
                           interpolation=cv2.INTER_AREA)
        grey = cv2.equalizeHist(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY))
        faces = self.cascade.detectMultiScale(grey, scaleFactor=1.2, minNeighbors=4,
                                              minSize=(24, 24))
        return len(faces)


class Presence(Background):
    def __init__(self, camera: CameraSource, detector: FaceDetector, rate_hz: float = 4.0,
                 absent_after_s: float = 30.0) -> None:
        # a face found 250 ms later matters less than a smooth screen
        super().__init__("presence", nice=10)
        self.camera = camera
        self.detector = detector
        self.period = 1.0 / rate_hz  # seconds between checks
        self.absent_after_s = absent_after_s
        self._last_seen = -float("inf")  # time.monotonic() of the last face
        self._seq = 0
        self.arrivals = 0
        """Times somebody appeared after nobody was there."""

    def present(self) -> bool:
        return time.monotonic() - self._last_seen < self.absent_after_s

    def check(self) -> None:
        """Look at the newest frame once (the thread does this ``rate_hz`` times a second)."""
        frame = self.camera.latest()
        if frame is None or frame.seq == self._seq:
            return
        self._seq = frame.seq
        if self.detector.count(frame.image):
            if not self.present():
                self.arrivals += 1
                log.info("somebody arrived")
            self._last_seen = time.monotonic()

    def run(self) -> None:
        while not self.closing.wait(self.period):
            self.check()
