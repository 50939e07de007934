"""Reconnect delays that double from ``min_s`` up to ``max_s`` and reset after a success."""

from __future__ import annotations

import threading


class Backoff:
    def __init__(self, min_s: float, max_s: float) -> None:
        self.min_s = min_s
        """First delay, seconds."""
        self.max_s = max_s
        """Cap, seconds."""
        self._next = min_s

    def reset(self) -> None:
        self._next = self.min_s

    def next_delay(self) -> float:
        """The current delay, seconds; the one after it is doubled (up to ``max_s``)."""
        delay, self._next = self._next, min(self._next * 2, self.max_s)
        return delay

    def wait(self, stop: threading.Event) -> bool:
        """Sleep the current delay (or until ``stop``), then double it; True when stopped."""
        return stop.wait(self.next_delay())
