"""sd_notify over the documented protocol (sd_notify(3)), no libsystemd needed.

A message is newline-separated ``KEY=VALUE`` assignments sent as one datagram to the
``AF_UNIX`` socket named by ``$NOTIFY_SOCKET``; a leading ``@`` means the Linux abstract
namespace (the ``@`` becomes a NUL byte). Outside systemd the variable is unset and every
send is a no-op, so the same code runs on a desktop.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping


class Notifier:
    """Sends state changes to the service manager; silently does nothing when there is none."""

    def __init__(self, address: str | None) -> None:
        self.address = address or None
        self._sock: socket.socket | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Notifier:
        environ = os.environ if environ is None else environ
        return cls(environ.get("NOTIFY_SOCKET"))

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def send(self, **fields: object) -> bool:
        """``send(READY=1, STATUS="idle")``; True when a service manager got it."""
        if self.address is None:
            return False
        message = "\n".join(f"{k}={_one_line(v)}" for k, v in fields.items()).encode()
        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.sendto(message, target)
            return True
        except OSError:
            return False  # the manager went away (or never listened); nothing to tell

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def watchdog_interval_s(environ: Mapping[str, str] | None = None) -> float | None:
    """Seconds between ``WATCHDOG=1`` pings (half of ``$WATCHDOG_USEC``), or None when not asked.

    ``$WATCHDOG_PID``, when set, must be this process: the variables may be inherited by children.
    """
    environ = os.environ if environ is None else environ
    try:
        usec = int(environ.get("WATCHDOG_USEC", ""))
        pid = int(environ.get("WATCHDOG_PID", os.getpid()))
    except ValueError:
        return None
    return usec / 2e6 if usec > 0 and pid == os.getpid() else None


def _one_line(value: object) -> str:
    return str(value).replace("\n", " ")
