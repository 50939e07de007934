"""The kiosk's background threads: one lifecycle (start, close with a bounded join) and niceness,
so background work yields the CPU to the render loop."""

from __future__ import annotations

import functools
import logging
import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Self  # Python 3.11+; annotations here are never evaluated


def lower_priority(nice: int) -> None:
    """Raise the calling thread's niceness to ``nice`` (Linux applies it per thread; raising it
    needs no privilege), so the render loop, which must run every 33 ms, is scheduled first.
    Where refused (a seccomp filter such as systemd's ``SystemCallFilter=~@resources``) nothing
    changes and a warning says so once; where the OS has no per-thread priority, nothing changes."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    except AttributeError:
        pass
    except OSError as e:
        _warn_refused(e.strerror or str(e))


@functools.cache
def _warn_refused(reason: str) -> None:
    logging.getLogger(__name__).warning(
        "cannot lower background threads' priority (%s): the display may stutter while the kiosk "
        "answers; under systemd, allow it with SystemCallFilter=setpriority", reason)


class Background:
    """A daemon thread that runs :meth:`run` once, from :meth:`start` until :meth:`close`.

    ``run`` loops until ``self.closing`` is set and waits on that event instead of sleeping;
    a loop that blocks on something else overrides :meth:`wake` to unblock it.
    """

    def __init__(self, name: str, nice: int = 0) -> None:
        self.name = name
        """The thread's name (``camera``, ``mic``, ``worker``...)."""
        self.nice = nice
        """Niceness the thread raises itself to; 0 leaves it as it is."""
        self.closing = threading.Event()
        """Set by :meth:`close`: ``run`` should return."""
        self.thread = threading.Thread(target=self._main, name=name, daemon=True)

    def start(self) -> Self:
        self.thread.start()
        return self

    def close(self, timeout_s: float = 2.0) -> None:
        """Ask ``run`` to return and wait for it at most ``timeout_s`` seconds (a thread stuck in a
        device call is left behind: it is a daemon and cannot keep the process alive)."""
        self.closing.set()
        self.wake()
        if self.thread.is_alive():
            self.thread.join(timeout_s)

    def wake(self) -> None:
        """Unblock ``run`` after ``closing`` was set; nothing to do when it waits on ``closing``."""

    def run(self) -> None:
        raise NotImplementedError

    def _main(self) -> None:
        if self.nice:
            lower_priority(self.nice)
        self.run()
