"""triton-repo writes its bundles as copies: the source bundle stays loadable by the ONNX toolchain."""

from __future__ import annotations

import json

from export.triton.triton_repo import write_repository


def test_repository_copies_files_and_leaves_the_bundle_loadable(tiny, tmp_path):
    import onnx

    bundle = tiny["gpt2_int8"]
    names = write_repository([bundle], tmp_path / "repo")
    served = tmp_path / "repo" / names[0] / "1" / "bundle"
    for src in (bundle / "dialogue").iterdir():
        copy = served / "dialogue" / src.name
        assert copy.read_bytes() == src.read_bytes()
        assert src.stat().st_nlink == 1 and copy.stat().st_ino != src.stat().st_ino
    assert list(json.loads((served / "manifest.json").read_text())["components"]) == ["dialogue"]
    onnx.load(str(bundle / "dialogue" / "model.onnx"))        # refused when its external data has two links
