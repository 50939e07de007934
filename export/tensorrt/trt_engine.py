"""``python -m export trt-engine --bundle DIR --cache DIR``: build (or check) the TensorRT engines of a
TensorRT-ready bundle ahead of the kiosk's first start, with the runtime's own builder and cache
(edge_vdialog/engines/tensorrt.py), so a board starts in seconds. Needs TensorRT + a GPU; without
them it prints the fallback each model would take and exits 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("trt-engine", help="build the TensorRT engines of a trt-onnx bundle into a cache")
    p.add_argument("--bundle", required=True, type=Path)
    p.add_argument("--cache", required=True, type=Path, help="the kiosk's [engines] cache_dir")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from edge_vdialog.bundle import Bundle
    from edge_vdialog.engines import EngineOptions, open_decoder, open_engine

    bundle, options = Bundle.load(args.bundle), EngineOptions(backend="tensorrt", cache_dir=args.cache)
    ok = True
    for name, comp in bundle.components.items():
        if comp.kind == "causal-lm":
            model = open_decoder(comp.path("model"), int(comp.config.get("max_context", 1024)), options)
        else:
            model = open_engine(comp.path("model"), options)
        print(f"{name}: {model.provider}")
        ok &= model.provider == "tensorrt"
    return 0 if ok else 1
