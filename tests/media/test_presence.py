"""Presence: OpenCV's bundled Haar face cascade on real frames from a real video file."""

from __future__ import annotations

import os

import numpy as np
import pytest

from edge_vdialog.media.camera import open_camera
from edge_vdialog.media.presence import FaceDetector, Presence
from tests.standins import EMOJI_FONT, face_image, wait_for, write_video

needs_emoji = pytest.mark.skipif(not os.path.exists(EMOJI_FONT),
                                 reason="needs Debian fonts-noto-color-emoji for a face picture")


@needs_emoji
def test_detector_finds_a_face_and_not_in_an_empty_frame():
    detector = FaceDetector()
    assert detector.count(face_image((640, 480))) >= 1
    assert detector.count(np.full((480, 640, 3), 128, np.uint8)) == 0


@needs_emoji
def test_somebody_arrives_in_front_of_the_camera(tmp_path):
    video = write_video(tmp_path / "face.mp4", frames=10, size=(320, 240), face=True)
    cam = open_camera(f"file://{video}").start()
    presence = Presence(cam, FaceDetector(), rate_hz=20, absent_after_s=5)
    try:
        assert not presence.present()
        presence.start()
        assert wait_for(lambda: presence.present())
        assert presence.arrivals == 1
    finally:
        presence.close()
        cam.close()


def test_nobody_in_a_pattern(tmp_path):
    cam = open_camera("test://?width=320&height=180").start()
    presence = Presence(cam, FaceDetector(), rate_hz=20)
    try:
        assert wait_for(lambda: cam.latest() is not None)
        for _ in range(3):
            presence.check()
        assert not presence.present() and presence.arrivals == 0
    finally:
        cam.close()
