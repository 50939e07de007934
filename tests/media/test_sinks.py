"""Display sinks by URI: real video files, PNG snapshots, a framebuffer file, no X display."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge_vdialog.errors import UserError
from edge_vdialog.media.sinks import open_sink


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
    assert sink.show(frame()) == -1  # frames are dropped, nothing raises
    sink.close()


def test_unknown_display_scheme():
    with pytest.raises(UserError, match="display://0.*fb:///dev/fb0.*null://"):
        open_sink("hdmi://1")
    assert open_sink("null://").show(frame()) == -1


WAIT_FOR_WINDOW = """
import sys, time
import numpy as np
from edge_vdialog.media.sinks import RetryingWindow
from edge_vdialog.media.uri import parse_uri
sink = RetryingWindow(parse_uri("display://0", "display", {"display": ""}), False, retry_s=0.1)
print("offline" if not sink.status().online else "online", flush=True)
deadline = time.monotonic() + 20
while not sink.status().online and time.monotonic() < deadline:
    sink.show(np.zeros((72, 128, 3), np.uint8))
    time.sleep(0.05)
print("online" if sink.status().online and sink.window else "still offline", flush=True)
"""


def test_window_appears_when_the_x_server_starts():
    """In a child process: Qt must not outlive its X server inside the test process."""
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
    child = subprocess.Popen([sys.executable, "-c", WAIT_FOR_WINDOW], stdout=subprocess.PIPE,
                             text=True, env=dict(os.environ, DISPLAY=f":{number}", PYTHONPATH=str(root)))
    server = None
    try:
        assert child.stdout.readline().strip() == "offline"
        server = subprocess.Popen(["Xvfb", f":{number}", "-nolisten", "tcp"], stderr=subprocess.DEVNULL)
        assert child.stdout.readline().strip() == "online"
        assert child.wait(10) == 0
    finally:
        child.kill()
        if server:
            server.terminate()
            server.wait(5)
