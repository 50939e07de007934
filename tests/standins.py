"""Small real stand-ins behind the dialogue and image-generator interfaces, for kiosk tests.

They do real (if trivial) work with the same call shapes as ``load_chat(...)`` and
``load_image_generator(...)``, so the kiosk's threads, cancellation and timing paths run for real.
"""

from __future__ import annotations

import hashlib
import threading

import numpy as np


class ScriptedChat:
    """Replies with a fixed sentence, one word per ``step_s``; raises for text containing ``boom``."""

    provider = "CPUExecutionProvider"

    def __init__(self, reply: str = "Nice to meet you! 你好 🍕 Let us talk about pictures.",
                 step_s: float = 0.01) -> None:
        self.reply, self.step_s = reply, step_s
        self.history: list[tuple[str, str]] = []
        self.resets = 0
        self.prepared = 0

    def reset(self) -> None:
        self.history.clear()
        self.resets += 1

    def remember(self, text: str, reply: str) -> None:
        self.history.append((text, reply))

    def prepare(self, cancel: threading.Event) -> None:
        self.prepared += 1

    def send(self, text: str, sampling=None, cancel: threading.Event | None = None):
        if "boom" in text:
            raise RuntimeError("the model fell over")
        out, cancel = "", cancel or threading.Event()
        for i, word in enumerate(self.reply.split(" ")):
            if cancel.wait(self.step_s):  # a word per step; a cancel ends it at once
                break
            piece = word if i == 0 else " " + word
            out += piece
            yield piece
        self.history.append((text, out))


class HashImages:
    """A 64x64 RGB picture whose colours come from the text's hash."""

    size = 64
    attribution = "Pictures: hashed colours"

    def generate(self, text: str, seed: int | None = None) -> np.ndarray:
        digest = hashlib.sha256(f"{text}|{seed}".encode()).digest()
        rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
        return rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)


def write_video(path, frames: int = 20, size: tuple[int, int] = (160, 120), fps: float = 30.0,
                face: bool = False) -> str:
    """A real MP4 written with OpenCV's VideoWriter: a moving bar, optionally a face emoji."""
    import cv2

    w, h = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    base = face_image(size) if face else np.full((h, w, 3), 90, np.uint8)
    for i in range(frames):
        image = base.copy()
        x = i * 7 % w
        image[:, x:x + 4] = (0, 200, 255)
        writer.write(image)
    writer.release()
    return str(path)


EMOJI_FONT = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"


def face_image(size: tuple[int, int] = (320, 240)) -> np.ndarray:
    """A grey frame with a large smiling-face emoji (Haar's frontal-face cascade finds it), BGR."""
    import cv2
    from PIL import Image, ImageDraw, ImageFont

    w, h = size
    glyph = Image.new("RGB", (136, 128), (200, 200, 200))
    ImageDraw.Draw(glyph).text((0, 0), "😀", font=ImageFont.truetype(EMOJI_FONT, 109),
                                embedded_color=True)
    side = min(w, h) * 2 // 3
    glyph = glyph.resize((side, side))
    canvas = Image.new("RGB", (w, h), (200, 200, 200))
    canvas.paste(glyph, ((w - side) // 2, (h - side) // 2))
    return cv2.cvtColor(np.asarray(canvas), cv2.COLOR_RGB2BGR)


def speech_or_tone_wav(path, text: str = "Can you draw me a picture of a cat?") -> tuple[str, bool]:
    """espeak-ng speech when installed (True), else tone bursts a VAD hears as speech (False)."""
    import shutil
    import subprocess
    import wave

    if shutil.which("espeak-ng"):
        subprocess.run(["espeak-ng", "-w", str(path), text], check=True, capture_output=True)
        return str(path), True
    rate = 16000
    t = np.arange(rate) / rate
    burst = (0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype(np.int16)  # 1 s at 220 Hz
    audio = np.concatenate([np.zeros(rate // 2, np.int16), burst, np.zeros(rate, np.int16)])
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1), f.setsampwidth(2), f.setframerate(rate)
        f.writeframes(audio.tobytes())
    return str(path), False


def wait_for(predicate, timeout_s: float = 10.0, step_s: float = 0.02) -> bool:
    """Poll ``predicate`` until true or ``timeout_s`` passes; returns its last value."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step_s)
    return bool(predicate())
