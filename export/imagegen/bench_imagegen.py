"""``python -m export bench-imagegen``: text -> picture (64 or 128 px, the bundle's size) latency, runtime path vs torch eager.

Times (median and p90 over ``--runs`` after ``--warmup``, batch 1, distinct texts cycled):
  encoder      the bundle's text_encoder (tokenize + ONNX Runtime)
  generator    the bundle's generator alone (ONNX Runtime)
  text_to_image  ImageGenerator.generate (encoder + generator + uint8 conversion): the kiosk's call
  torch_eager  the same generator architecture in torch eager (weights from --ckpt when given)
  onnx_mb      the generator's ONNX size
ONNX Runtime and torch both get ``--threads`` threads.
"""

from __future__ import annotations

import json

import numpy as np

from export.imagegen.timing import TEXTS, timed


def register(sub) -> None:
    p = sub.add_parser("bench-imagegen", help="time text -> picture (runtime) and the torch eager generator")
    p.add_argument("--bundle", default="models/default")
    p.add_argument("--ckpt", default=None, help="train-gan checkpoint for the torch eager comparison")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--runs", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.set_defaults(func=run)


def run(args) -> int:
    import torch

    from edge_vdialog.bundle import Bundle
    from edge_vdialog.engines import EngineOptions
    from edge_vdialog.imagegen import load_image_generator
    from export.imagegen.gan_model import Generator
    from export.imagegen.gan_model128 import Generator128, generator_from_state
    torch.set_num_threads(args.threads)
    gen = load_image_generator(Bundle.load(args.bundle), EngineOptions(threads=args.threads))
    emb = gen.encoder.encode(TEXTS)
    noise = np.stack([gen.noise(i) for i in range(len(TEXTS))])
    feed = lambda i: {"noise": noise[i % 8:i % 8 + 1], "text_embedding": emb[i % 8:i % 8 + 1]}
    bundle = Bundle.load(args.bundle)
    G = (Generator128() if gen.size == 128 else Generator()).eval()
    if args.ckpt:
        G = generator_from_state(torch.load(args.ckpt, weights_only=False))
    tz, tt = torch.from_numpy(noise), torch.from_numpy(emb)

    def eager(i: int) -> None:
        with torch.inference_mode():
            G(tz[i % 8:i % 8 + 1], tt[i % 8:i % 8 + 1])

    results = {
        "encoder": timed(lambda i: gen.encoder.encode([TEXTS[i % 8]]), args.runs, args.warmup),
        "generator": timed(lambda i: gen.engine.run(feed(i)), args.runs, args.warmup),
        "text_to_image": timed(lambda i: gen.generate(TEXTS[i % 8], seed=i), args.runs, args.warmup),
        "torch_eager_generator": timed(eager, args.runs, args.warmup),
        "threads": args.threads, "provider": gen.provider, "size": gen.size,
        "onnx_mb": round(bundle.component("generator").path("model").stat().st_size / 1e6, 2),
    }
    print(json.dumps(results, indent=1))
    return 0
