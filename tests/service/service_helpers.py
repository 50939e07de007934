"""Helpers for the service tests: a real sd_notify listener and the stand-in kiosk process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


class NotifyListener:
    def __init__(self, address: str) -> None:
        self.address = address
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("\0" + address[1:] if address.startswith("@") else address)
        self.sock.settimeout(0.1)
        self.messages: list[tuple[float, dict[str, str]]] = []  # (time.monotonic(), fields)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            fields = dict(line.split("=", 1) for line in data.decode().splitlines())
            self.messages.append((time.monotonic(), fields))

    def wait_for(self, key: str, value: str | None = None, timeout: float = 20.0,
                 after: int = 0) -> int:
        """Index of the first message at or after ``after`` with ``key`` (= ``value``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, (_, f) in enumerate(self.messages[after:], after):
                if key in f and (value is None or value in f[key]):
                    return i
            time.sleep(0.02)
        raise AssertionError(f"no {key}={value} within {timeout} s; got {self.messages[-5:]}")

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


def service_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("EDGE_VDIALOG", "NOTIFY_SOCKET", "WATCHDOG_"))}
    path = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return {**env, "PYTHONPATH": path, "PYTHONUNBUFFERED": "1", **extra}


def start_heartbeat_app(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(HERE / "heartbeat_app.py")], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
