"""Unicode text as cached BGR bitmaps: Latin, CJK, Arabic, Hebrew, ... and colour emoji, wrapped.

Pillow has no font fallback, so text is split into runs, each drawn with the first font that
has its glyphs: Noto Sans CJK (Latin, Greek, Cyrillic, CJK, kana, Hangul), then DejaVu Sans
(Arabic, Hebrew, Armenian, Georgian, U+FFFD, ...), and for emoji Noto Color Emoji (a bitmap font
drawn at its one size, 109 px, and scaled to the line). raqm shapes each run (joining, right to
left, ZWJ sequences). Fonts come from Debian ``fonts-noto-cjk``, ``fonts-dejavu-core`` and
``fonts-noto-color-emoji``; without them Pillow's built-in font draws what it can, with a warning.
Widths, lines and emoji are cached, so a frame that shows the same text again costs a copy.
"""

from __future__ import annotations

import functools
import logging
import re
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

log = logging.getLogger(__name__)
Rgb = tuple[int, int, int]
TEXT_FONTS = (("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # index 2: SC
              ("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc", 2),
              ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0))
EMOJI_FONTS = ("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",)
EMOJI_PX = 109
"""The only size Noto Color Emoji's bitmaps come in, pixels."""
EMOJI_CLASS = ("\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF\u200D\uFE0F"
               "\U000E0020-\U000E007F\u20E3")
EMOJI = re.compile(f"[{EMOJI_CLASS}]+")
UNDRAWABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters and lone surrogates: raqm refuses to lay them out; they become spaces."""
CJK_CLASS = "\u2E80-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF\u3000-\u303F"
BREAKS = re.compile(rf"\s+|[{CJK_CLASS}]|[{EMOJI_CLASS}]+|[^\s{CJK_CLASS}{EMOJI_CLASS}]+")
"""Wrap units: spaces, single CJK characters, emoji sequences, words."""
EMOJI_RUN = -1


@dataclass(frozen=True)
class Fonts:
    text: tuple[tuple[str, int], ...]
    """(path, face index) of the text fonts, in fallback order; empty: Pillow's built-in font."""
    emoji: str | None
    """The colour emoji font; None: emoji do not render."""
    cjk: str | None = None
    """The text font that draws Chinese, Japanese and Korean; None: they render as boxes."""

    @classmethod
    def find(cls) -> Fonts:
        """Debian's paths, else what fontconfig lists for Chinese and for emoji (``edge-vdialog
        doctor`` reports what this finds)."""
        text = tuple((p, i) for p, i in TEXT_FONTS if Path(p).is_file())
        cjk = next((p for p, _ in text if "CJK" in p), None)
        if cjk is None:
            found = _fc_list(":lang=zh", prefer=("Sans", "SC", "Regular"), avoid="Mono")
            text, cjk = found + text, next((p for p, _ in found), None)
        emoji = next((p for p in EMOJI_FONTS if Path(p).is_file()), None) or next(
            (p for p, _ in _fc_list(":charset=1f600", prefer=("Color",), need="Emoji")), None)
        if cjk is None:
            log.warning("no CJK font: Chinese/Japanese/Korean text will not render "
                        "(apt install fonts-noto-cjk)")
        if emoji is None:
            log.warning("no colour emoji font: emoji will not render (apt install fonts-noto-color-emoji)")
        return cls(text, emoji, cjk)


def _fc_list(pattern: str, prefer: tuple[str, ...], need: str = "", avoid: str = "\0"
             ) -> tuple[tuple[str, int], ...]:
    """The best (file, face index) fontconfig lists for ``pattern``; () without fontconfig."""
    try:
        out = subprocess.run(["fc-list", "-f", "%{file}|%{index}|%{family}\n", pattern],
                             capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    fonts = [line.split("|", 2) for line in out.splitlines() if line.count("|") == 2]
    fonts = [f for f in fonts if need in f[2] and avoid not in f[2]]
    if not fonts:
        return ()
    best = max(fonts, key=lambda f: sum(word in f[0] + f[2] for word in prefer))
    return ((best[0], int(best[1])),)


RENDERED_LINES = 64
"""Line bitmaps kept per text size: more than one frame shows (a long reply wraps to ~12 lines).
Each is up to ~100 kB (a 720p-wide line), and the status line is new at every turn, so the former
512 kept filling for a thousand turns (~40 MB of a 1,000-turn soak's growth, issue 18.12)."""

class TextRenderer:
    """Text of one size: ``width(s)``, ``wrap(s, px)``, ``render(s, fg, bg)``."""

    def __init__(self, fonts: Fonts, size: int) -> None:
        self.size = size
        """Font size, pixels."""
        self.fonts = [ImageFont.truetype(p, size, index=i) for p, i in fonts.text] or [
            ImageFont.load_default(size)]
        self.emoji = ImageFont.truetype(fonts.emoji, EMOJI_PX) if fonts.emoji else None
        ascent, descent = self.fonts[0].getmetrics()
        self.ascent, self.line_height = ascent, ascent + descent
        """line_height: height of every rendered line, pixels."""
        self._notdef = [self._glyph(f, "\uffff") for f in self.fonts]  # what a missing glyph draws
        self._emoji_scale = self.size * 1.15 / EMOJI_PX
        self.width = functools.lru_cache(maxsize=4096)(self._width)
        self.render = functools.lru_cache(maxsize=RENDERED_LINES)(self._render)
        self._font_of = functools.lru_cache(maxsize=8192)(self._first_font_with)
        self._in_emoji_font = functools.lru_cache(maxsize=4096)(self._emoji_has)
        self._emoji_bitmap = functools.lru_cache(maxsize=256)(self._draw_emoji)

    @staticmethod
    def _glyph(font, ch: str) -> tuple:
        mask = font.getmask(ch)
        return mask.size, bytes(mask)

    def _emoji_has(self, ch: str) -> bool:
        _, top, _, bottom = self.emoji.getbbox(ch)
        return bottom > top  # a missing glyph is drawn empty

    def _first_font_with(self, ch: str) -> int:
        for i, font in enumerate(self.fonts):
            if self._glyph(font, ch) != self._notdef[i]:
                return i
        return 0

    def runs(self, text: str) -> list[tuple[int, str]]:
        """(font index or EMOJI_RUN, piece) in order; spaces and marks stay with their run."""
        out: list[tuple[int, str]] = []
        pos = 0
        for m in EMOJI.finditer(text) if self.emoji else ():
            if not self._in_emoji_font(m.group()[0]):  # e.g. ✓: a symbol, not an emoji
                continue
            self._text_runs(text[pos:m.start()], out)
            out.append((EMOJI_RUN, m.group()))
            pos = m.end()
        self._text_runs(text[pos:], out)
        return out

    def _text_runs(self, text: str, out: list[tuple[int, str]]) -> None:
        current, start = None, 0
        for k, ch in enumerate(text):
            if ch.isspace() or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
                continue  # joins whichever run it is in
            font = self._font_of(ch) if len(self.fonts) > 1 else 0
            if font != current and current is not None:
                out.append((current, text[start:k]))
                start = k
            current = font
        if start < len(text):
            out.append((current or 0, text[start:]))

    def _width(self, text: str) -> int:
        """Advance width of ``text``, pixels."""
        text = UNDRAWABLE.sub(" ", text)
        return round(sum(self.emoji.getlength(s) * self._emoji_scale if f == EMOJI_RUN
                         else self.fonts[f].getlength(s) for f, s in self.runs(text)))

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
        for f, piece in self.runs(text):
            if f == EMOJI_RUN:
                small = self._emoji_bitmap(piece)
                image.paste(small, (round(x), max(0, (self.line_height - small.height) // 2)), small)
                x += self.emoji.getlength(piece) * self._emoji_scale
            else:
                font = self.fonts[f]
                draw.text((x, self.ascent - font.getmetrics()[0]), piece, font=font, fill=fg)
                x += font.getlength(piece)
        return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)

    def _draw_emoji(self, piece: str) -> Image.Image:
        """The emoji drawn at 109 px and scaled to this size, RGBA."""
        _, _, right, bottom = self.emoji.getbbox(piece)
        big = Image.new("RGBA", (max(1, right), max(1, bottom)), (0, 0, 0, 0))
        ImageDraw.Draw(big).text((0, 0), piece, font=self.emoji, embedded_color=True)
        w = max(1, round(self.emoji.getlength(piece) * self._emoji_scale))
        h = max(1, round(bottom * self._emoji_scale))
        return big.resize((w, h), Image.Resampling.LANCZOS)
