"""/healthz and /metrics scraped over 127.0.0.1 from a live process."""

from __future__ import annotations

import json
import signal
import time
import urllib.error
import urllib.request

from service_helpers import service_env, start_heartbeat_app


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def wait_status(url: str, code: int, timeout: float = 15.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        got, body = get(url)
        if got == code or time.monotonic() > deadline:
            assert got == code, body
            return json.loads(body)
        time.sleep(0.05)


def wait_metrics(url: str, line: str, timeout: float = 15.0) -> tuple[int, str]:
    """Scrape until ``line`` shows (the render loop's first tick sets the fps)."""
    deadline = time.monotonic() + timeout
    code, text = get(url)
    while line not in text and time.monotonic() < deadline:
        time.sleep(0.05)
        code, text = get(url)
    assert line in text, text
    return code, text


def read_port(proc) -> int:
    for line in proc.stdout:
        if line.startswith("port "):
            return int(line.split()[1])
    raise AssertionError("the app never printed its port")


def test_healthz_follows_camera_and_worker_and_metrics_scrape():
    env = service_env(EDGE_VDIALOG__METRICS__ENABLED="true", EDGE_VDIALOG__METRICS__PORT="0",
                      EDGE_VDIALOG__SERVICE__STALL_TIMEOUT_S="1.0",
                      EDGE_VDIALOG__ENGINES__PROVIDERS='["cpu"]')
    proc = start_heartbeat_app(env)
    try:
        base = f"http://127.0.0.1:{read_port(proc)}"
        healthy = wait_status(base + "/healthz", 200)
        assert healthy["status"] == "ok" and healthy["reasons"] == []

        proc.send_signal(signal.SIGUSR2)  # camera goes offline
        offline = wait_status(base + "/healthz", 503)
        assert offline["reasons"] == ["camera offline: test://"]
        proc.send_signal(signal.SIGUSR2)  # and comes back
        assert wait_status(base + "/healthz", 200)["status"] == "ok"

        code, metrics = wait_metrics(base + "/metrics", "edge_vdialog_display_fps 30.0")
        assert code == 200
        for line in ("edge_vdialog_healthy 1.0",
                     'edge_vdialog_backend{provider="CPUExecutionProvider"} 1.0',
                     'edge_vdialog_degraded{reason="camera"} 0.0',
                     "edge_vdialog_first_token_seconds_bucket", "edge_vdialog_resident_memory_bytes"):
            assert line in metrics, line
        assert get(base + "/nope")[0] == 404

        proc.send_signal(signal.SIGUSR1)  # the worker hangs
        stalled = wait_status(base + "/healthz", 503)
        assert any(r.startswith("worker stalled") for r in stalled["reasons"])
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
