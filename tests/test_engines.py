"""The engine seam: a backend is one file in edge_vdialog/engines/, chosen by `[engines] backend`."""

from __future__ import annotations

import numpy as np
import pytest

from edge_vdialog import engines
from edge_vdialog.bundle import Bundle, default_bundle_dir
from edge_vdialog.errors import ConfigError, UserError
from edge_vdialog.settings import Settings

BACKEND = '''
"""A backend that runs everything on ONNX Runtime and says so in its provider name."""
from edge_vdialog.engines import ort

LOADED = []


def load_engine(path, options):
    LOADED.append(path.name)
    engine = ort.load_engine(path, options)
    engine.provider = "recording:" + engine.provider
    return engine


def load_decoder(path, max_context, options, shared_kv):
    LOADED.append(path.name)
    decoder = ort.load_decoder(path, max_context, options, shared_kv)
    decoder.provider = "recording:" + decoder.provider
    return decoder
'''


@pytest.fixture
def recording_backend(tmp_path, monkeypatch):
    """``recording.py`` dropped next to the real backends (a second folder on the package path)."""
    (tmp_path / "recording.py").write_text(BACKEND)
    monkeypatch.setattr(engines, "__path__", [*engines.__path__, str(tmp_path)])
    yield
    import sys
    sys.modules.pop("edge_vdialog.engines.recording", None)


def test_backends_are_the_files_of_the_package(recording_backend):
    from pathlib import Path
    files = sorted(p.stem for p in Path(engines.__file__).parent.glob("[!_]*.py"))
    assert "ort" in files and engines.backends() == sorted([*files, "recording"])


def test_a_new_file_is_a_backend_for_every_model(recording_backend, tiny):
    from edge_vdialog.assemble import load_models

    settings = Settings.model_validate({
        "engines": {"backend": "recording", "providers": ["cpu"], "threads": 1},
        "dialogue": {"bundle": str(tiny["gpt2_int8"])},
        "imagegen": {"bundle": str(default_bundle_dir())}})
    models = load_models(settings)
    from edge_vdialog.engines import recording
    assert sorted(recording.LOADED) == ["generator.onnx", "model.onnx", "text_encoder.onnx"]
    assert models.backend == "recording:CPUExecutionProvider"
    assert "".join(models.chat.send("hello", models.sampling))
    assert models.generator.generate("a red apple", seed=1).shape == (64, 64, 3)


def test_unknown_backend_is_refused_with_the_list():
    with pytest.raises(ConfigError, match="unknown backend 'jetson'; this runtime has: ort"):
        from edge_vdialog.settings import load_settings
        load_settings(None, environ={"EDGE_VDIALOG__ENGINES__BACKEND": "jetson"})
    with pytest.raises(UserError, match="unknown inference backend .nope.*supported: ort"):
        engines.open_engine(default_bundle_dir() / "generator" / "generator.onnx",
                            engines.EngineOptions(backend="nope"))


def test_loaders_dispatch_on_component_kind(tmp_path):
    import json
    import shutil

    from edge_vdialog.errors import BundleError
    from edge_vdialog.loaders import load_component

    shutil.copytree(default_bundle_dir(), tmp_path / "b")
    manifest = tmp_path / "b" / "manifest.json"
    data = json.loads(manifest.read_text())
    gen = load_component(Bundle.load(tmp_path / "b"), "generator", engines.EngineOptions(threads=1))
    assert gen.generate("a dog", seed=0).dtype == np.uint8
    data["components"]["generator"]["kind"] = "diffusion"
    manifest.write_text(json.dumps(data))
    with pytest.raises(BundleError, match="kind 'diffusion'.*loadable kinds: causal-lm, gan-generator"):
        load_component(Bundle.load(tmp_path / "b"), "generator", engines.EngineOptions())
