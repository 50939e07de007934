"""The Linux framebuffer (``fb:///dev/fb0``): frames written straight into video memory.

Geometry comes from sysfs (``/sys/class/graphics/fb0``: ``virtual_size`` "W,H",
``bits_per_pixel`` 16 or 32, ``stride`` bytes per line when the kernel reports it). 32 bpp is
written as B, G, R, X bytes (XRGB8888 little-endian), 16 bpp as RGB565.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from edge_vdialog.errors import UserError

HINT = "check the device and that this user is in the 'video' group, or use file://, png:// or null://"


class FramebufferSink:
    def __init__(self, device: str, sysfs: str | None = None) -> None:
        info = Path(sysfs or f"/sys/class/graphics/{Path(device).name}")
        try:
            self.width, self.height = (int(v) for v in (info / "virtual_size").read_text().split(","))
            self.bpp = int((info / "bits_per_pixel").read_text())
            stride_file = info / "stride"
            stride = int(stride_file.read_text()) if stride_file.exists() else self.width * self.bpp // 8
            self.mem = np.memmap(device, dtype=np.uint8, mode="r+", shape=(self.height, stride))
        except (OSError, ValueError) as e:
            raise UserError(f"cannot open framebuffer {device} ({e})", HINT) from None
        if self.bpp not in (16, 32):
            raise UserError(f"framebuffer {device} has {self.bpp} bits per pixel", "set 16 or 32 "
                            "(fbset -depth 32)")
        self.row_bytes = self.width * self.bpp // 8  # visible bytes per line

    def show(self, frame: np.ndarray) -> int:
        if frame.shape[1] != self.width or frame.shape[0] != self.height:
            frame = cv2.resize(frame, (self.width, self.height), interpolation=cv2.INTER_AREA)
        if self.bpp == 32:
            pixels = cv2.cvtColor(frame, cv2.COLOR_BGR2BGRA)
        else:
            pixels = cv2.cvtColor(frame, cv2.COLOR_BGR2BGR565)
        self.mem[:, :self.row_bytes] = pixels.reshape(self.height, self.row_bytes)
        return -1

    def close(self) -> None:
        self.mem.flush()
        del self.mem
