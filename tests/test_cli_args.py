"""Bad command-line values are one actionable line, never an internal error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("args", [
    ("chat", "--seed", "-5", "hello"),
    ("chat", "--seed", str(2**64), "hello"),
    ("imagine", "--seed", "-5", "--out", "{tmp}/x.png", "an apple"),
])
def test_out_of_range_seed_is_a_clear_error(tmp_path, args):
    argv = [a.format(tmp=tmp_path) for a in args]
    env = {k: v for k, v in os.environ.items() if k != "EDGE_VDIALOG_DEBUG"}
    done = subprocess.run([sys.executable, "-m", "edge_vdialog", *argv], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 1 and done.stdout == "", done.stderr
    assert done.stderr.startswith("error: seed ") and "use an integer from 0" in done.stderr
    assert "internal error" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
