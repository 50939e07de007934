"""Display sinks by URI: real video files, PNG snapshots, a framebuffer file, no X display."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge_vdialog.errors import UserError
from edge_vdialog.media.sinks import open_sink
from edge_vdialog.media.status import FrameDropped
from tests.standins import wait_for


def frame(value: int = 0) -> np.ndarray:
    image = np.zeros((72, 128, 3), np.uint8)
    image[:, :64] = (255, 0, 0)  # blue left half, BGR
    image[:, 64:] = value
    return image


def test_video_file_sink_writes_a_playable_mp4(tmp_path):
    path = tmp_path / "sub" / "out.mp4"
    sink = open_sink(f"file://{path}?fps=25")
    for i in range(12):
        assert sink.show(frame(i * 10)) == -1
    sink.close()
    cap = cv2.VideoCapture(str(path))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 12
    ok, image = cap.read()
    assert ok and image.shape == (72, 128, 3)


def test_png_sink_writes_snapshots(tmp_path):
    sink = open_sink(f"png://{tmp_path}?every=0")
    for _ in range(3):
        sink.show(frame())
    assert len(list(tmp_path.glob("frame_*.png"))) == 3
    assert cv2.imread(str(tmp_path / "frame_000001.png")).shape == (72, 128, 3)


@pytest.mark.parametrize("bpp", [32, 16])
def test_framebuffer_sink_writes_pixels_with_sysfs_geometry(tmp_path, bpp):
    sysfs = tmp_path / "fb0"
    sysfs.mkdir()
    (sysfs / "virtual_size").write_text("64,36\n")
    (sysfs / "bits_per_pixel").write_text(f"{bpp}\n")
    (sysfs / "stride").write_text(f"{64 * bpp // 8 + 16}\n")  # padded lines
    device = tmp_path / "fb"
    device.write_bytes(bytes(36 * (64 * bpp // 8 + 16)))
    sink = open_sink(f"fb://{device}?sysfs={sysfs}")
    sink.show(frame(255))  # scaled 128x72 -> 64x36
    sink.close()
    mem = np.fromfile(device, np.uint8).reshape(36, -1)
    if bpp == 32:
        assert tuple(mem[10, 0:4]) == (255, 0, 0, 255)    # B, G, R, X: blue
        assert tuple(mem[10, 60 * 4:60 * 4 + 3]) == (255, 255, 255)
    else:
        assert mem[10, 0:2].view("<u2")[0] == 0x001F       # RGB565 blue
    assert not mem[:, 64 * bpp // 8:].any()                # padding untouched


def test_missing_display_names_headless_sinks(monkeypatch):
    monkeypatch.setenv("DISPLAY", ":87")  # no X server there
    sink = open_sink("display://0")
    status = sink.status()
    assert not status.online
    assert "no display" in status.message and "null://" in status.message and "fb://" in status.message
    with pytest.raises(FrameDropped):  # nothing reached a screen, and nothing else goes wrong
        sink.show(frame())
    sink.close()


def test_unwritable_video_file_is_offline_then_retried(tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("a file where the output directory should be")
    sink = open_sink(f"file://{blocker}/video.mp4", retry_s=0.05)
    with pytest.raises(FrameDropped):
        sink.show(frame())
    assert not sink.status().online and "cannot write video" in sink.status().message
    blocker.unlink()
    blocker.mkdir()
    assert wait_for(lambda: shows(sink))
    for _ in range(4):
        sink.show(frame())
    assert sink.status().online and sink.reconnects == 1
    sink.close()
    assert int(cv2.VideoCapture(str(blocker / "video.mp4")).get(cv2.CAP_PROP_FRAME_COUNT)) == 5


def test_framebuffer_that_appears_late_is_picked_up(tmp_path):
    sysfs, device = tmp_path / "fb0", tmp_path / "fb"
    sink = open_sink(f"fb://{device}?sysfs={sysfs}", retry_s=0.05)
    assert not sink.status().online and "cannot open framebuffer" in sink.status().message
    sysfs.mkdir()
    (sysfs / "virtual_size").write_text("64,36\n")
    (sysfs / "bits_per_pixel").write_text("32\n")
    device.write_bytes(bytes(36 * 64 * 4))
    assert wait_for(lambda: shows(sink, frame(255)))
    assert sink.status().online
    sink.close()
    assert tuple(np.fromfile(device, np.uint8)[:4]) == (255, 0, 0, 255)


def shows(sink, image=None) -> bool:
    """Whether ``sink`` put ``image`` out (False: it dropped the frame)."""
    try:
        sink.show(frame() if image is None else image)
    except FrameDropped:
        return False
    return True


def test_unknown_display_scheme():
    with pytest.raises(UserError, match="display://0.*fb:///dev/fb0.*null://"):
        open_sink("hdmi://1")
    assert open_sink("null://").show(frame()) == -1


SHOW_FRAMES = """
import sys, time
import numpy as np
from edge_vdialog.media.sinks import open_sink
from edge_vdialog.media.status import FrameDropped
sink = open_sink("display://0", fullscreen=False, retry_s=0.1)
said = None
for command in sys.stdin:  # "online", "offline", "drawn": wait until the window is so
    wanted, deadline, shown = command.strip(), time.monotonic() + 20, -1
    while time.monotonic() < deadline:
        try:
            sink.show(np.zeros((72, 128, 3), np.uint8))
        except FrameDropped:
            pass
        window = sink.sink
        state = {"online": sink.status().online, "offline": not sink.status().online,
                 "drawn": window is not None and window.shown > 0}[wanted]
        if state:
            break
        time.sleep(0.02)
    print(wanted if state else f"not {wanted}: {sink.status().message}", flush=True)
sink.close()
"""


def test_window_survives_the_x_server_dying_and_comes_back():
    """In a child process, so that a window toolkit that exits with its X server (as OpenCV's Qt
    does when the window lives in the kiosk process) shows as a failure, not a lost test run."""
    import os
    import random
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    if shutil.which("Xvfb") is None:
        pytest.skip("needs Debian xvfb")
    free = [n for n in range(1000, 30000) if not Path(f"/tmp/.X{n}-lock").exists()]
    number = random.choice(free)  # other test runs may be looking for a free display too
    root = Path(__file__).resolve().parents[2]
    child = subprocess.Popen([sys.executable, "-c", SHOW_FRAMES], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True,
                             env=dict(os.environ, DISPLAY=f":{number}", PYTHONPATH=str(root)))

    def expect(state: str) -> None:
        child.stdin.write(state + "\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == state

    def xvfb() -> subprocess.Popen:
        return subprocess.Popen(["Xvfb", f":{number}", "-nolisten", "tcp"],
                                stderr=subprocess.DEVNULL)
    server = None
    try:
        expect("offline")      # no X server yet: the display waits for one
        server = xvfb()
        expect("drawn")        # X appeared: a window, frames on it
        server.kill()          # X dies under the window
        server.wait(5)
        expect("offline")
        server = xvfb()
        expect("online")       # X is back: a new window...
        expect("drawn")        # ...with frames on it
        child.stdin.close()
        assert child.wait(10) == 0
    finally:
        child.kill()
        if server:
            server.kill()
            server.wait(5)
