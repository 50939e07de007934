"""The 128-px GAN training loop behind ``train-gan --size 128`` (model: export/imagegen/gan_model128.py).

Step-based and bit-exactly resumable: every random draw of step s (batch, captions, noise, augmentation,
the layout head's batch) comes from a generator seeded with (seed, s), so a run stopped at any checkpoint
and resumed computes the same steps as one that never stopped. Checkpoint every ``--ckpt-steps`` steps to
RUN/ckpt.pt (atomic; the latest only); a progress line every ``--log-steps``; every ``--eval-steps`` a
sample grid (RUN/samples/step_NNNNNNN.png) and the held-out metric in RUN/metrics.jsonl.

Losses. D: hinge (real + caption high; fake, and real + another concept's caption low), a contrastive
term (cross-entropy of each real image against the batch's captions, ``--contrast``) and, every
``R1_EVERY`` steps, R1 (``--r1``, gradient penalty on real images). G: adversarial, the contrastive term
on its own pictures, L1 on ``--rec-pool``-averaged pixels vs the caption's real image, the squared
cell means of the detail (``--cell-mean``); the layout head by squared error on its own caption batch.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from edge_vdialog.errors import UserError
from export.imagegen.gan_blocks import LAYOUT, Z_DIM
from export.imagegen.gan_model128 import Config, Discriminator128, Generator128
from export.imagegen.gan_trainer import GanTrainer, descend, diff_augment, hinge_d

R1_EVERY = 4
GRID = 16                  # sample grid: 8 held-out concepts + 8 unseen phrasings


class Trainer128(GanTrainer):
    def __init__(self, data, args, run_dir: Path, config: Config):
        self.args, self.run_dir, self.config = args, run_dir, config
        self.images_u8 = data["images"]                                               # (N, S, S, 3)
        if self.images_u8.shape[1] != config.size:
            raise ValueError(f"data is {self.images_u8.shape[1]} px, the model {config.size}")
        self.images = torch.from_numpy(self.images_u8).permute(0, 3, 1, 2).float() / 127.5 - 1
        self.emb = torch.from_numpy(data["emb"])                                      # (C, 384)
        self.concept, split = data["concept"], data["split"]
        self.train_idx = torch.from_numpy(np.flatnonzero(split == 0))                 # caption indices
        self.concepts_t = torch.from_numpy(self.concept.astype(np.int64))
        self.train_concepts = torch.unique(self.concepts_t[self.train_idx])
        held = np.flatnonzero(split == 2)
        self.eval_captions = held[np.unique(self.concept[held], return_index=True)[1]]
        phr = np.flatnonzero(split == 1)
        self.grid_captions = np.concatenate([self.eval_captions[:GRID // 2], phr[:: max(len(phr) // 8, 1)][:8]])
        self.real_layout = F.avg_pool2d(self.images, config.size // LAYOUT)          # (N, 3, 8, 8)
        torch.manual_seed(args.seed)
        self.init_models(Generator128(config), Discriminator128(config))
        self.step, self.elapsed = 0, 0.0

    def resume_or_start(self) -> None:
        ckpt = self.run_dir / "ckpt.pt"
        if not ckpt.is_file():
            return
        state = torch.load(ckpt, weights_only=False)
        if Config.from_dict(state["config"]) != self.config:
            raise UserError(f"{ckpt} has model config {state['config']}, not {self.config.to_dict()}",
                            "resume with the same --channels and --attn-res, or start a new --run")
        self.load_models(state)
        self.step, self.elapsed = state["step"], state["elapsed"]
        print(f"resumed from {ckpt}: step {self.step}, {self.elapsed / 60:.1f} min", flush=True)

    def save(self) -> None:
        self.save_models(step=self.step, elapsed=self.elapsed, config=self.config.to_dict())

    def fit(self) -> None:
        a = self.args
        t_log, n_log = time.monotonic(), 0
        while self.elapsed < a.minutes * 60 and not (a.max_steps and self.step >= a.max_steps):
            t0 = time.monotonic()
            losses = self.train_step()
            self.elapsed += time.monotonic() - t0
            n_log += 1
            if self.step % a.ckpt_steps == 0:
                self.save()
            if self.step % a.log_steps == 0:
                rate = n_log * a.batch / (time.monotonic() - t_log)
                print(json.dumps({"step": self.step, "min": round(self.elapsed / 60, 2),
                                  "img_s": round(rate, 1), **losses}), flush=True)
                t_log, n_log = time.monotonic(), 0
            if self.step % a.eval_steps == 0:
                self.evaluate(losses)
        self.save()

    def train_step(self) -> dict[str, float]:
        a = self.args
        g = torch.Generator().manual_seed(a.seed * 1_000_003 + self.step)
        concepts = self.train_concepts[torch.randperm(len(self.train_concepts), generator=g)[:a.batch]]
        caps = torch.stack([self._caption_of(int(c), g) for c in concepts])          # (B,)
        real = self.images[concepts]                                                  # (B, 3, S, S)
        text = self.noisy_text(caps, a.text_noise, g)
        wrong = text.roll(1, dims=0)                                                  # another concept's caption
        z = torch.randn(len(caps), Z_DIM, generator=g)
        target = torch.arange(len(caps))
        # discriminator: hinge on real / fake / real + wrong caption, contrastive on real pairs, lazy R1
        with torch.no_grad():
            fake = self.G(z, text)
        h = self.D.features(diff_augment(torch.cat([real, fake, real]), g))
        scores = self.D.score(h, torch.cat([text, text, wrong]))
        con_d = F.cross_entropy(self.D.contrast(h[:len(caps)], text), target)
        loss_d = hinge_d(scores) + a.contrast * con_d
        if a.r1 and self.step % R1_EVERY == 0:
            x = real.detach().requires_grad_(True)
            grad, = torch.autograd.grad(self.D(x, text).sum(), x, create_graph=True)
            loss_d = loss_d + a.r1 * R1_EVERY / 2 * grad.pow(2).sum(dim=(1, 2, 3)).mean()
        descend(self.opt_d, loss_d)
        # generator: fool D, be recognised by D's contrastive head, match the real image at rec_pool averages
        fake, cell_mean = self.G.draw(z, text)
        hf = self.D.features(diff_augment(fake, g))
        adv = -self.D.score(hf, text).mean()
        con_g = F.cross_entropy(self.D.contrast(hf, text), target)
        rec = (F.avg_pool2d(fake, a.rec_pool) - F.avg_pool2d(real, a.rec_pool)).abs().mean()
        drift = cell_mean.pow(2).mean()
        lay = self.layout_loss(g)       # the 8x8 colour layout on its own batch of training captions
        self.update_g(adv + a.contrast * con_g + a.rec * rec + a.cell_mean * drift + lay)
        return {"d": round(loss_d.item(), 3), "adv": round(adv.item(), 3), "con_d": round(con_d.item(), 3),
                "con_g": round(con_g.item(), 3), "rec": round(rec.item(), 3), "drift": round(drift.item(), 4),
                "layout": round(lay.item(), 4)}

    def _caption_of(self, concept: int, g: torch.Generator) -> torch.Tensor:
        own = self.train_idx[self.concepts_t[self.train_idx] == concept]
        return own[torch.randint(len(own), (1,), generator=g)[0]]

    def evaluate(self, losses: dict[str, float]) -> None:
        from PIL import Image
        s = self.config.size
        grid = self.generate(self.grid_captions)                                     # (16, S, S, 3)
        real = self.images_u8[self.concept[self.grid_captions]]
        tiles = np.concatenate([grid, real])                                         # drawn, then real
        tiles = np.concatenate([tiles, np.full((-len(tiles) % 8, s, s, 3), 255, np.uint8)])
        rows = tiles.reshape(-1, 8, s, s, 3).transpose(0, 2, 1, 3, 4).reshape(-1, 8 * s, 3)
        Image.fromarray(rows).save(self.run_dir / "samples" / f"step_{self.step:07d}.png")
        self.log_metrics({"step": self.step, "minutes": round(self.elapsed / 60, 2), **losses})
