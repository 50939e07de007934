"""/healthz and /metrics scraped over 127.0.0.1 while a headless kiosk session runs."""

from __future__ import annotations

import json
import shutil
import signal
import time
import urllib.error
import urllib.request

import cv2
import numpy as np
from service_helpers import Kiosk, service_env


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def wait_status(url: str, code: int, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        got, body = get(url)
        if got == code or time.monotonic() > deadline:
            assert got == code, body
            return json.loads(body)
        time.sleep(0.05)


def wait_metrics(url: str, line: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    text = get(url)[1]
    while line not in text and time.monotonic() < deadline:
        time.sleep(0.05)
        text = get(url)[1]
    assert line in text, text
    return text


def write_clip(path, frames: int = 60) -> None:
    """A 2 s, 64x48 MJPG clip at 30 fps: the "camera" plays it once per connection."""
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (64, 48))
    for i in range(frames):
        out.write(np.full((48, 64, 3), (i * 4) % 256, np.uint8))
    out.release()


def test_healthz_and_metrics_during_a_session(tmp_path):
    clip, spare = tmp_path / "camera.avi", tmp_path / "spare.avi"
    write_clip(spare)
    shutil.copy(spare, clip)
    env = service_env(EDGE_VDIALOG__METRICS__ENABLED="true", EDGE_VDIALOG__METRICS__PORT="0",
                      EDGE_VDIALOG__SERVICE__STALL_TIMEOUT_S="1.0",
                      EDGE_VDIALOG__CAMERA__RECONNECT_MIN_S="0.1",
                      EDGE_VDIALOG__CAMERA__RECONNECT_MAX_S="0.2",
                      EDGE_VDIALOG__ENGINES__PROVIDERS='["cpu"]')
    kiosk = Kiosk(["--camera", f"file://{clip}?loop=0", "--mic", "none", "--display", "null://"], env)
    try:
        base = kiosk.wait_line(r"health and metrics on (http://127\.0\.0\.1:\d+)/healthz").group(1)
        assert wait_status(base + "/healthz", 200)["status"] == "ok"

        clip.unlink()  # unplugged: the clip plays out, then reopening fails
        offline = wait_status(base + "/healthz", 503)
        assert any(r.startswith("camera offline") for r in offline["reasons"]), offline
        shutil.copy(spare, clip)  # plugged back in
        assert wait_status(base + "/healthz", 200)["status"] == "ok"

        kiosk.type("hello there")
        kiosk.wait_line(r"turn 1: first token on screen")
        metrics = wait_metrics(base + "/metrics", "edge_vdialog_image_seconds_count 1.0")
        for line in ("edge_vdialog_first_token_seconds_count ",
                     "# TYPE edge_vdialog_decode_tokens_per_second histogram",'edge_vdialog_reconnects_total{source="camera"}', "edge_vdialog_display_fps ",
                     'edge_vdialog_backend{provider="CPUExecutionProvider"} 1.0',
                     'edge_vdialog_degraded{reason="camera"}', "edge_vdialog_resident_memory_bytes "):
            assert line in metrics, line
        assert get(base + "/nope")[0] == 404

        kiosk.type("please hang")  # the dialogue worker hangs
        stalled = wait_status(base + "/healthz", 503)
        assert any(r.startswith("worker stalled") for r in stalled["reasons"]), stalled
        kiosk.proc.send_signal(signal.SIGTERM)
        assert kiosk.proc.wait(timeout=5) == 0
    finally:
        kiosk.close()
