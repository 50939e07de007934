"""Small real stand-ins behind the dialogue and image-generator interfaces, for kiosk tests.

They do real (if trivial) work with the same call shapes as ``load_chat(...)`` and
``load_image_generator(...)``, so the kiosk's threads, cancellation and timing paths run for real.
"""

from __future__ import annotations

import hashlib
import threading
import time

import numpy as np


class ScriptedChat:
    """Replies with a fixed sentence, one word per ``step_s``; raises for text containing ``boom``."""

    provider = "CPUExecutionProvider"

    def __init__(self, reply: str = "Nice to meet you! 你好 🍕 Let us talk about pictures.",
                 step_s: float = 0.01) -> None:
        self.reply, self.step_s = reply, step_s
        self.history: list[tuple[str, str]] = []
        self.resets = 0

    def reset(self) -> None:
        self.history.clear()
        self.resets += 1

    def send(self, text: str, sampling=None, cancel: threading.Event | None = None):
        if "boom" in text:
            raise RuntimeError("the model fell over")
        out = ""
        for i, word in enumerate(self.reply.split(" ")):
            if cancel is not None and cancel.is_set():
                break
            time.sleep(self.step_s)
            piece = word if i == 0 else " " + word
            out += piece
            yield piece
        self.history.append((text, out))


class HashImages:
    """A 64x64 RGB picture whose colours come from the text's hash."""

    def generate(self, text: str, seed: int | None = None) -> np.ndarray:
        digest = hashlib.sha256(f"{text}|{seed}".encode()).digest()
        rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
        return rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
