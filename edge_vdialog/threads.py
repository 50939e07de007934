"""Thread niceness: background work yields the CPU to the render loop."""

from __future__ import annotations

import os
import threading


def lower_priority(nice: int) -> None:
    """Raise the calling thread's niceness to ``nice`` (Linux applies it per thread; raising it
    needs no privilege), so the render loop, which must run every 33 ms, is scheduled first.
    Elsewhere, or where refused, nothing changes."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    except (AttributeError, OSError):
        pass
