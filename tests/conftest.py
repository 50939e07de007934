"""Shared fixtures: tiny real language models, built once per session (export takes ~1 s each)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.dialogue.tiny_models import build_all  # noqa: E402


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> dict[str, Path]:
    """Checkpoints ``gpt2``, ``llama``; bundles ``gpt2_fp32``, ``gpt2_int8``, ``llama_fp32``, ``llama_concat``."""
    return build_all(tmp_path_factory.getbasetemp() / "tiny-lm")
