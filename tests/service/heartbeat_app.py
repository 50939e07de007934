"""A stand-in kiosk process for the service tests: real loops, real notifier, real health server.

Loads settings the way the app does (env vars), "warms up", then runs a render loop and an
inference worker that beat the Telemetry. Signals inject faults: SIGUSR1 hangs the worker for
good, SIGUSR2 toggles "camera offline". SIGTERM shuts down cleanly. Prints ``port N`` when the
health server listens.
"""

from __future__ import annotations

import signal
import threading
import time

from edge_vdialog.service import start_service
from edge_vdialog.service.logs import setup_logging
from edge_vdialog.settings import load_settings
from edge_vdialog.telemetry import Telemetry

WARM_UP_S = 0.3


def main() -> int:
    settings = load_settings()
    setup_logging(settings.logging)
    telemetry, stop, hang = Telemetry(), threading.Event(), threading.Event()
    handle = start_service(settings, telemetry)
    if handle.health:
        print(f"port {handle.health.port}", flush=True)

    def on_term(signum, frame):
        handle.stopping()
        stop.set()

    def toggle_camera(signum, frame):
        offline = "camera" not in telemetry.degraded()
        telemetry.set_degraded("camera", "camera offline: test://" if offline else None)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGUSR1, lambda s, f: hang.set())
    signal.signal(signal.SIGUSR2, toggle_camera)
    telemetry.set_state("loading")
    time.sleep(WARM_UP_S)  # stands in for loading and warming up the models
    telemetry.set_backend("CPUExecutionProvider")
    threads = [threading.Thread(target=render, args=(telemetry, stop), daemon=True),
               threading.Thread(target=worker, args=(telemetry, stop, hang), daemon=True)]
    for t in threads:
        t.start()
    telemetry.set_state("idle")
    handle.ready()
    while not stop.wait(0.1):  # poll: a signal caught by another thread only runs its handler
        pass                   # once the main thread wakes up
    for t in threads:
        t.join(timeout=1.0)
    handle.stop()
    return 0


def render(telemetry: Telemetry, stop: threading.Event) -> None:
    while not stop.wait(1 / 30):
        telemetry.beat("render")
        telemetry.set_fps(30.0)


def worker(telemetry: Telemetry, stop: threading.Event, hang: threading.Event) -> None:
    while not stop.wait(0.1):
        if hang.is_set():
            threading.Event().wait()  # hung for good, like a stuck inference call
        telemetry.beat("worker")


if __name__ == "__main__":
    raise SystemExit(main())
