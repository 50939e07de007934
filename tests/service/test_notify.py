"""sd_notify against a real AF_UNIX datagram socket set as NOTIFY_SOCKET, with a live process."""

from __future__ import annotations

import signal
import statistics
import time

from service_helpers import Kiosk, NotifyListener, service_env

from edge_vdialog.service.notify import Notifier, watchdog_interval_s

WATCHDOG_USEC = 400_000  # systemd's WatchdogSec=0.4s: pings expected every 0.2 s


def test_abstract_socket_and_no_manager():
    listener = NotifyListener(f"@edge-vdialog-test-{time.monotonic_ns()}")
    try:
        assert Notifier(listener.address).send(READY=1, STATUS="two\nlines")
        i = listener.wait_for("READY", "1", timeout=5)
        assert listener.messages[i][1]["STATUS"] == "two lines"
    finally:
        listener.close()
    assert not Notifier.from_env({}).send(READY=1)  # outside systemd: a quiet no-op


def test_watchdog_interval_from_env():
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000"}) == 15.0
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}) is None
    assert watchdog_interval_s({}) is None


def test_ready_watchdog_hang_and_stop(notify_socket):
    env = service_env(NOTIFY_SOCKET=notify_socket.address, WATCHDOG_USEC=str(WATCHDOG_USEC),
                      EDGE_VDIALOG__SERVICE__STALL_TIMEOUT_S="3.0",  # a loaded machine's idle beat
                      EDGE_VDIALOG__ENGINES__PROVIDERS='["cpu"]')
    kiosk = Kiosk(["--camera", "test://", "--mic", "none", "--display", "null://"], env)
    try:
        # READY only once models are loaded and warmed up and the first frame is out
        loading = notify_socket.wait_for("STATUS", "loading models")
        ready = notify_socket.wait_for("READY", "1", after=loading)
        assert not [f for _, f in notify_socket.messages[:ready] if "READY" in f]
        status = notify_socket.messages[ready][1]["STATUS"]  # the backend is known once loaded
        assert status.endswith("CPUExecutionProvider") and not status.startswith("loading"), status

        # watchdog pings at WATCHDOG_USEC/2 while the render loop and the worker beat
        kiosk.type("hello there")
        kiosk.wait_line(r"turn 1: first token on screen")
        first = notify_socket.wait_for("WATCHDOG", "1", after=ready)
        notify_socket.wait_for("WATCHDOG", "1", after=first + 10)
        pings = [t for t, f in notify_socket.messages[first:] if "WATCHDOG" in f]
        gap = statistics.median(b - a for a, b in zip(pings, pings[1:]))
        assert WATCHDOG_USEC / 4e6 <= gap <= WATCHDOG_USEC / 1e6, gap

        # a turn that hangs the dialogue worker: "worker stalled", and no ping after it
        kiosk.type("please hang")
        stalled = notify_socket.wait_for("STATUS", "worker stalled", after=first)
        later = stalled
        for _ in range(5):  # five more ticks, each one when a ping was due: none may carry one
            later = notify_socket.wait_for("STATUS", "worker stalled", after=later + 1)
        assert not [f for _, f in notify_socket.messages[stalled:later + 1] if "WATCHDOG" in f]

        # SIGTERM: STOPPING=1, then a clean exit even with the worker hung (within the unit's
        # TimeoutStopSec=10 on an idle machine; the deadline here is generous for a loaded one)
        kiosk.proc.send_signal(signal.SIGTERM)
        notify_socket.wait_for("STOPPING", "1", after=stalled)
        assert kiosk.proc.wait(timeout=30) == 0
    finally:
        kiosk.close()
    assert "worker stalled; pings withheld" in kiosk.output()
