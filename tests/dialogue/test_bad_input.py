"""Bad input gives a one-line error or a sane reply, never a traceback."""

from __future__ import annotations

import shutil

import onnx
import pytest
from onnx import TensorProto, helper

from export.common.bundle_writer import write_component
from tests.dialogue.cli import run_cli


def one_line_error(out) -> str:
    assert out.returncode != 0 and "Traceback" not in out.stderr, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), out.stderr
    return lines[0]


@pytest.fixture
def bundle_copy(tiny, tmp_path):
    dst = tmp_path / "bundle"
    shutil.copytree(tiny["gpt2_int8"], dst)
    return dst


@pytest.mark.parametrize("text", ["", "   ", "\x01\x02\x1b\x7f\x9b"])
def test_empty_or_control_only_text(tiny, text):
    assert "empty" in one_line_error(run_cli("chat", "--bundle", str(tiny["gpt2_int8"]), text))


def test_control_characters_are_dropped(tiny):
    out = run_cli("chat", "--bundle", str(tiny["gpt2_int8"]), "--greedy", "hi\x01 there\x1b[0m\x07")
    assert out.returncode == 0 and out.stderr == "" and out.stdout.endswith("\n")


def test_100kb_text_gets_a_reply(tiny):
    out = run_cli("chat", "--bundle", str(tiny["gpt2_int8"]), "--max-new-tokens", "8", "word " * 20000)
    assert out.returncode == 0, out.stderr


def test_invalid_utf8_on_stdin(tiny):
    stdin = b"hello \xff\xfe there\n\n\xc3\x28 again\x00\nfine \xf0\x9f\x98\x80\n"
    out = run_cli("chat", "--bundle", str(tiny["llama_fp32"]), "--max-new-tokens", "6", stdin=stdin)
    assert out.returncode == 0 and "Traceback" not in out.stderr
    assert len(out.stdout.splitlines()) >= 3                      # one reply per non-empty line
    assert out.stderr.count("not valid UTF-8") == 2


def test_missing_file(bundle_copy):
    (bundle_copy / "dialogue" / "model.onnx.data").unlink()
    assert "model.onnx.data is missing" in one_line_error(run_cli("chat", "--bundle", str(bundle_copy), "hi"))


def test_corrupt_file(bundle_copy):
    data = bundle_copy / "dialogue" / "model.onnx"
    raw = bytearray(data.read_bytes())
    raw[100] ^= 0xFF
    data.write_bytes(bytes(raw))
    assert "corrupt" in one_line_error(run_cli("chat", "--bundle", str(bundle_copy), "hi"))


def test_no_bundle(tmp_path):
    assert "manifest.json" in one_line_error(run_cli("chat", "--bundle", str(tmp_path), "hi"))


def test_onnx_with_wrong_inputs(tiny, tmp_path):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    model = helper.make_model(helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g", [x], [y]))
    onnx.save(model, tmp_path / "model.onnx")
    src = tiny["gpt2_int8"] / "dialogue"
    write_component(tmp_path / "b", "dialogue", {"model": tmp_path / "model.onnx",
                                                "tokenizer": src / "tokenizer.json"},
                    kind="causal-lm", config={"eos_token_ids": [0], "max_context": 64})
    line = one_line_error(run_cli("chat", "--bundle", str(tmp_path / "b"), "hi"))
    assert "not a decoder with past key values" in line and "python -m export causal-lm" in line


def test_bad_max_new_tokens(tiny):
    one_line_error(run_cli("chat", "--bundle", str(tiny["gpt2_int8"]), "--max-new-tokens", "0", "hi"))


def test_drafts_that_would_change_nothing_are_refused(tiny):
    for extra in (("--drafts", "5"), ("--drafts", "2", "--greedy"), ("--drafts", "2", "--raw")):
        assert "--drafts" in one_line_error(run_cli("chat", "--bundle", str(tiny["gpt2_int8"]), *extra, "hi"))


def _set_config(bundle, **changes) -> None:
    import json
    manifest = bundle / "manifest.json"
    data = json.loads(manifest.read_text())
    data["components"]["dialogue"]["config"].update(changes)
    manifest.write_text(json.dumps(data))


@pytest.mark.parametrize("changes,says", [
    ({"max_context": 10**9}, "max_context 1000000000 must be from 32 to the model's limit"),
    ({"max_context": -5}, "max_context -5 must be from 32"),
    ({"max_context": 0}, "max_context 0 must be from 32"),
    ({"max_context": 129, "model_max_context": 128}, "max_context 129 must be from 32 to the model's limit 128"),
    ({"eos_token_ids": []}, "eos_token_ids [] must name 1 or more ids"),
    ({"eos_token_ids": [10**6]}, "below the vocabulary size"),
    ({"eos_token_ids": "x"}, "dialogue config is incomplete"),
    ({"prompt_format": "alpaca"}, "prompt_format 'alpaca' is not one of eos-turns, chatml"),
])
def test_bad_bundle_config_is_named(bundle_copy, changes, says):
    _set_config(bundle_copy, **changes)
    line = one_line_error(run_cli("chat", "--bundle", str(bundle_copy), "hi"))
    assert says in line and "rebuild the bundle" in line, line


def test_system_prompt_longer_than_the_context_is_named(tiny, tmp_path):
    shutil.copytree(tiny["llama_fp32"], tmp_path / "b")
    _set_config(tmp_path / "b", system_prompt="be kind. " * 200)
    line = one_line_error(run_cli("chat", "--bundle", str(tmp_path / "b"), "hi"))
    assert "the system prompt takes" in line and "128-token context" in line, line
