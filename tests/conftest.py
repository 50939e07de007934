"""Shared fixtures: tiny real language models, built once per session (export takes ~1 s each),
and a models folder that holds only the committed default bundle."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.dialogue.tiny_models import build_all


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> dict[str, Path]:
    """Checkpoints ``gpt2``, ``llama``; bundles ``gpt2_fp32``, ``gpt2_int8``, ``llama_fp32``, ``llama_concat``."""
    return build_all(tmp_path_factory.getbasetemp() / "tiny-lm")


@pytest.fixture(scope="session")
def default_bank():
    """The committed default bundle's answer bank, with its line classifiers over its real text encoder (loaded
    once: ~1 s)."""
    from edge_vdialog.bundle import Bundle
    from edge_vdialog.dialogue.answers import AnswerBank

    return AnswerBank.load(Bundle.load(ROOT / "models" / "default"))


@pytest.fixture(scope="session", autouse=True)
def committed_models_only(tmp_path_factory):
    """``$EDGE_VDIALOG_MODELS`` -> a folder holding only a link to the committed ``models/default``.

    What ``make models`` or ``make demo`` built into ``models/`` (SmolLM2) never changes what a test
    loads by default; subprocesses inherit the variable."""
    models = tmp_path_factory.mktemp("models")
    (models / "default").symlink_to(ROOT / "models" / "default", target_is_directory=True)
    before = os.environ.get("EDGE_VDIALOG_MODELS")
    os.environ["EDGE_VDIALOG_MODELS"] = str(models)
    yield models
    if before is None:
        os.environ.pop("EDGE_VDIALOG_MODELS", None)
    else:
        os.environ["EDGE_VDIALOG_MODELS"] = before
