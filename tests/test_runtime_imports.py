"""The runtime never imports torch, transformers or optimum (a fresh process, after real use)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.dialogue.tiny_models import build_all

HEAVY = ("torch", "transformers", "optimum")
OPTIONAL = ("sounddevice", "faster_whisper", "picamera2", "tensorrt", "cuda")
"""Packages of the runtime's extras (audio, picamera, tensorrt): a module may need one at import."""
SCRIPT = """
import json, sys, pkgutil, importlib
import edge_vdialog
for m in pkgutil.walk_packages(edge_vdialog.__path__, "edge_vdialog."):
    if m.name != "edge_vdialog.__main__":
        try:
            importlib.import_module(m.name)
        except ImportError as e:
            if (e.name or "").split(".")[0] not in %r:
                raise
from edge_vdialog.bundle import Bundle
from edge_vdialog.dialogue import Sampling, load_chat
chat = load_chat(Bundle.load(sys.argv[1]))
reply = "".join(chat.send("hello", Sampling(seed=0, max_new_tokens=4)))
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in %r)))
""" % (OPTIONAL, HEAVY)


def test_runtime_imports_no_heavy_packages(tmp_path_factory):
    bundle = build_all(tmp_path_factory.getbasetemp() / "tiny-lm")["gpt2_int8"]
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(bundle)], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
