"""``python -m export triton-repo``: a Triton model repository serving bundles' components.

One Python-backend model per component (see :mod:`export.triton.models`), named after the
component and its model file's sha256 (:func:`edge_vdialog.engines.triton.model_name`), so a
kiosk asks for exactly the build it holds. Each model directory::

    NAME/config.pbtxt            backend "python"; the dialogue model decoupled (streams pieces)
    NAME/1/model.py              the model source (dialogue.py or onnx_model.py)
    NAME/1/bundle/               a one-component bundle: manifest.json + the component's files

The server's Python environment needs ``edge-vdialog`` installed (``pip install --no-deps .``
plus numpy, onnxruntime, tokenizers): the models run the kiosk's own runtime code.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from edge_vdialog.bundle import MANIFEST, Bundle, Component
from edge_vdialog.engines.triton import model_name
from edge_vdialog.errors import UserError

MODELS = Path(__file__).parent / "models"
SOURCES = {"causal-lm": "dialogue.py", "onnx": "onnx_model.py"}
TRITON_TYPES = {"tensor(float)": "TYPE_FP32", "tensor(float16)": "TYPE_FP16",
                "tensor(int64)": "TYPE_INT64", "tensor(int32)": "TYPE_INT32"}
STATELESS = ("text_encoder", "generator")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("triton-repo", help="write a Triton model repository serving bundles")
    p.add_argument("--bundle", type=Path, action="append", required=True,
                   help="bundle directory (repeat); each of its components becomes a model")
    p.add_argument("--out", type=Path, required=True, help="repository directory (replaced)")
    p.add_argument("--instances", type=int, default=2,
                   help="dialogue model instances: requests answered at once (default 2)")
    p.add_argument("--threads", type=int, default=0, help="ONNX Runtime threads per instance; 0: runtime")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    names = write_repository(args.bundle, args.out, args.instances, args.threads)
    print(f"wrote {args.out}: {', '.join(names)}")
    return 0


def write_repository(bundles: list[Path], out: Path, instances: int = 2, threads: int = 0) -> list[str]:
    """Write the repository for every component of ``bundles`` into ``out``; the model names."""
    if instances < 1 or threads < 0:
        raise UserError(f"--instances {instances} / --threads {threads} out of range", "instances >= 1, threads >= 0")
    shutil.rmtree(out, ignore_errors=True)
    names = []
    for path in bundles:
        bundle = Bundle.load(path)
        for comp_name, listed in bundle.components.items():
            wanted = listed.kind == "causal-lm" or comp_name in STATELESS
            if wanted and model_name(comp_name, listed.files["model"].sha256) not in names:
                names.append(_write_model(out, bundle.component(comp_name), instances, threads))  # verified
    return names


def _write_model(out: Path, comp: Component, instances: int, threads: int) -> str:
    name = model_name(comp.name, comp.files["model"].sha256)
    version = out / name / "1"
    _copy_component(comp, version / "bundle")
    dialogue = comp.kind == "causal-lm"
    shutil.copyfile(MODELS / SOURCES["causal-lm" if dialogue else "onnx"], version / "model.py")
    config = _dialogue_config(name, instances) if dialogue else _onnx_config(name, comp)
    params = {"threads": str(threads)} | ({} if dialogue else {"file": comp.files["model"].path})
    config += "".join(f'parameters {{ key: "{k}" value {{ string_value: "{v}" }} }}\n' for k, v in params.items())
    (out / name / "config.pbtxt").write_text(config, encoding="utf-8")
    return name


def _copy_component(comp: Component, dest: Path) -> None:
    """A bundle holding only ``comp``: its manifest entry and copies of its files (not hard links: the
    ONNX loader refuses external data with several links, which would break ``onnx.load`` of the bundle)."""
    manifest = json.loads((comp.root / MANIFEST).read_text(encoding="utf-8"))
    manifest["components"] = {comp.name: manifest["components"][comp.name]}
    for entry in comp.files.values():
        target = dest / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(comp.root / entry.path, target)
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")


def _dialogue_config(name: str, instances: int) -> str:
    return (f'name: "{name}"\nbackend: "python"\nmax_batch_size: 0\n'
            "model_transaction_policy { decoupled: true }\n"
            'input [ { name: "request" data_type: TYPE_STRING dims: [ 1 ] } ]\n'
            'output [ { name: "event" data_type: TYPE_STRING dims: [ 1 ] } ]\n'
            f"instance_group [ {{ count: {instances} kind: KIND_CPU }} ]\n")


def _onnx_config(name: str, comp: Component) -> str:
    import onnxruntime as ort

    session = ort.InferenceSession(str(comp.path("model")), providers=["CPUExecutionProvider"])

    def tensors(args) -> str:
        return ", ".join(f'{{ name: "{a.name}" data_type: {TRITON_TYPES[a.type]} dims: '
                         f'[ {", ".join(str(d) if isinstance(d, int) else "-1" for d in a.shape)} ] }}'
                         for a in args)
    return (f'name: "{name}"\nbackend: "python"\nmax_batch_size: 0\n'
            f"input [ {tensors(session.get_inputs())} ]\noutput [ {tensors(session.get_outputs())} ]\n"
            "instance_group [ { count: 1 kind: KIND_CPU } ]\n")
