"""The kiosk frame: generated picture, reply, what was heard, camera picture-in-picture, status.

Layout at 1280x720 (everything scales with the frame height)::

    +--------------------+------------------------------+
    |                    | YOU SAID  what the person said|
    |  generated image   | reply, word-wrapped, newest   |
    |  640x640, smooth   | lines kept when it overflows  |
    |  upscale, fades    |                 +-----------+ |
    |                    |                 | camera PiP| |
    +--------------------+-----------------+-----------+-+
    | state · fps · backend · latencies        warnings |
    +---------------------------------------------------+

The generated image is small (64-128 px): it is enlarged to the image box with bicubic
interpolation (no blocks; a picture that changes cross-fades over :data:`FADE_S`); anything larger is
shrunk with INTER_AREA. The camera view is shrunk with INTER_AREA (no aliasing). The frame buffer and the
static background are allocated once; a frame is a copy of the background plus pastes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import cv2
import numpy as np

from edge_vdialog.compose.text import Fonts, Rgb, TextRenderer

BG: tuple[int, int, int] = (32, 24, 20)        # BGR, frame background
PANEL: tuple[int, int, int] = (48, 38, 32)     # BGR, image and status panels
WHITE, HEARD, LABEL, WARN = (240, 240, 240), (140, 220, 255), (150, 160, 170), (255, 120, 90)  # RGB
ATTRACT_LINES = ("Hello! Come closer and talk to me", "你好！过来聊聊吧 👋", "Type or just speak")


@dataclass(frozen=True)
class View:
    """Everything one frame shows; the app builds one per frame."""

    state: str = "idle"
    heard: str = ""
    """What the person said or is typing."""
    reply: str = ""
    image: np.ndarray | None = None
    """Generated picture, HxWx3 uint8 RGB."""
    image_id: int = 0
    """Changes whenever ``image`` does (its scaled copy is cached by it)."""
    camera: np.ndarray | None = None
    """Newest camera frame, HxWx3 uint8 BGR."""
    status: str = ""
    alerts: tuple[str, ...] = ()
    """Degraded parts, shown in the status line."""
    attract: bool = False
    """Nobody is there: show the attract screen."""
    credit: str = ""
    """Attribution the picture's training art requires, shown small under the picture."""


def bgr(rgb: Rgb) -> tuple[int, int, int]:
    return rgb[2], rgb[1], rgb[0]


FADE_S = 0.5
"""How long a new picture takes to cross-fade over the previous one, seconds."""


class Compositor:
    def __init__(self, width: int = 1280, height: int = 720, fonts: Fonts | None = None) -> None:
        self.w, self.h = width, height
        s = height / 720                                  # layout scale
        fonts = fonts or Fonts.find()
        self.small = TextRenderer(fonts, max(10, round(20 * s)))
        self.tiny = TextRenderer(fonts, max(8, round(14 * s)))
        self.heard_text = TextRenderer(fonts, max(12, round(26 * s)))
        self.reply_text = TextRenderer(fonts, max(14, round(34 * s)))
        self.big = TextRenderer(fonts, max(16, round(52 * s)))
        m, bar = round(24 * s), round(34 * s)
        side = min(height - bar - 2 * m, width // 2)      # generated image square, pixels
        self.bar_y = height - bar
        self.image_box = (m, m, side, side)               # x, y, w, h
        x0 = m + side + m
        self.right = (x0, m, width - x0 - m)              # x, y, width of the text column
        pip_w = min(round(320 * s), self.right[2])
        pip_h = pip_w * 9 // 16
        self.pip_box = (width - m - pip_w, self.bar_y - m - pip_h, pip_w, pip_h)
        self.frame = np.empty((height, width, 3), np.uint8)
        self.background = self._background()
        self.attract_background = np.full_like(self.frame, BG)
        self.background[self.bar_y:] = self.attract_background[self.bar_y:] = PANEL
        self._scaled: tuple[int, np.ndarray] | None = None  # (image_id, scaled image)
        self._fading: tuple[float, np.ndarray] | None = None  # (monotonic start, previous scaled image)

    def _background(self) -> np.ndarray:
        bg = np.empty_like(self.frame)
        bg[:] = BG
        x, y, w, h = self.image_box
        bg[y:y + h, x:x + w] = PANEL
        return bg

    def compose(self, view: View) -> np.ndarray:
        """The frame for ``view``: HxWx3 uint8 BGR, reused by the next call (copy to keep it)."""
        np.copyto(self.frame, self.attract_background if view.attract else self.background)
        if view.attract:
            self._attract(view)
        else:
            self._image(view)
            self._texts(view)
            self._camera(view.camera, self.pip_box)
        self._status(view)
        return self.frame

    def _paste(self, img: np.ndarray, x: int, y: int, max_w: int | None = None) -> None:
        """Copy ``img`` with its top-left at (x, y), clipped to the frame and to ``max_w``."""
        h = min(img.shape[0], self.h - y)
        w = min(img.shape[1], self.w - x, max_w if max_w is not None else self.w)
        if h > 0 and w > 0:
            self.frame[y:y + h, x:x + w] = img[:h, :w]

    def _image(self, view: View) -> None:
        if view.image is None:
            return
        if self._scaled is None or self._scaled[0] != view.image_id:
            new = self._fit(view.image)
            old = self._scaled[1] if self._scaled is not None else None
            self._fading = (time.monotonic(), old) if old is not None and old.shape == new.shape else None
            self._scaled = (view.image_id, new)
        img = self._scaled[1]
        if self._fading is not None:
            a = (time.monotonic() - self._fading[0]) / FADE_S           # 0 -> 1 over the fade
            if a >= 1:
                self._fading = None
            else:
                img = cv2.addWeighted(self._fading[1], 1.0 - a, img, a, 0.0)
        x, y, w, h = self.image_box
        self._paste(img, x + (w - img.shape[1]) // 2, y + (h - img.shape[0]) // 2)
        if view.credit:                                   # in the margin under the picture box
            self._paste(self.tiny.render(view.credit, LABEL, bgr(BG)), x, y + h + 2, w)

    def _fit(self, rgb: np.ndarray) -> np.ndarray:
        """RGB picture -> BGR filling the image box."""
        _, _, w, h = self.image_box
        return cv2.cvtColor(fit_picture(rgb, w, h), cv2.COLOR_RGB2BGR)

    def _texts(self, view: View) -> None:
        x, y, width = self.right
        bg = bgr(BG)
        self._paste(self.small.render("YOU SAID", LABEL, bg), x, y)
        y += self.small.line_height
        for line in self.heard_text.wrap(view.heard, width)[-2:]:
            self._paste(self.heard_text.render(line, HEARD, bg), x, y, width)
            y += self.heard_text.line_height
        y += self.small.line_height
        room = (self.pip_box[1] - y) // self.reply_text.line_height
        for line in self.reply_text.wrap(view.reply, width)[-max(1, room):]:
            self._paste(self.reply_text.render(line, WHITE, bg), x, y, width)
            y += self.reply_text.line_height

    def _camera(self, image: np.ndarray | None, box: tuple[int, int, int, int]) -> None:
        x, y, w, h = box
        if image is None:
            self.frame[y:y + h, x:x + w] = PANEL
            self._paste(self.small.render("no camera", LABEL, bgr(PANEL)), x + 8, y + 8, w - 8)
            return
        ih, iw = image.shape[:2]
        f = min(w / iw, h / ih)
        size = (max(1, round(iw * f)), max(1, round(ih * f)))
        small = cv2.resize(image, size, interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_LINEAR)
        self._paste(small, x + (w - size[0]) // 2, y + (h - size[1]) // 2)

    def _attract(self, view: View) -> None:
        y = round(self.h * 0.12)
        for i, line in enumerate(ATTRACT_LINES):
            r = self.big if i < 2 else self.heard_text
            img = r.render(line, WHITE if i < 2 else HEARD, bgr(BG))
            self._paste(img, max(0, (self.w - img.shape[1]) // 2), y)
            y += r.line_height + round(8 * self.h / 720)
        w = self.w * 3 // 8
        h = w * 9 // 16
        self._camera(view.camera, ((self.w - w) // 2, y + 16, w, h))
        sweep = int((time.monotonic() * 0.25 % 1.0) * self.w)  # a slow moving highlight
        self.frame[self.bar_y - 4:self.bar_y, max(0, sweep - 120):sweep] = (200, 160, 60)

    def _status(self, view: View) -> None:
        bg, y = bgr(PANEL), self.bar_y + (self.h - self.bar_y - self.small.line_height) // 2
        left = self.small.render(view.status, LABEL, bg)
        self._paste(left, 12, y)
        if view.alerts:
            warn = self.small.render(" · ".join(view.alerts), WARN, bg)
            x = max(24 + left.shape[1], self.w - 12 - warn.shape[1])
            self._paste(warn, x, y)


def fit_picture(image: np.ndarray, w: int, h: int) -> np.ndarray:
    """(H, W, C) picture scaled to fit a ``w`` x ``h`` px box, aspect kept: bicubic up, INTER_AREA down."""
    ih, iw = image.shape[:2]
    f = min(w / iw, h / ih)
    size = (max(1, round(iw * f)), max(1, round(ih * f)))
    return cv2.resize(image, size, interpolation=cv2.INTER_CUBIC if f > 1 else cv2.INTER_AREA)
