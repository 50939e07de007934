"""Run the ``edge-vdialog`` CLI in a fresh process, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """``edge-vdialog ARGS`` in a fresh process; stdout/stderr as text."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("EDGE_VDIALOG_DEBUG", None)
    out = subprocess.run([sys.executable, "-m", "edge_vdialog", *args], input=stdin,
                         capture_output=True, env=env, cwd=ROOT, timeout=120)
    return subprocess.CompletedProcess(out.args, out.returncode, out.stdout.decode("utf-8"),
                                       out.stderr.decode("utf-8", "replace"))
