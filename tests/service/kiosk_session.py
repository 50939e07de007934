"""``edge-vdialog run`` as systemd runs it, plus one fault seam: typed ``hang`` blocks the dialogue
model forever, as a stuck inference call would.

Models: the default bundle when it is built (real ONNX Runtime sessions), else the kiosk tests'
stand-ins (tests/standins.py: trivial models behind the same interfaces), so the app's threads,
notifier and health server run for real either way. Arguments are those of ``edge-vdialog run``.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from edge_vdialog import assemble
from edge_vdialog.bundle import MANIFEST, default_bundle_dir
from edge_vdialog.cli import main


class HangOnRequest:
    """Delegates to the real chat; text containing ``hang`` never returns."""

    def __init__(self, chat) -> None:
        self.chat, self.provider = chat, chat.provider

    def reset(self) -> None:
        self.chat.reset()

    def remember(self, text, reply) -> None:
        self.chat.remember(text, reply)

    def prepare(self, cancel) -> None:
        self.chat.prepare(cancel)

    def send(self, text, sampling=None, cancel=None):
        if "hang" in text:
            threading.Event().wait()
        yield from self.chat.send(text, sampling, cancel=cancel)


def load_models(settings):
    if (default_bundle_dir() / MANIFEST).is_file():
        models = real_load_models(settings)
    else:
        from tests.standins import HashImages, ScriptedChat

        models = assemble.Models(ScriptedChat(), None, HashImages(), ScriptedChat.provider)
    models.chat = HangOnRequest(models.chat)
    return models


real_load_models, assemble.load_models = assemble.load_models, load_models

if __name__ == "__main__":
    raise SystemExit(main(["run", *sys.argv[1:]]))
