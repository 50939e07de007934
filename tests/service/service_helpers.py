"""Helpers for the service tests: a real sd_notify listener and the stand-in kiosk process."""

from __future__ import annotations

import os
import re
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
            except TimeoutError:
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
    """This process's environment without settings or a service manager, plus ``extra``.

    ``EDGE_VDIALOG_MODELS`` stays: the tests' models folder (see tests/conftest.py)."""
    env = {k: v for k, v in os.environ.items() if k == "EDGE_VDIALOG_MODELS"
           or not k.startswith(("EDGE_VDIALOG", "NOTIFY_SOCKET", "WATCHDOG_"))}
    path = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return {**env, "PYTHONPATH": path, "PYTHONUNBUFFERED": "1", **extra}


class Kiosk:
    """``edge-vdialog run`` (via kiosk_session.py) in a subprocess; stdin takes typed turns."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, str(HERE / "kiosk_session.py"), *args],
                                     env=env, cwd=REPO, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    def type(self, text: str) -> None:
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def wait_line(self, pattern: str, timeout: float = 60.0) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            for line in list(self.lines):
                if m := re.search(pattern, line):
                    return m
            time.sleep(0.05)
        raise AssertionError(f"no line matching {pattern!r}; output:\n{self.output()}")

    def output(self) -> str:
        return "".join(self.lines)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._reader.join(timeout=5)
