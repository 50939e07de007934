"""Bundle writing is atomic: a failed or killed export leaves the old bundle as it was, and the next
export removes what a killed one left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from edge_vdialog.bundle import MANIFEST, Bundle
from export.common.bundle_writer import SIBLING, bundle_export, write_component

ROOT = Path(__file__).resolve().parents[2]
KILL_AT = 20
"""The staged file during whose copy the killed export dies."""
"""Files in the component the killed export writes: enough that it is still copying them when killed."""


def _files(folder: Path, n: int, tag: str) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for i in range(n):
        out[f"f{i}"] = folder / f"{tag}{i}.bin"
        out[f"f{i}"].write_bytes(f"{tag} {i} ".encode() * 400)
    return out


def _snapshot(bundle: Path) -> dict[str, bytes]:
    return {p.relative_to(bundle).as_posix(): p.read_bytes() for p in sorted(bundle.rglob("*")) if p.is_file()}


def _leftovers(bundle: Path) -> list[Path]:
    return sorted(bundle.parent.glob(SIBLING.format(name=bundle.name, pid="*")))


def _verified(bundle: Path, name: str) -> dict[str, str]:
    comp = Bundle.load(bundle).component(name)
    comp.verify()
    return {role: comp.path(role).read_text() for role in comp.files}


def test_rewriting_a_component_replaces_it_whole_and_keeps_the_others(tmp_path):
    b = tmp_path / "b"
    write_component(b, "dialogue", _files(tmp_path / "v1", 2, "old"), kind="causal-lm")
    write_component(b, "generator", _files(tmp_path / "g", 1, "gen"), kind="gan-generator")
    write_component(b, "dialogue", {"model": _files(tmp_path / "v2", 1, "new")["f0"]}, kind="causal-lm",
                    config={"max_context": 64})
    assert sorted(p.name for p in (b / "dialogue").iterdir()) == ["new0.bin"]     # no stale old files
    assert _verified(b, "dialogue") == {"model": "new 0 " * 400}
    assert _verified(b, "generator") == {"f0": "gen 0 " * 400}
    assert Bundle.load(b).component("dialogue").config == {"max_context": 64}
    assert _leftovers(b) == []


def test_a_failed_export_leaves_the_bundle_as_it_was(tmp_path):
    b = write_component(tmp_path / "b", "dialogue", _files(tmp_path / "v1", 2, "old"), kind="causal-lm")
    before = _snapshot(b)
    with pytest.raises(RuntimeError, match="quantization failed"):
        with bundle_export(b) as export:
            export.write("dialogue", _files(tmp_path / "v2", 3, "new"), kind="causal-lm")
            (export.work / "huge.onnx").write_bytes(b"x" * 1000)
            raise RuntimeError("quantization failed")
    assert _snapshot(b) == before and _leftovers(b) == []


def test_an_export_killed_mid_write_leaves_the_old_bundle_and_the_next_one_cleans_up(tmp_path):
    b = write_component(tmp_path / "b", "dialogue", _files(tmp_path / "v1", 2, "old"), kind="causal-lm")
    before = _snapshot(b)
    _files(tmp_path / "v2", KILL_AT + 5, "new")
    # the export SIGKILLs itself while copying file KILL_AT: no race with how fast it writes
    child = subprocess.run(
        [sys.executable, "-c", "import os, shutil, signal, sys; from pathlib import Path; "
         "from export.common.bundle_writer import write_component; copy, n = shutil.copyfile, [0]\n"
         "def dying_copy(src, dst):\n"
         f"    n[0] += 1\n    if n[0] == {KILL_AT}: os.kill(os.getpid(), signal.SIGKILL)\n"
         "    return copy(src, dst)\n"
         "shutil.copyfile = dying_copy\n"
         "write_component(sys.argv[1], 'dialogue', {f'f{i}': Path(sys.argv[2]) / f'new{i}.bin' "
         f"for i in range({KILL_AT + 5})}}, kind='causal-lm')", str(b), str(tmp_path / "v2")],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert child.returncode == -signal.SIGKILL
    staged = next(tmp_path.glob(SIBLING.format(name="b", pid="*"))) / "bundle" / "dialogue"
    assert len(list(staged.iterdir())) == KILL_AT - 1            # killed while writing, files before it kept
    assert _snapshot(b) == before and _verified(b, "dialogue")["f0"] == "old 0 " * 400
    assert _leftovers(b) == [staged.parents[1]]

    write_component(b, "generator", _files(tmp_path / "g", 1, "gen"), kind="gan-generator")
    assert _leftovers(b) == []                             # the next export removed it
    assert _verified(b, "dialogue")["f0"] == "old 0 " * 400 and _verified(b, "generator")


def test_a_kill_between_the_two_renames_is_repaired_by_the_next_export(tmp_path):
    b = write_component(tmp_path / "b", "dialogue", _files(tmp_path / "v1", 2, "old"), kind="causal-lm")
    before = _snapshot(b)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    stale = tmp_path / SIBLING.format(name="b", pid=int(dead.stdout))
    stale.mkdir()
    os.rename(b, stale / "old")                            # the state such a kill leaves: no bundle
    assert not b.exists()
    write_component(b, "generator", _files(tmp_path / "g", 1, "gen"), kind="gan-generator")
    assert _leftovers(b) == []
    assert {k: v for k, v in _snapshot(b).items() if k.startswith("dialogue/")} == \
        {k: v for k, v in before.items() if k != MANIFEST}
    assert _verified(b, "dialogue") and _verified(b, "generator")
