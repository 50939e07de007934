"""`edge-vdialog doctor` on a real (tiny) bundle and real devices: a table, one line per problem."""

from __future__ import annotations

import subprocess
import sys

import pytest
from service_helpers import REPO, service_env

onnx = pytest.importorskip("onnx")


def tiny_bundle(root):
    """A bundle whose dialogue component is a real one-node ONNX model (Identity)."""
    from onnx import TensorProto, helper

    from export.common.bundle_writer import write_component

    x = helper.make_tensor_value_info("input_ids", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 4])
    graph = helper.make_graph([helper.make_node("Identity", ["input_ids"], ["logits"])], "g", [x], [y])
    model = root.parent / "model.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), model)
    return write_component(root, "dialogue", {"model": model}, kind="causal-lm")


def doctor(tmp_path, camera: str, display: str = "null://", **env: str):
    config = tmp_path / "config.toml"
    config.write_text(f'[camera]\nuri = "{camera}"\n[mic]\nuri = "none"\n[display]\nuri = "{display}"\n'
                      f'[dialogue]\nbundle = "{tmp_path / "bundle"}"\n[imagegen]\nenabled = false\n'
                      '[engines]\nproviders = ["cpu"]\n')
    return subprocess.run([sys.executable, "-m", "edge_vdialog", "doctor", "--config", str(config)],
                          capture_output=True, text=True, env=service_env(**env), cwd=REPO, timeout=120)


def problems(stdout: str) -> dict[str, str]:
    """``problem: NAME: detail; fix: ...`` lines by check name."""
    return {line.split(": ")[1]: line for line in stdout.splitlines() if line.startswith("problem: ")}


def test_doctor_passes_and_then_names_each_problem(tmp_path):
    bundle = tiny_bundle(tmp_path / "bundle")
    done = doctor(tmp_path, "test://")
    rows = {line.split("  ")[0].strip(): line for line in done.stdout.splitlines() if "  " in line}
    for name in ("dialogue bundle", "providers", "camera", "display", "memory"):
        assert " ok " in rows[name], done.stdout
    assert "runs on CPUExecutionProvider" in rows["providers"]
    failed = {name for name, row in rows.items() if "  FAIL  " in row}
    assert failed <= {"fonts"}, done.stdout  # the host's fonts are its own; all else must pass
    assert set(problems(done.stdout)) == failed and done.returncode == (1 if failed else 0)

    (bundle / "dialogue" / "model.onnx").write_bytes(b"not a model")
    broken = doctor(tmp_path, "v4l2:///dev/video-unplugged")
    assert broken.returncode == 1
    assert {"dialogue bundle", "camera"} <= set(problems(broken.stdout)), broken.stdout
    assert "dialogue/model.onnx has 11 bytes" in broken.stdout and "Traceback" not in broken.stdout + broken.stderr


def test_display_and_fonts_are_probed_as_the_kiosk_does(tmp_path):
    from edge_vdialog.compose.text import Fonts

    tiny_bundle(tmp_path / "bundle")
    done = doctor(tmp_path, "none", display="display://0", DISPLAY=":87")  # no X server there
    assert "no display: cannot reach X display :87" in problems(done.stdout).get("display", ""), done.stdout
    fonts = Fonts.find()
    row = next(line for line in done.stdout.splitlines() if line.startswith("fonts "))
    assert f"CJK: {fonts.cjk}" in row if fonts.cjk else "no CJK font" in row
