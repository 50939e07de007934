"""The soak campaign's view of one real kiosk process: ``edge-vdialog run`` in a subprocess with
typed turns on stdin, its log, ``/healthz``, sd_notify messages and ``/proc`` counters.

The campaign plays systemd: it owns the ``NOTIFY_SOCKET`` (a datagram socket it reads) and sets
``WATCHDOG_USEC``; :meth:`Kiosk.watchdog_expired` is systemd's verdict on a silent process.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.service.service_helpers import NotifyListener

WATCHDOG_USEC = 2_000_000
"""The campaign's ``WatchdogSec=2``: pings expected every second."""
TURN_DONE = re.compile(r"turn (\d+): first token on screen (?:([\d.]+) ms|-)")


def write_config(path: Path, dialogue: Path, pictures: Path, max_new_tokens: int = 24) -> Path:
    """A kiosk config for the campaign: health on a free port, devices retried within a second."""
    retry = "reconnect_min_s = 0.2\nreconnect_max_s = 1\n"
    path.write_text(f'[dialogue]\nbundle = "{dialogue}"\nmax_new_tokens = {max_new_tokens}\n'
                    f'[imagegen]\nbundle = "{pictures}"\n'
                    '[engines]\nproviders = ["cpu"]\n'
                    f'[camera]\n{retry}[metrics]\nenabled = true\nport = 0\n'
                    '[service]\nstall_timeout_s = 3.0\n')
    return path


class Kiosk:
    """One ``edge-vdialog run --config CONFIG ARGS`` process and what it says."""

    def __init__(self, config: Path, args: list[str], notify: NotifyListener,
                 env: dict[str, str] | None = None) -> None:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith(("NOTIFY_", "WATCHDOG_"))}
        full_env.update(PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", NOTIFY_SOCKET=notify.address,
                        WATCHDOG_USEC=str(WATCHDOG_USEC), **(env or {}))
        self.notify, self.notify_from = notify, len(notify.messages)
        self.proc = subprocess.Popen([sys.executable, "-m", "edge_vdialog", "run", "--config",
                                      str(config), *args], stdin=subprocess.PIPE, cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env=full_env, text=True)
        self.lines: list[str] = []
        self.done: dict[int, float | None] = {}  # turn id -> first token on screen, seconds
        self.typed = 0  # lines typed so far: the last one is turn ``typed``
        self.port: int | None = None
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)
            if m := TURN_DONE.search(line):
                ms = m.group(2)
                self.done[int(m.group(1))] = float(ms) / 1000 if ms else None
            elif m := re.search(r"health and metrics on http://[^:]+:(\d+)/", line):
                self.port = int(m.group(1))

    def wait_ready(self, timeout_s: float = 120) -> float:
        """Seconds until READY=1 from this process."""
        t0 = time.monotonic()
        self.notify.wait_for("READY", "1", timeout=timeout_s, after=self.notify_from)
        return time.monotonic() - t0

    def type(self, text: str) -> None:
        self.typed += 1
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def turn(self, text: str, timeout_s: float = 60) -> tuple[int, float | None]:
        """Type ``text`` and wait until its reply is done: (turn id, first token on screen, s)."""
        self.type(text)
        turn_id = self.typed
        self.wait(lambda: turn_id in self.done, timeout_s, f"turn {turn_id} done")
        return turn_id, self.done[turn_id]

    def wait(self, condition, timeout_s: float, what: str) -> float:
        """Seconds until ``condition()``; raises when the process ends or ``timeout_s`` passes."""
        t0 = time.monotonic()
        while not condition():
            if self.proc.poll() is not None or time.monotonic() - t0 > timeout_s:
                raise RuntimeError(f"no {what} (rc {self.proc.poll()}):\n" + "".join(self.lines[-15:]))
            time.sleep(0.05)
        return time.monotonic() - t0

    def health(self) -> dict:
        """``/healthz`` as JSON (503 included)."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as r:
                return json.load(r)
        except urllib.error.HTTPError as e:
            return json.load(e)

    def reasons(self) -> str:
        return "; ".join(self.health()["reasons"])

    def pings_since(self, t: float) -> int:
        return sum(1 for when, f in self.notify.messages[self.notify_from:]
                   if when >= t and "WATCHDOG" in f)

    def watchdog_expired(self) -> bool:
        """No WATCHDOG=1 for WatchdogSec: systemd would kill and restart the process."""
        pings = [when for when, f in self.notify.messages[self.notify_from:] if "WATCHDOG" in f]
        return bool(pings) and time.monotonic() - pings[-1] > WATCHDOG_USEC / 1e6

    def counters(self) -> tuple[int, int, int]:
        """(RSS kB, open fds, threads) from /proc."""
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        field = dict(line.split(":", 1) for line in status.splitlines())
        fds = len(os.listdir(f"/proc/{self.proc.pid}/fd"))
        return int(field["VmRSS"].split()[0]), fds, int(field["Threads"])

    def close(self, timeout_s: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.terminate()
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        return self.proc.wait()
