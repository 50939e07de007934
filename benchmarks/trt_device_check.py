"""Device check for the TensorRT backend (NOT run yet: no GPU or TensorRT where it was written).

On a Jetson (JetPack 6.x/7.x, python3-libnvinfer) or a GPU workstation with TensorRT:

    .venv/bin/python benchmarks/trt_device_check.py --bundle out/trt-fp16 --cache /tmp/trt-cache

``--bundle``: from ``python -m export trt-onnx --model CKPT --picture models/default --out DIR
--precision fp16``. Builds the engines (cache in ``--cache``), checks greedy tokens against ONNX
Runtime CPU on the same file, prints ms/token, time to first token and picture latency; exits 1
when anything did not run on TensorRT or a token differs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

PROMPTS = ([5, 6, 7, 8], [10, 11, 12, 13, 14, 15], [1, 2, 3])


def greedy(dec, ids: list[int], n: int) -> tuple[list[int], float, float]:
    """(tokens, first-token seconds, seconds per following token)."""
    dec.reset()
    t0 = time.perf_counter()
    logits = dec.feed(ids)
    first = time.perf_counter() - t0
    out = [int(logits.argmax())]
    t1 = time.perf_counter()
    for _ in range(n - 1):
        out.append(int(dec.feed(out[-1:]).argmax()))
    return out, first, (time.perf_counter() - t1) / max(n - 1, 1)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", type=Path, required=True)
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--tokens", type=int, default=32)
    args = ap.parse_args()
    from edge_vdialog.bundle import Bundle
    from edge_vdialog.engines import EngineOptions, open_decoder
    from edge_vdialog.imagegen import load_image_generator

    bundle, ok = Bundle.load(args.bundle), True
    trt, cpu = EngineOptions(backend="tensorrt", cache_dir=args.cache), EngineOptions(providers=("cpu",))
    if "dialogue" in bundle.components:
        path = bundle.component("dialogue").path("model")
        t0 = time.perf_counter()
        dec = open_decoder(path, 256, trt)
        print(f"dialogue: {dec.provider}, load/build {time.perf_counter() - t0:.1f} s")
        ref = open_decoder(path, 256, cpu)
        ok &= dec.provider == "tensorrt"
        for ids in PROMPTS:
            a, first, step = greedy(dec, ids, args.tokens)
            b = greedy(ref, ids, args.tokens)[0]
            same = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), len(a))
            print(f"  prompt {ids}: first token {1000 * first:.1f} ms, {1000 * step:.2f} ms/token, "
                  f"{same}/{len(a)} tokens as ONNX Runtime CPU")
            ok &= same == len(a)
    if "generator" in bundle.components:
        gen, ref = load_image_generator(bundle, trt), load_image_generator(bundle, cpu)
        print(f"generator: {gen.provider}")
        ok &= gen.provider == "tensorrt"
        t0 = time.perf_counter()
        for i in range(10):
            gen.generate("a red apple", seed=i)
        a, b = gen.generate("a red apple", seed=1), ref.generate("a red apple", seed=1)
        mse = np.mean((a.astype(float) - b.astype(float)) ** 2)
        psnr = 99.0 if mse == 0 else 10 * np.log10(255 ** 2 / mse)
        print(f"  picture {100 * (time.perf_counter() - t0):.1f} ms, PSNR vs CPU {psnr:.1f} dB")
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
