"""Tiny real models for the dialogue tests: built once per session (export takes ~1 s each)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.dialogue.tiny_models import build_all  # noqa: E402


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> dict[str, Path]:
    """Checkpoints ``gpt2``, ``llama`` and bundles ``gpt2_fp32``, ``gpt2_int8``, ``llama_fp32``."""
    return build_all(tmp_path_factory.getbasetemp() / "tiny-lm")


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """``edge-vdialog ARGS`` in a fresh process; stdout/stderr as text."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("EDGE_VDIALOG_DEBUG", None)
    out = subprocess.run([sys.executable, "-m", "edge_vdialog", *args], input=stdin,
                         capture_output=True, env=env, cwd=ROOT, timeout=120)
    return subprocess.CompletedProcess(out.args, out.returncode, out.stdout.decode("utf-8"),
                                       out.stderr.decode("utf-8", "replace"))
