"""Tests load what the commit holds, never what a build left in the checkout (``models/smollm2``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from edge_vdialog.bundle import (
    default_bundle_dir,
    default_dialogue_bundle_dir,
    models_dir,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "service"))

from service_helpers import service_env

PROBE = "from edge_vdialog.bundle import default_dialogue_bundle_dir as d; print(d().resolve())"


def test_models_folder_holds_only_the_committed_default():
    assert models_dir().resolve() != (ROOT / "models").resolve()
    assert sorted(p.name for p in models_dir().iterdir()) == ["default"]
    assert default_bundle_dir().resolve() == (ROOT / "models" / "default").resolve()
    assert default_dialogue_bundle_dir() == default_bundle_dir()


def test_kiosk_subprocesses_see_the_same_models_folder():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          env=service_env(), cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str((ROOT / "models" / "default").resolve())
