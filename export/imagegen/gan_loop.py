"""The GAN training loop behind ``train-gan`` (see export/imagegen/train_gan.py for the recipe)."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F
from tqdm import tqdm

from export.imagegen.gan_blocks import Z_DIM
from export.imagegen.gan_model import CELL, Discriminator, Generator
from export.imagegen.gan_trainer import GanTrainer, descend, diff_augment, hinge_d

GRID_CAPTIONS = 32


def now() -> float:
    """Seconds on the monotonic clock."""
    return time.monotonic()


class Trainer(GanTrainer):
    def __init__(self, data, args, run_dir: Path):
        self.args, self.run_dir = args, run_dir
        self.images = torch.from_numpy(data["images"]).permute(0, 3, 1, 2).float() / 127.5 - 1  # (N,3,64,64)
        self.images_u8 = data["images"]
        self.emb = torch.from_numpy(data["emb"])                                              # (C, 384)
        self.concept, split = data["concept"], data["split"]
        by_concept: dict[int, list[int]] = {}
        for i in np.flatnonzero(split == 0):
            by_concept.setdefault(int(self.concept[i]), []).append(int(i))
        self.train_captions = by_concept                                    # concept -> caption indices
        self.train_concepts = sorted(by_concept)
        self.eval_captions = self._eval_set(split)
        self.grid_captions = self._grid_set(split)
        self.init_models(Generator(), Discriminator())
        self.real_layout = F.avg_pool2d(self.images, CELL)                      # (N, 3, 8, 8)
        self.train_idx = torch.from_numpy(np.flatnonzero(split == 0))
        self.step, self.epoch, self.elapsed = 0, 0, 0.0

    def _eval_set(self, split: np.ndarray) -> np.ndarray:
        """First caption of each held-out concept (the quick metric logged during training)."""
        held = np.flatnonzero(split == 2)
        _, first = np.unique(self.concept[held], return_index=True)
        return held[first]

    def _grid_set(self, split: np.ndarray) -> np.ndarray:
        rng = np.random.default_rng(1)
        half = GRID_CAPTIONS // 2
        return np.concatenate([rng.choice(self.eval_captions, half, replace=False),
                               rng.choice(np.flatnonzero(split == 1), half, replace=False)])

    def resume_or_start(self) -> None:
        ckpt = self.run_dir / "ckpt.pt"
        torch.manual_seed(self.args.seed)
        random.seed(self.args.seed)
        if not ckpt.is_file():
            return
        state = torch.load(ckpt, weights_only=False)
        self.load_models(state)
        self.step, self.epoch, self.elapsed = state["step"], state["epoch"], state["elapsed"]
        torch.set_rng_state(state["torch_rng"])
        random.setstate(state["py_rng"])
        print(f"resumed from {ckpt}: step {self.step}, epoch {self.epoch}, {self.elapsed / 60:.1f} min")

    def save(self) -> None:
        self.save_models(step=self.step, epoch=self.epoch, elapsed=self.elapsed,
                         torch_rng=torch.get_rng_state(), py_rng=random.getstate())

    def fit(self) -> None:
        a = self.args
        budget = a.minutes * 60
        last_ckpt = now()
        while self.elapsed < budget and not (a.max_steps and self.step >= a.max_steps):
            order = random.sample(self.train_concepts, len(self.train_concepts))
            batches = [order[i:i + a.batch] for i in range(0, len(order) - a.batch + 1, a.batch)]
            bar = tqdm(batches, desc=f"epoch {self.epoch}", mininterval=30, leave=False)
            for concepts in bar:
                t0 = now()
                losses = self.train_step(concepts)
                self.elapsed += now() - t0
                bar.set_postfix(losses, refresh=False)
                if now() - last_ckpt > a.ckpt_minutes * 60:
                    self.save()
                    last_ckpt = now()
                if self.elapsed >= budget or (a.max_steps and self.step >= a.max_steps):
                    break
            self.epoch += 1
            self.end_of_epoch(losses)
        self.save()

    def train_step(self, concepts: list[int]) -> dict[str, float]:
        a = self.args
        caps = [random.choice(self.train_captions[c]) for c in concepts]
        real = self.images[concepts]                                        # (B, 3, 64, 64)
        text = self.noisy_text(caps, a.text_noise)
        wrong = text.roll(1, dims=0)                                        # another concept's caption
        z = torch.randn(len(caps), Z_DIM)
        # discriminator: real+match high, fake and real+wrong caption low (hinge)
        with torch.no_grad():
            fake = self.G(z, text)
        loss_d = hinge_d(self.D(diff_augment(torch.cat([real, fake, real])), torch.cat([text, text, wrong])))
        descend(self.opt_d, loss_d)
        # generator: fool D, and match the caption's image at 64 / rec_pool pixels per side
        fake, cell_mean = self.G.draw(z, text)
        adv = -self.D(diff_augment(fake), text).mean()
        rec = (F.avg_pool2d(fake, a.rec_pool) - F.avg_pool2d(real, a.rec_pool)).abs().mean()
        drift = cell_mean.pow(2).mean()
        lay = self.layout_loss()        # the 8x8 colour layout, on its own larger batch of training captions
        self.update_g(adv + a.rec * rec + a.cell_mean * drift + lay)
        return {"d": round(loss_d.item(), 3), "adv": round(adv.item(), 3), "rec": round(rec.item(), 3),
                "drift": round(drift.item(), 4), "layout": round(lay.item(), 4)}

    def end_of_epoch(self, losses: dict[str, float]) -> None:
        from PIL import Image
        grid = self.generate(self.grid_captions)                               # (32, 64, 64, 3)
        rows = grid.reshape(4, 8, 64, 64, 3).transpose(0, 2, 1, 3, 4).reshape(256, 512, 3)
        Image.fromarray(rows).save(self.run_dir / "samples" / f"epoch_{self.epoch:04d}.png")
        record = self.log_metrics({"epoch": self.epoch, "step": self.step,
                                   "minutes": round(self.elapsed / 60, 2), **losses})
        print(json.dumps(record), flush=True)
