"""``python -m export train-gan``: train the text-conditioned GAN on the emoji caption-image pairs.

Losses: hinge; the discriminator also sees real images with a wrong caption as fakes (matching-aware);
the generator's layout head (export/imagegen/gan_model.py) learns the 8x8 colour layout by squared error on its own
batch of noisy training-caption embeddings (AdamW, weight decay); the rest of the generator adds an L1 term
on pooled pixels (``--rec-pool``) of its image vs the caption's real image and keeps its detail zero-mean per cell
(``--cell-mean``); detail is left to the adversarial term. DiffAugment (translation + cutout) on
everything the discriminator sees; spectral norm in D; EMA of G weights is what gets exported.
Checkpoints every ``--ckpt-minutes`` to RUN/ckpt.pt; rerunning the same command resumes from it.

``--size 128``: the 128-px residual generator with attention and a contrastive discriminator
(export/imagegen/gan_model128.py, loop export/imagegen/gan_loop128.py): step-based, checkpoint every
``--ckpt-steps``, bit-exact resume, a progress line every ``--log-steps``; the data must be 128 px
(``gan-data --art fluent-emoji-flat --size 128``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from edge_vdialog.errors import UserError


def register(sub) -> None:
    p = sub.add_parser("train-gan", help="train the text-conditioned GAN (resumes from RUN/ckpt.pt)")
    p.add_argument("--data", default=".cache/gan/gan_data.npz", help="from `python -m export gan-data`")
    p.add_argument("--run", default=".cache/gan/gan_run", help="checkpoints, sample grids, metrics log")
    p.add_argument("--minutes", type=float, default=90.0, help="training time budget (summed over resumes)")
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0: no limit)")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--rec", type=float, default=5.0, help="weight of the L1 term on pooled pixels")
    p.add_argument("--rec-pool", type=int, default=4, choices=(1, 2, 4, 8, 16),
                   help="pixels per side averaged before that L1 term (4: 16x16 averages, 1: every pixel)")
    p.add_argument("--cell-mean", type=float, default=5.0,
                   help="weight of the squared cell means the generator's detail part drops (export/imagegen/gan_model.py)")
    p.add_argument("--text-noise", type=float, default=0.015, help="per-dim noise on text embeddings")
    p.add_argument("--layout-batch", type=int, default=128, help="captions per step for the layout head")
    p.add_argument("--layout-noise", type=float, default=0.05, help="per-dim noise on the layout head's input")
    p.add_argument("--layout-lr", type=float, default=1e-3)
    p.add_argument("--layout-wd", type=float, default=0.01, help="AdamW weight decay of the layout head")
    p.add_argument("--ckpt-minutes", type=float, default=3.0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--size", type=int, default=64, choices=(64, 128), help="picture size: model and loop")
    p.add_argument("--channels", default=None, help="128 px: G channels at 4..128 px, comma-separated")
    p.add_argument("--attn-res", type=int, default=16, choices=(0, 8, 16, 32), help="128 px: G attention at")
    p.add_argument("--contrast", type=float, default=0.5, help="128 px: weight of the contrastive term")
    p.add_argument("--r1", type=float, default=0.0, help="128 px: R1 weight (gamma), applied lazily")
    p.add_argument("--ckpt-steps", type=int, default=200, help="128 px: checkpoint every N steps")
    p.add_argument("--log-steps", type=int, default=20, help="128 px: progress line every N steps")
    p.add_argument("--eval-steps", type=int, default=500, help="128 px: samples + held-out metric every N")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run)


def run(args) -> int:
    import torch

    torch.set_num_threads(args.threads)
    if not Path(args.data).is_file():
        raise UserError(f"no training data at {args.data}", "run `python -m export gan-data` first")
    run_dir = Path(args.run)
    (run_dir / "samples").mkdir(parents=True, exist_ok=True)
    with (run_dir / "args.jsonl").open("a") as f:    # one line per (re)start: the settings of each leg
        f.write(json.dumps({"utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **vars(args)},
                           default=str) + "\n")
    trainer = make_trainer(np.load(args.data), args, run_dir)
    trainer.resume_or_start()
    trainer.fit()
    print(f"done: step {trainer.step}, {trainer.elapsed / 60:.1f} min, checkpoint {run_dir / 'ckpt.pt'}")
    return 0


def make_trainer(data, args, run_dir: Path):
    if args.size == 64:
        from export.imagegen.gan_loop import Trainer
        return Trainer(data, args, run_dir)
    from export.imagegen.gan_loop128 import Trainer128
    from export.imagegen.gan_model128 import Config
    config = Config(attn_res=args.attn_res)
    if args.channels:
        config = Config(channels=tuple(int(c) for c in args.channels.split(",")), attn_res=args.attn_res)
    if data["images"].shape[1] != args.size:
        raise UserError(f"{args.data} holds {data['images'].shape[1]}-px images, not {args.size}",
                        "python -m export gan-data --art fluent-emoji-flat --size 128 --out ...")
    return Trainer128(data, args, run_dir, config)
