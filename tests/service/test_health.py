"""/healthz and /metrics scraped over 127.0.0.1 while a headless kiosk session runs."""

from __future__ import annotations

import json
import select
import shutil
import signal
import socket
import struct
import threading
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


def wait_status(url: str, code: int, reason: str = "", timeout: float = 30.0) -> dict:
    """The first answer with ``code`` (and a reason starting with ``reason``)."""
    deadline = time.monotonic() + timeout
    while True:
        got, body = get(url)
        found = got == code and (not reason or any(r.startswith(reason)
                                                   for r in json.loads(body)["reasons"]))
        if found or time.monotonic() > deadline:
            assert found, body
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
                      EDGE_VDIALOG__SERVICE__STALL_TIMEOUT_S="3.0",  # a loaded machine's idle beat
                      EDGE_VDIALOG__CAMERA__RECONNECT_MIN_S="0.1",
                      EDGE_VDIALOG__CAMERA__RECONNECT_MAX_S="0.2",
                      EDGE_VDIALOG__ENGINES__PROVIDERS='["cpu"]')
    kiosk = Kiosk(["--camera", f"file://{clip}?loop=0", "--mic", "none", "--display", "null://"], env)
    try:
        base = kiosk.wait_line(r"health and metrics on (http://127\.0\.0\.1:\d+)/healthz").group(1)
        assert wait_status(base + "/healthz", 200)["status"] == "ok"

        clip.unlink()  # unplugged: the clip plays out, then reopening fails
        wait_status(base + "/healthz", 503, "camera offline")
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
        wait_status(base + "/healthz", 503, "worker stalled")
        kiosk.proc.send_signal(signal.SIGTERM)
        assert kiosk.proc.wait(timeout=5) == 0
    finally:
        kiosk.close()


def serve(telemetry, reasons=list):
    from edge_vdialog.service.health import HealthServer

    return HealthServer("127.0.0.1", 0, telemetry, reasons).start()


def test_idle_and_vanishing_clients_cost_no_threads_and_no_tracebacks(capfd):
    from edge_vdialog.service.health import CLIENT_TIMEOUT_S, MAX_CLIENTS
    from edge_vdialog.telemetry import Telemetry

    server = serve(Telemetry())
    base = f"http://127.0.0.1:{server.port}"
    try:
        idle = {socket.create_connection(("127.0.0.1", server.port)) for _ in range(3 * MAX_CLIENTS)}
        peak, deadline = 0, time.monotonic() + CLIENT_TIMEOUT_S + 30
        while idle and time.monotonic() < deadline:  # the server closes each: at once, or when silent
            peak = max(peak, sum("process_request" in t.name for t in threading.enumerate()))
            for s in select.select(list(idle), [], [], 0.1)[0]:
                assert s.recv(1) == b""
                idle.discard(s)
                s.close()
        assert not idle and 1 <= peak <= MAX_CLIENTS, (len(idle), peak)
        for _ in range(20):  # clients that reset the connection right after asking
            s = socket.create_connection(("127.0.0.1", server.port))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            s.close()
        assert wait_status(base + "/healthz", 200)["status"] == "ok"
    finally:
        server.close()
    assert "Traceback" not in capfd.readouterr().err


def test_default_providers_on_the_cpu_are_healthy_an_explicit_gpu_is_not():
    from edge_vdialog.service import ServiceHandle
    from edge_vdialog.service.notify import Notifier
    from edge_vdialog.settings import load_settings
    from edge_vdialog.telemetry import Telemetry

    def reasons(environ: dict[str, str]) -> list[str]:
        telemetry = Telemetry()
        telemetry.set_backend("CPUExecutionProvider")
        handle = ServiceHandle(load_settings(None, environ=environ), telemetry, Notifier(None))
        handle.ready()
        return handle.reasons()

    assert reasons({}) == []  # first available wins: a CPU-only machine is as configured
    asked = reasons({"EDGE_VDIALOG__ENGINES__PROVIDERS": '["cuda", "cpu"]'})
    assert asked == ["inference fell back to CPU (CPUExecutionProvider; configured: cuda, cpu)"]
