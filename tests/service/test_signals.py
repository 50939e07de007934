"""A hang-up (SIGHUP) stops the kiosk as cleanly as SIGTERM: exit 0, a playable file:// video."""

from __future__ import annotations

import signal

import cv2
from service_helpers import Kiosk, service_env


def test_sighup_stops_cleanly_and_the_video_is_playable(tmp_path):
    video = tmp_path / "out.mp4"
    kiosk = Kiosk(["--camera", "test://", "--mic", "none", "--display", f"file://{video}"],
                  service_env(EDGE_VDIALOG__ENGINES__PROVIDERS='["cpu"]'))
    try:
        kiosk.wait_line(r"ready: ")
        kiosk.type("hello there")
        kiosk.wait_line(r"turn 1: first token on screen")
        kiosk.proc.send_signal(signal.SIGHUP)
        assert kiosk.proc.wait(timeout=20) == 0, kiosk.output()
    finally:
        kiosk.close()
    capture = cv2.VideoCapture(str(video))
    ok, frame = capture.read()
    frames = capture.get(cv2.CAP_PROP_FRAME_COUNT)
    capture.release()
    assert ok and frame.shape[:2] == (720, 1280) and frames > 1, f"{frames} frames"
