"""The faults of the soak campaign, each injected into a real kiosk process and timed.

Every fault returns a :class:`Row`: how long the kiosk took to recover once the fault was
removed (or, for a restart, from the kill to READY of the new process), and how many typed turns
were not answered. :class:`Rig` holds the devices the kiosk runs on (a looping MP4 camera, a WAV
microphone, a private Xvfb display) and starts kiosks on them.
"""

from __future__ import annotations

import ctypes
import os
import random
import signal
import subprocess
import sys
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from soak_kiosk import ROOT, Kiosk

from export.common.bundle_writer import SIBLING
from tests.service.service_helpers import NotifyListener
from tests.silent_server import SilentServer
from tests.standins import write_video

PTRACE_SEIZE, PTRACE_INTERRUPT, WALL = 0x4206, 0x4207, 0x40000000


@dataclass
class Row:
    fault: str
    recovery_s: float | None
    """Fault removed (or process killed) -> healthy again (or READY), seconds."""
    lost: int
    """Typed turns never answered."""
    restart: bool
    """The process serving after the fault is not the one it met (see :func:`restarted`)."""
    note: str = ""


class Rig:
    """Devices, config and the notify socket shared by the campaign's kiosks."""

    def __init__(self, work: Path, config: Path, env: dict[str, str] | None = None) -> None:
        self.work, self.config, self.env = work, config, env or {}
        self.camera = Path(write_video(work / "cam.mp4", frames=90, size=(320, 240)))
        self.notify = NotifyListener(str(work / "notify.sock"))
        self.xvfb, self.display = None, ""
        self.start_x()

    def start_x(self) -> None:
        """Xvfb on the rig's display number (a free one the first time)."""
        read, write = os.pipe()
        where = ["-displayfd", str(write)] if not self.display else [self.display]
        self.xvfb = subprocess.Popen(["Xvfb", *where, "-screen", "0", "1280x720x24", "-nolisten",
                                      "tcp"], pass_fds=(write,), stderr=subprocess.DEVNULL)
        os.close(write)
        if not self.display:
            with os.fdopen(read) as f:
                self.display = ":" + f.readline().strip()
        else:
            os.close(read)

    def kiosk(self, camera: str = "", mic: str = "none", display: str = "display://0") -> Kiosk:
        kiosk = Kiosk(self.config, ["--camera", camera or f"file://{self.camera}?loop=0", "--mic", mic,
                                    "--display", display], self.notify, {"DISPLAY": self.display, **self.env})
        kiosk.wait_ready()
        kiosk.wait(lambda: kiosk.port is not None, 30, "health server")
        return kiosk

    def close(self) -> None:
        self.xvfb.terminate()
        self.xvfb.wait(5)
        self.notify.close()


def restarted(pid: int, kiosk: Kiosk) -> bool:
    """Whether ``kiosk``, the handle serving after a fault, is no longer process ``pid``, the one
    the fault met: a new process, or that one dead."""
    return kiosk.proc.pid != pid or kiosk.proc.poll() is not None


def unanswered(kiosk: Kiosk, first: int) -> int:
    """Turns typed to ``kiosk`` from turn ``first`` on that it never answered."""
    return sum(1 for t in range(first, kiosk.typed + 1) if t not in kiosk.done)


def until_reason(kiosk: Kiosk, word: str, present: bool, timeout_s: float = 60) -> float:
    """Seconds until ``/healthz`` names (``present``) or no longer names ``word``."""
    return kiosk.wait(lambda: (word in kiosk.reasons()) == present, timeout_s,
                      f"health {'naming' if present else 'without'} {word!r}")


def answered(kiosk: Kiosk, text: str) -> int:
    """1 when a turn typed now is never answered, else 0."""
    try:
        kiosk.turn(text, timeout_s=30)
        return 0
    except RuntimeError:
        return 1


def camera_vanishes(kiosk: Kiosk, rig: Rig) -> Row:
    pid = kiosk.proc.pid
    gone = rig.camera.with_suffix(".gone")
    rig.camera.rename(gone)
    until_reason(kiosk, "camera", True)
    lost = answered(kiosk, "is anyone watching?")
    gone.rename(rig.camera)
    recovery = until_reason(kiosk, "camera", False)
    return Row("camera file vanishes, returns", recovery, lost, restarted(pid, kiosk),
               "?loop=0: reopened at its end (a looping file seeks its open handle)")


def x_server_dies(kiosk: Kiosk, rig: Rig) -> Row:
    pid = kiosk.proc.pid
    rig.xvfb.kill()
    rig.xvfb.wait()
    until_reason(kiosk, "display", True)
    lost = answered(kiosk, "can you still hear me?")
    rig.start_x()
    recovery = until_reason(kiosk, "display", False)
    return Row("X server killed, restarted", recovery, lost, restarted(pid, kiosk))


def barge_in_storm(kiosk: Kiosk, lines: int = 30) -> Row:
    pid = kiosk.proc.pid
    first = kiosk.typed + 1
    for i in range(lines):
        kiosk.type(f"wait, one more thing {i}")
        time.sleep(0.02)
    last = kiosk.typed
    recovery = kiosk.wait(lambda: last in kiosk.done, 60, "storm's last turn")
    cut = sum(1 for t in range(first, last) if t not in kiosk.done)
    return Row(f"barge-in storm ({lines} lines, 20 ms apart)", recovery, 0, restarted(pid, kiosk),
               f"{cut} cut replies, last answered")


def process_frozen(kiosk: Kiosk, seconds: float = 5.0) -> Row:
    """SIGSTOP the whole process past the stall timeout: pings stop, then resume without a restart."""
    pid = kiosk.proc.pid
    kiosk.proc.send_signal(signal.SIGSTOP)
    t_stop = time.monotonic()
    time.sleep(seconds)
    silent = kiosk.pings_since(t_stop) == 0
    kiosk.proc.send_signal(signal.SIGCONT)
    t_cont = time.monotonic()
    recovery = kiosk.wait(lambda: kiosk.pings_since(t_cont) > 0, 30, "a ping after SIGCONT")
    lost = answered(kiosk, "are you back?")
    return Row(f"whole process SIGSTOPped {seconds:g} s", recovery, lost, restarted(pid, kiosk),
               "no ping while stopped" if silent else "FAIL: pinged while stopped")


def workers_hung(kiosk: Kiosk, rig: Rig) -> tuple[Row, Kiosk]:
    """Freeze the inference workers alone (ptrace-stop the niceness-5 threads): the render loop
    keeps beating, the watchdog must withhold pings; then do what systemd does: kill, restart."""
    tids = [t for t in os.listdir(f"/proc/{kiosk.proc.pid}/task")
            if _nice(kiosk.proc.pid, t) == 5]
    libc = ctypes.CDLL(None, use_errno=True)
    for tid in map(int, tids):
        libc.ptrace(ctypes.c_long(PTRACE_SEIZE), tid, None, None)
        libc.ptrace(ctypes.c_long(PTRACE_INTERRUPT), tid, None, None)
        os.waitpid(tid, WALL)
    first = kiosk.typed + 1
    kiosk.type("this turn meets a hung worker")
    kiosk.wait(kiosk.watchdog_expired, 60, "watchdog expiry")
    stalled = "stalled" in kiosk.reasons()
    t_kill = time.monotonic()
    kiosk.proc.kill()
    for tid in map(int, tids):  # their tracer reaps the traced threads, or the process stays
        os.waitpid(tid, WALL)
    kiosk.proc.wait()
    new = rig.kiosk()
    recovery = time.monotonic() - t_kill
    lost = unanswered(kiosk, first)  # read after the new READY: the old output is all parsed
    note = f"{len(tids)} threads frozen; " + ("health: worker stalled" if stalled else "FAIL: health said ok")
    return Row("inference workers hung (watchdog)", recovery, lost, restarted(kiosk.proc.pid, new),
               note), new


def _nice(pid: int, tid: str) -> int:
    stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[16])


def killed_mid_turn(kiosk: Kiosk, rig: Rig, sig: signal.Signals) -> tuple[Row, Kiosk]:
    first = kiosk.typed + 1
    kiosk.type("tell me a long story about the sea")
    time.sleep(random.uniform(0.0, 0.3))
    t_kill = time.monotonic()
    kiosk.proc.send_signal(sig)
    rc = kiosk.proc.wait(30)
    new = rig.kiosk()
    recovery = time.monotonic() - t_kill
    lost = unanswered(kiosk, first)  # read after the new READY: the old output is all parsed
    clean = rc == (-signal.SIGKILL if sig == signal.SIGKILL else 0)
    return Row(f"{sig.name} during a turn", recovery, lost, restarted(kiosk.proc.pid, new),
               f"exit {rc}" + ("" if clean else " FAIL: unclean")), new


def microphone_faults(rig: Rig) -> list[Row]:
    """wav:// reads its file when it opens it: absent, then truncated, then a good file."""
    mic = rig.work / "mic.wav"
    kiosk = rig.kiosk(mic=f"wav://{mic}")
    pid = kiosk.proc.pid
    try:
        until_reason(kiosk, "microphone", True)
        lost = answered(kiosk, "typing while the microphone is missing")
        mic.write_bytes(_wav_bytes(rig.work)[:-1])  # one byte short of whole samples
        time.sleep(2)
        truncated = "microphone" in kiosk.reasons()
        mic.write_bytes(_wav_bytes(rig.work))
        recovery = until_reason(kiosk, "microphone", False)
        restart = restarted(pid, kiosk)
    finally:
        kiosk.close()
    return [Row("microphone absent, then truncated WAV, then good", recovery, lost, restart,
                "truncated still degraded" if truncated else "FAIL: truncated reported healthy")]


def _wav_bytes(work: Path) -> bytes:
    path = work / "good.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(np.zeros(16000, np.int16).tobytes())
    return path.read_bytes()


def unwritable_output(rig: Rig) -> Row:
    """file:// display whose folder is a file (root ignores read-only modes), then a folder."""
    folder = rig.work / "out"
    folder.write_text("not a folder")
    kiosk = rig.kiosk(display=f"file://{folder / 'out.mp4'}")
    pid = kiosk.proc.pid
    try:
        until_reason(kiosk, "display", True)
        lost = answered(kiosk, "is the screen there?")
        folder.unlink()
        folder.mkdir()
        recovery = until_reason(kiosk, "display", False)
        lost += answered(kiosk, "and now?")
        restart = restarted(pid, kiosk)
    finally:
        kiosk.close()
    written = (folder / "out.mp4").stat().st_size if (folder / "out.mp4").exists() else 0
    return Row("file:// output unwritable, then writable", recovery, lost, restart,
               f"{written // 1024} kB written after")


def rtsp_silent(rig: Rig) -> Row:
    """A camera that accepts and never answers, then goes away: typed turns answered throughout."""
    server = SilentServer()
    t0 = time.monotonic()
    kiosk = rig.kiosk(camera=f"rtsp://127.0.0.1:{server.port}/stream")
    pid = kiosk.proc.pid
    try:
        ready = time.monotonic() - t0
        lost = answered(kiosk, "hello camera?")
        server.close()
        t_gone = time.monotonic()
        lost += answered(kiosk, "camera gone?")
        recovery = time.monotonic() - t_gone
        restart = restarted(pid, kiosk)
    finally:
        kiosk.close()
    return Row("RTSP camera silent, then gone", recovery, lost, restart, f"ready after {ready:.1f} s")


def bundle_write_killed(bundle: Path, checkpoint: Path, times: int = 3) -> Row:
    """``python -m export causal-lm`` over ``bundle``, SIGKILLed at a random moment once its export
    directory (``.NAME.export-PID``, export/common/bundle_writer.py) exists; the old one must load."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    bundle = bundle.resolve()
    loads = mid_write = 0
    for _ in range(times):
        export = subprocess.Popen([sys.executable, "-m", "export", "causal-lm", "--model",
                                   str(checkpoint), "--out", str(bundle), "--quantize", "int8"],
                                  env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        sibling = bundle.parent / SIBLING.format(name=bundle.name, pid=export.pid)
        t_start = time.monotonic()
        while not sibling.is_dir() and export.poll() is None and time.monotonic() - t_start < 120:
            time.sleep(0.005)
        time.sleep(random.uniform(0.0, 1.0))  # into the write (seconds of it for the tiny export)
        export.kill()
        rc = export.wait()
        # killed (not exited) with its export directory left behind: the kill fell mid-write
        mid_write += rc == -signal.SIGKILL and sibling.is_dir()
        t0 = time.monotonic()
        chat = subprocess.run([sys.executable, "-m", "edge_vdialog", "chat", "--bundle",
                               str(bundle), "hello"], env=env, cwd=ROOT, capture_output=True, check=False)
        loads += chat.returncode == 0
    ok = loads == times and mid_write == times
    return Row(f"export SIGKILLed mid-write x{times}", time.monotonic() - t0, 0, False,  # no kiosk
               f"killed mid-write {mid_write}/{times}, old bundle loaded {loads}/{times}"
               + ("" if ok else " FAIL"))
