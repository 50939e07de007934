"""Unicode text as cached BGR bitmaps: Latin, CJK and colour emoji, with word wrap.

Pillow has no font fallback, so text is split into runs: emoji go to Noto Color Emoji (a
bitmap font drawn at its one size, 109 px, then scaled to the line), everything else to
Noto Sans CJK, which also covers Latin, Greek, Cyrillic, kana and Hangul. Without those fonts
(Debian ``fonts-noto-cjk``, ``fonts-noto-color-emoji``) Pillow's built-in font draws what it
can, with a warning. Rendered lines and measured widths are cached, so a frame that shows the
same text again costs only a copy.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

log = logging.getLogger(__name__)
Rgb = tuple[int, int, int]
CJK_FONTS = (("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # index 2: SC
             ("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc", 2),
             ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2))
EMOJI_FONTS = ("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",
               "/usr/share/fonts/noto/NotoColorEmoji.ttf")
EMOJI_PX = 109
"""The only size Noto Color Emoji's bitmaps come in, pixels."""
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF\u200D\uFE0F"
                   "\U000E0020-\U000E007F\u20E3]+")
UNDRAWABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters and lone surrogates: raqm refuses to lay them out; they become spaces."""
BREAKS = re.compile(r"\s+|[\u2E80-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF\u3000-\u303F]|"
                    + EMOJI.pattern + r"|[^\s\u2E80-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF\u3000-\u303F"
                    + EMOJI.pattern[1:-2] + r"]+")


@dataclass(frozen=True)
class Fonts:
    text: str | None
    """Path of the CJK-capable font, None: Pillow's built-in font."""
    text_index: int
    emoji: str | None

    @classmethod
    def find(cls) -> Fonts:
        text = next(((p, i) for p, i in CJK_FONTS if Path(p).is_file()), (None, 0))
        emoji = next((p for p in EMOJI_FONTS if Path(p).is_file()), None)
        if text[0] is None:
            log.warning("no CJK font found: Chinese/Japanese/Korean text will not render "
                        "(apt install fonts-noto-cjk)")
        if emoji is None:
            log.warning("no colour emoji font found: emoji will not render "
                        "(apt install fonts-noto-color-emoji)")
        return cls(text[0], text[1], emoji)


class TextRenderer:
    """Text of one size: ``width(s)``, ``wrap(s, px)``, ``render(s, fg, bg)``."""

    def __init__(self, fonts: Fonts, size: int) -> None:
        self.size = size
        """Font size, pixels."""
        self.font = (ImageFont.truetype(fonts.text, size, index=fonts.text_index) if fonts.text
                     else ImageFont.load_default(size))
        self.emoji = ImageFont.truetype(fonts.emoji, EMOJI_PX) if fonts.emoji else None
        ascent, descent = self.font.getmetrics()
        self.line_height = ascent + descent
        """Height of every rendered line, pixels."""
        self._emoji_scale = self.size * 1.15 / EMOJI_PX
        self.width = functools.lru_cache(maxsize=4096)(self._width)
        self.render = functools.lru_cache(maxsize=512)(self._render)
        self._emoji_bitmap = functools.lru_cache(maxsize=256)(self._draw_emoji)

    def runs(self, text: str) -> list[tuple[bool, str]]:
        """(is_emoji, piece) in order."""
        out, pos = [], 0
        for m in EMOJI.finditer(text) if self.emoji else ():
            if m.start() > pos:
                out.append((False, text[pos:m.start()]))
            out.append((True, m.group()))
            pos = m.end()
        if pos < len(text):
            out.append((False, text[pos:]))
        return out

    def _width(self, text: str) -> int:
        """Advance width of ``text``, pixels."""
        text = UNDRAWABLE.sub(" ", text)
        return round(sum(self.emoji.getlength(s) * self._emoji_scale if e else self.font.getlength(s)
                         for e, s in self.runs(text)))

    def wrap(self, text: str, max_width: int) -> list[str]:
        """Lines no wider than ``max_width`` px: breaks at spaces and between CJK characters."""
        lines: list[str] = []
        for paragraph in UNDRAWABLE.sub(" ", text).split("\n"):
            line, used = "", 0
            for token in BREAKS.findall(paragraph):
                w = self.width(token)
                if used + w > max_width and line.strip():
                    lines.append(line.rstrip())
                    line, used = ("", 0) if token.isspace() else (token, w)
                    continue
                line, used = line + token, used + w
            lines.append(line.rstrip())
        return lines

    def _render(self, text: str, fg: Rgb, bg: Rgb) -> np.ndarray:
        """One line on a solid background: line_height x width x 3 uint8 BGR."""
        text = UNDRAWABLE.sub(" ", text)
        image = Image.new("RGB", (max(1, self.width(text)), self.line_height), bg)
        draw, x = ImageDraw.Draw(image), 0.0
        for is_emoji, piece in self.runs(text):
            if is_emoji:
                x += self._paste_emoji(image, piece, round(x))
            else:
                draw.text((x, 0), piece, font=self.font, fill=fg)
                x += self.font.getlength(piece)
        return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)

    def _paste_emoji(self, image: Image.Image, piece: str, x: int) -> float:
        small = self._emoji_bitmap(piece)
        image.paste(small, (x, max(0, (self.line_height - small.height) // 2)), small)
        return self.emoji.getlength(piece) * self._emoji_scale

    def _draw_emoji(self, piece: str) -> Image.Image:
        """The emoji drawn at 109 px and scaled to this size, RGBA."""
        _, _, right, bottom = self.emoji.getbbox(piece)
        big = Image.new("RGBA", (max(1, right), max(1, bottom)), (0, 0, 0, 0))
        ImageDraw.Draw(big).text((0, 0), piece, font=self.emoji, embedded_color=True)
        w = max(1, round(self.emoji.getlength(piece) * self._emoji_scale))
        h = max(1, round(bottom * self._emoji_scale))
        return big.resize((w, h), Image.Resampling.LANCZOS)
