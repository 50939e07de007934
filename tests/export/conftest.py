from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.dialogue.tiny_models import build_all  # noqa: E402


@pytest.fixture(scope="session")
def tiny_lm(tmp_path_factory) -> dict[str, Path]:
    """The dialogue tests' tiny checkpoints and bundles (shared on disk, built once)."""
    return build_all(tmp_path_factory.getbasetemp() / "tiny-lm")
