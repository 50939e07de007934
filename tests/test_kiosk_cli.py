"""``edge-vdialog run`` as a process: a real window under Xvfb, typed input on stdin, SIGTERM,
and start-up with every device missing. Tiny real bundles (random weights) keep it fast."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tests.standins import write_video

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def tiny_config(tmp_path_factory) -> Path:
    """A config whose dialogue and picture bundles are tiny exports of random models."""
    pytest.importorskip("torch")  # the tiny models are exported from torch; the kiosk never imports it
    from export.dialogue.lm_bundle import export_causal_lm
    from tests.dialogue.tiny_models import gpt2_checkpoint
    from tests.imagegen.tiny import make_bundle

    root = tmp_path_factory.mktemp("kiosk")
    gpt2_checkpoint(root / "gpt2")
    export_causal_lm(root / "gpt2", root / "dialogue", quantize="int8", prompt_format="eos-turns")
    make_bundle(root / "pictures")
    config = root / "config.toml"
    config.write_text(f'[dialogue]\nbundle = "{root / "dialogue"}"\nmax_new_tokens = 16\n'
                      f'[imagegen]\nbundle = "{root / "pictures"}"\n'
                      '[engines]\nproviders = ["cpu"]\nthreads = 1\n'
                      '[camera]\nreconnect_min_s = 0.2\nreconnect_max_s = 1\n')
    return config


class Kiosk:
    """The CLI in a subprocess; its log lines are collected as they come."""

    def __init__(self, config: Path, *args: str, env: dict | None = None) -> None:
        full_env = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
        self.proc = subprocess.Popen([sys.executable, "-m", "edge_vdialog", "run", "--config",
                                      str(config), *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT,
                                     env=full_env, text=True)
        self.lines: queue.Queue[str | None] = queue.Queue()  # None: end of output
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_log(self, text: str, timeout_s: float = 60) -> str:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is None:
                break
            self.log.append(line)
            if text in line:
                return line
        raise AssertionError(f"no {text!r} in the log:\n" + "".join(self.log))

    def drain(self) -> None:
        """Collect the rest of the output (after the process ended)."""
        while (line := self.lines.get(timeout=5)) is not None:
            self.log.append(line)

    def type(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


@pytest.fixture
def xvfb():
    """A private X server; yields its DISPLAY."""
    if shutil.which("Xvfb") is None:
        pytest.skip("needs Debian xvfb")
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x720x24",
                               "-nolisten", "tcp"], pass_fds=(write,), stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as f:
        display = ":" + f.readline().strip()
    yield display
    server.terminate()
    server.wait(5)


def shows_a_reply(shot: np.ndarray) -> bool:
    """Not black, "hello there" in light blue and white reply text in the text column."""
    heard = shot[60:100, 686:1250]
    reply = shot[120:470, 686:1250]
    return (shot.mean() > 10 and (heard.max(axis=2) > 200).sum() > 50
            and (reply.min(axis=2) > 200).sum() > 100)


def test_real_window_under_xvfb(tiny_config, xvfb, tmp_path):
    from PIL import ImageGrab

    camera = write_video(tmp_path / "cam.mp4", frames=30, size=(320, 240))
    kiosk = Kiosk(tiny_config, "--display", "display://0", "--camera", f"file://{camera}",
                  "--mic", "none", env={"DISPLAY": xvfb})
    try:
        kiosk.wait_log("ready:")
        kiosk.type("hello there")
        kiosk.wait_log("turn 1: first token on screen")
        # the window process and the X server may lag: on a loaded 2-core host 20 s once showed a black screen
        shot, deadline = None, time.monotonic() + 60
        while time.monotonic() < deadline:
            shot = np.asarray(ImageGrab.grab(xdisplay=xvfb).convert("RGB"))
            if shows_a_reply(shot):
                break
            time.sleep(0.1)
        kiosk.type("q")
        assert kiosk.proc.wait(10) == 0
    finally:
        kiosk.close()
    assert shot.shape == (720, 1280, 3)
    assert shows_a_reply(shot), f"screen mean {shot.mean():.1f}"


def test_starts_without_any_device_answers_typing_and_stops_on_sigterm(tiny_config):
    kiosk = Kiosk(tiny_config, "--display", "display://0", "--camera", "v4l2:///dev/video-missing",
                  "--mic", "wav:///nonexistent/mic.wav", env={"DISPLAY": ":87"})
    try:
        kiosk.wait_log("ready:")
        kiosk.type("anyone there?")
        kiosk.wait_log("turn 1: first token on screen")
        kiosk.proc.send_signal(signal.SIGTERM)
        assert kiosk.proc.wait(5) == 0
        kiosk.drain()
    finally:
        kiosk.close()
    log = "".join(kiosk.log)
    assert "camera v4l2:///dev/video-missing: camera /dev/video-missing does not exist" in log
    assert "microphone wav:///nonexistent/mic.wav" in log
    assert "no display" in log and "null://" in log


@pytest.mark.parametrize("flag, uri, supported", [
    ("--camera", "webcam://0", "v4l2:///dev/video0"),
    ("--mic", "alsa://hw0", "mic://default"),
    ("--display", "hdmi://1", "fb:///dev/fb0"),
])
def test_unknown_uri_is_one_line_before_any_model_loads(tmp_path, flag, uri, supported):
    config = tmp_path / "config.toml"
    config.write_text(f'[dialogue]\nbundle = "{tmp_path / "no-such-bundle"}"\n')
    out = subprocess.run([sys.executable, "-m", "edge_vdialog", "run", "--config", str(config), flag, uri],
                         capture_output=True, text=True, cwd=ROOT, timeout=60,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert out.returncode == 2  # a configuration error: systemd does not restart-loop on it
    error = [line for line in out.stderr.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and uri in error[0] and supported in error[0]  # the bundle is never read
