"""Shared live state of a running kiosk: the app writes it, health/metrics/sd_notify read it.

Thread-safe. Metrics live in the instance's own :class:`prometheus_client.CollectorRegistry`
(``t.registry``), so several instances (tests) never collide in the global registry.

Liveness: every loop that must not hang calls ``t.beat(name)`` at least once a second, also
while idle (e.g. on each queue-poll timeout); ``t.stalled(max_age_s, required=("render",
"worker"))`` lists the loops that have been silent too long, and the service stops feeding the
systemd watchdog while that list is non-empty.
"""

from __future__ import annotations

import os
import resource
import threading
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

VISITOR_WORDS = "edge_vdialog.visitor"
"""The logger of what visitors say (typed, or heard by speech recognition): silent unless
``[logging] visitor_words`` (:func:`edge_vdialog.service.logs.setup_logging`)."""

FIRST_TOKEN_BUCKETS = (0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0)
"""Seconds from end of input to the first reply token on screen."""
IMAGE_BUCKETS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 1.0, 2.0, 5.0, 10.0)
"""Seconds from end of input to the generated image on screen."""
TOKENS_PER_S_BUCKETS = (5, 10, 20, 40, 60, 80, 100, 150, 200, 400)


def resident_memory_bytes() -> int:
    """Current resident set size of this process (peak RSS where /proc is absent)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class Telemetry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._state = "starting"
        self._fps = 0.0
        self._backend = ""
        self._degraded: dict[str, str] = {}
        self._beats: dict[str, float] = {}  # name -> time.monotonic() of the last beat
        self._last: dict[str, float] = {}   # last first_token_s, image_s, tokens_per_s
        self._turns = 0
        self._errors: dict[str, int] = {}
        self._reconnects: dict[str, int] = {}
        self.registry = CollectorRegistry()
        self._metrics()

    def _metrics(self) -> None:
        r, p = self.registry, "edge_vdialog_"
        self._m_first = Histogram(p + "first_token_seconds", "End of input to first reply token "
                                  "on screen", buckets=FIRST_TOKEN_BUCKETS, registry=r)
        self._m_image = Histogram(p + "image_seconds", "End of input to generated image on screen",
                                  buckets=IMAGE_BUCKETS, registry=r)
        self._m_tps = Histogram(p + "decode_tokens_per_second", "Reply decode speed per turn",
                                buckets=TOKENS_PER_S_BUCKETS, registry=r)
        self._m_fps = Gauge(p + "display_fps", "Composed frames per second", registry=r)
        self._m_reconnects = Counter(p + "reconnects", "Media source reconnects", ["source"],
                                     registry=r)
        self._m_errors = Counter(p + "errors", "Errors by kind", ["kind"], registry=r)
        self._m_state = Gauge(p + "state", "1 for the current app state", ["state"], registry=r)
        self._m_backend = Gauge(p + "backend", "1 for the provider running inference",
                                ["provider"], registry=r)
        self._m_degraded = Gauge(p + "degraded", "1 while this reason applies", ["reason"],
                                 registry=r)
        Gauge(p + "healthy", "1 when nothing is degraded", registry=r).set_function(
            lambda: 0.0 if self.degraded() else 1.0)
        Gauge(p + "resident_memory_bytes", "Resident set size", registry=r).set_function(
            resident_memory_bytes)
        self._m_state.labels(self._state).set(1)

    def set_state(self, state: str) -> None:
        """The app state: starting, loading, idle, listening, thinking, answering, stopping."""
        with self._lock:
            if state != self._state:
                self._m_state.labels(self._state).set(0)
                self._m_state.labels(state).set(1)
                self._state = state

    def set_fps(self, fps: float) -> None:
        """Composed frames per second (frames/s)."""
        with self._lock:
            self._fps = float(fps)
            self._m_fps.set(self._fps)

    def set_backend(self, provider: str) -> None:
        """What actually runs inference, e.g. ``CPUExecutionProvider``."""
        with self._lock:
            if self._backend:
                self._m_backend.labels(self._backend).set(0)
            self._backend = provider
            self._m_backend.labels(provider).set(1)

    def beat(self, name: str) -> None:
        """Loop ``name`` (``render``, ``worker``, ...) is alive."""
        now = time.monotonic()
        with self._lock:
            self._beats[name] = now

    def stalled(self, max_age_s: float, required: tuple[str, ...] = ()) -> list[str]:
        """Loops silent for more than ``max_age_s`` seconds; ``required`` ones count from start."""
        now = time.monotonic()
        with self._lock:
            names = sorted(set(self._beats) | set(required))
            return [n for n in names if now - self._beats.get(n, self._started) > max_age_s]

    def set_degraded(self, key: str, message: str | None) -> None:
        """Mark ``key`` degraded with a one-line reason, or clear it with ``None``."""
        with self._lock:
            if message is None:
                self._degraded.pop(key, None)
            else:
                self._degraded[key] = message
            self._m_degraded.labels(key).set(0 if message is None else 1)

    def degraded(self) -> dict[str, str]:
        with self._lock:
            return dict(self._degraded)

    def observe_turn(self, first_token_s: float | None = None, image_s: float | None = None) -> None:
        """Latencies of one turn in seconds; call once per measured value (either may be None)."""
        with self._lock:
            if first_token_s is not None:
                self._turns += 1
                self._last["first_token_s"] = first_token_s
                self._m_first.observe(first_token_s)
            if image_s is not None:
                self._last["image_s"] = image_s
                self._m_image.observe(image_s)

    def observe_tokens_per_s(self, value: float) -> None:
        with self._lock:
            self._last["tokens_per_s"] = value
            self._m_tps.observe(value)

    def count_reconnect(self, source: str) -> None:
        with self._lock:
            self._reconnects[source] = self._reconnects.get(source, 0) + 1
            self._m_reconnects.labels(source).inc()

    def count_error(self, kind: str) -> None:
        with self._lock:
            self._errors[kind] = self._errors.get(kind, 0) + 1
            self._m_errors.labels(kind).inc()

    def snapshot(self) -> dict[str, Any]:
        """A consistent copy of everything, for /healthz, STATUS= and the status line."""
        now = time.monotonic()
        with self._lock:
            return {
                "state": self._state,
                "fps": self._fps,
                "backend": self._backend,
                "degraded": dict(self._degraded),
                "beat_age_s": {n: round(now - t, 3) for n, t in self._beats.items()},
                "turns": self._turns,
                "last": dict(self._last),
                "errors": dict(self._errors),
                "reconnects": dict(self._reconnects),
                "uptime_s": round(now - self._started, 3),
                "resident_memory_bytes": resident_memory_bytes(),
            }
