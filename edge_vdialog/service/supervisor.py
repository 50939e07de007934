"""What the kiosk tells systemd and the fleet: READY, STATUS, watchdog pings, health.

The app calls, in this order::

    handle = start_service(settings, telemetry)   # before loading models
    ...load and warm up models, start the render loop and inference worker...
    handle.ready()                                # READY=1
    ...on SIGTERM: handle.stopping() at once (STOPPING=1), shut down, then handle.stop()

The render loop and the inference worker call ``telemetry.beat("render")`` /
``telemetry.beat("worker")`` at least once a second, idle or not. After ``ready()`` a
``WATCHDOG=1`` ping goes out every ``WATCHDOG_USEC/2`` only while neither has been silent for
``[service] stall_timeout_s``; a hung worker thus stops the pings and systemd restarts the
process. Before ``ready()`` the pings go out unconditionally: start-up is bounded by the unit's
``TimeoutStartSec=`` instead.
"""

from __future__ import annotations

import logging
import threading
import time

from edge_vdialog.service.health import HealthServer, provider_fallback
from edge_vdialog.service.notify import Notifier, watchdog_interval_s
from edge_vdialog.settings import Settings
from edge_vdialog.telemetry import Telemetry
from edge_vdialog.threads import Background

log = logging.getLogger(__name__)

LOOPS = ("render", "worker")
"""Loops that must keep beating while the kiosk runs."""
STATUS_PERIOD_S = 2.0


class ServiceHandle(Background):
    def __init__(self, settings: Settings, telemetry: Telemetry,
                 notifier: Notifier | None = None) -> None:
        super().__init__("sd-notify")
        self.settings = settings
        self.telemetry = telemetry
        self.notifier = notifier or Notifier.from_env()
        self.watchdog_s = watchdog_interval_s() if settings.service.watchdog else None
        self.health: HealthServer | None = None
        self._ready = threading.Event()
        self._stopping_sent = False

    def start(self) -> ServiceHandle:
        m = self.settings.metrics
        if m.enabled:
            self.health = HealthServer(m.bind, m.port, self.telemetry, self.reasons).start()
        self.notifier.send(STATUS="loading models")
        return super().start()

    def ready(self) -> None:
        """Models are loaded and warmed up, loops are running."""
        self._ready.set()
        self.notifier.send(READY=1, STATUS=self.status())
        log.info("ready: %s", self.status())

    def stopping(self) -> None:
        """Tell systemd we are shutting down (idempotent; safe from a signal handler)."""
        if not self._stopping_sent:
            self._stopping_sent = True
            self.notifier.send(STOPPING=1, STATUS="stopping")

    def stop(self) -> None:
        self.stopping()
        self.close()
        if self.health:
            self.health.close()
        self.notifier.close()

    def reasons(self, stalled: list[str] | None = None) -> list[str]:
        """Why the kiosk is not healthy now (``stalled``: loops already found silent)."""
        if not self._ready.is_set():
            return ["starting: models are loading"]
        timeout = self.settings.service.stall_timeout_s
        stalled = self.telemetry.stalled(timeout, LOOPS) if stalled is None else stalled
        return list(self.telemetry.degraded().values()) + [
            f"{name} stalled: silent for more than {timeout:g} s" for name in stalled
        ] + self._fallback()

    def _fallback(self) -> list[str]:
        backend = self.telemetry.snapshot()["backend"]
        if "backend" in self.telemetry.degraded() or not backend:
            return []
        reason = provider_fallback(self.settings.engines, backend)
        return [reason] if reason else []

    def status(self, stalled: list[str] | None = None) -> str:
        s = self.telemetry.snapshot()
        text = f"{s['state']}, {s['fps']:.1f} fps" + (f", {s['backend']}" if s["backend"] else "")
        reasons = self.reasons(stalled) if self._ready.is_set() else []
        return text + (f"; degraded: {'; '.join(reasons)}" if reasons else "")

    def run(self) -> None:
        """STATUS every STATUS_PERIOD_S, WATCHDOG=1 every WATCHDOG_USEC/2 (both on their own clock)."""
        now = time.monotonic()
        next_status = now + STATUS_PERIOD_S
        next_ping = now + self.watchdog_s if self.watchdog_s else float("inf")
        stalled_before: list[str] = []
        while not self.closing.wait(max(0.0, min(next_status, next_ping) - time.monotonic())):
            now = time.monotonic()
            ping = now >= next_ping
            if ping:
                next_ping = max(next_ping + self.watchdog_s, now)  # no burst after a pause
            if now >= next_status:
                next_status = now + STATUS_PERIOD_S
            stalled_before = self._tick(stalled_before, ping)

    def _tick(self, stalled_before: list[str], ping: bool) -> list[str]:
        """One STATUS (once ready) and, when due and no loop is silent, one WATCHDOG=1."""
        ready = self._ready.is_set()
        stalled = self.telemetry.stalled(self.settings.service.stall_timeout_s, LOOPS) if ready else []
        if stalled != stalled_before:
            log.log(logging.ERROR if stalled else logging.INFO, "watchdog: %s",
                    f"{', '.join(stalled)} stalled; pings withheld" if stalled else "loops alive")
        fields: dict[str, object] = {"STATUS": self.status(stalled)} if ready else {}
        if ping and not stalled and not self._stopping_sent:
            fields["WATCHDOG"] = 1
        if fields:
            self.notifier.send(**fields)
        return stalled


def start_service(settings: Settings, telemetry: Telemetry) -> ServiceHandle:
    """Start the notifier loop and (when enabled) the health server; see the module doc."""
    return ServiceHandle(settings, telemetry).start()
