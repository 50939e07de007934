"""The GAN training loop behind ``train-gan`` (see export/imagegen/train_gan.py for the recipe)."""

from __future__ import annotations

import copy
import json
import os
import random
import time
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F
from tqdm import tqdm

from export.imagegen.gan_metrics import colour_layout, topk_accuracy
from export.imagegen.gan_model import CELL, Z_DIM, Discriminator, Generator

EMA_DECAY = 0.999
GRID_CAPTIONS = 32


def save_atomic(obj, path: Path) -> None:
    """torch.save through a temporary file, so a kill mid-save keeps the previous checkpoint."""
    tmp = path.with_suffix(".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def now() -> float:
    """Seconds on the monotonic clock."""
    return time.monotonic()


def diff_augment(x: torch.Tensor) -> torch.Tensor:
    """Translation by up to 1/8 (border pixels repeat) and a 16x16 cutout, per sample, differentiable."""
    b = x.shape[0]
    shift = (torch.rand(b, 2) - 0.5) * 0.5                                     # in [-1, 1] coords
    theta = torch.zeros(b, 2, 3)
    theta[:, 0, 0] = theta[:, 1, 1] = 1.0
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, padding_mode="border", align_corners=False)
    cy, cx = torch.randint(0, 64, (2, b, 1, 1))
    yy, xx = torch.arange(64).view(1, 64, 1), torch.arange(64).view(1, 1, 64)
    keep = ((yy - cy).abs() >= 8) | ((xx - cx).abs() >= 8)                       # (B, 64, 64)
    return x * keep.unsqueeze(1)


class Trainer:
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
        self.G, self.D = Generator(), Discriminator()
        self.G_ema = copy.deepcopy(self.G).eval()
        betas = (0.0, 0.99)
        layout = list(self.G.layout.parameters())
        detail = [p for n, p in self.G.named_parameters() if not n.startswith("layout.")]
        self.opt_g = torch.optim.AdamW([{"params": detail, "weight_decay": 0.0},
                                        {"params": layout, "lr": args.layout_lr, "betas": (0.9, 0.999),
                                         "weight_decay": args.layout_wd}], args.lr, betas=betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), args.lr, betas=betas)
        self.real_layout = F.avg_pool2d(self.images, CELL)                      # (N, 3, 8, 8)
        self.train_caption_idx = torch.from_numpy(np.flatnonzero(split == 0))
        self.step, self.epoch, self.elapsed = 0, 0, 0.0
        self.metrics_log = run_dir / "metrics.jsonl"

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
        for name in ("G", "D", "G_ema", "opt_g", "opt_d"):
            getattr(self, name).load_state_dict(state[name])
        self.step, self.epoch, self.elapsed = state["step"], state["epoch"], state["elapsed"]
        torch.set_rng_state(state["torch_rng"])
        random.setstate(state["py_rng"])
        print(f"resumed from {ckpt}: step {self.step}, epoch {self.epoch}, {self.elapsed / 60:.1f} min")

    def save(self) -> None:
        state = {name: getattr(self, name).state_dict() for name in ("G", "D", "G_ema", "opt_g", "opt_d")}
        state.update(step=self.step, epoch=self.epoch, elapsed=self.elapsed,
                     torch_rng=torch.get_rng_state(), py_rng=random.getstate())
        save_atomic(state, self.run_dir / "ckpt.pt")

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
        text = F.normalize(self.emb[caps] + a.text_noise * torch.randn(len(caps), self.emb.shape[1]), dim=1)
        wrong = text.roll(1, dims=0)                                        # another concept's caption
        z = torch.randn(len(caps), Z_DIM)
        # discriminator: real+match high, fake and real+wrong caption low (hinge)
        with torch.no_grad():
            fake = self.G(z, text)
        scores = self.D(diff_augment(torch.cat([real, fake, real])), torch.cat([text, text, wrong]))
        s_real, s_fake, s_wrong = scores.chunk(3)
        loss_d = F.relu(1 - s_real).mean() + 0.5 * (F.relu(1 + s_fake).mean() + F.relu(1 + s_wrong).mean())
        self.opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        self.opt_d.step()
        # generator: fool D, and match the caption's image at 64 / rec_pool pixels per side
        fake, cell_mean = self.G.draw(z, text)
        adv = -self.D(diff_augment(fake), text).mean()
        rec = (F.avg_pool2d(fake, a.rec_pool) - F.avg_pool2d(real, a.rec_pool)).abs().mean()
        drift = cell_mean.pow(2).mean()
        # layout: squared error of the 8x8 colour layout, on its own larger batch of training captions
        pick = self.train_caption_idx[torch.randint(len(self.train_caption_idx), (a.layout_batch,))]
        noisy = F.normalize(self.emb[pick] + a.layout_noise * torch.randn(len(pick), self.emb.shape[1]), dim=1)
        lay = (self.G.predict_layout(noisy) - self.real_layout[self.concept[pick.numpy()]]).pow(2).mean()
        self.opt_g.zero_grad(set_to_none=True)
        (adv + a.rec * rec + a.cell_mean * drift + lay).backward()
        self.opt_g.step()
        self.update_ema()
        self.step += 1
        return {"d": round(loss_d.item(), 3), "adv": round(adv.item(), 3), "rec": round(rec.item(), 3),
                "drift": round(drift.item(), 4), "layout": round(lay.item(), 4)}

    @torch.no_grad()
    def update_ema(self) -> None:
        decay = min(EMA_DECAY, (1 + self.step) / (10 + self.step))
        for pe, p in zip(self.G_ema.parameters(), self.G.parameters()):
            pe.lerp_(p, 1 - decay)

    @torch.no_grad()
    def generate(self, caption_idx: np.ndarray, seed: int = 0) -> np.ndarray:
        """(K,) caption indices -> (K, 64, 64, 3) uint8 from the EMA generator, fixed noise."""
        z = torch.randn(len(caption_idx), Z_DIM, generator=torch.Generator().manual_seed(seed))
        out = self.G_ema(z, self.emb[caption_idx])
        return ((out.permute(0, 2, 3, 1).numpy() + 1) * 127.5).clip(0, 255).round().astype(np.uint8)

    def end_of_epoch(self, losses: dict[str, float]) -> None:
        from PIL import Image
        grid = self.generate(self.grid_captions)                               # (32, 64, 64, 3)
        rows = grid.reshape(4, 8, 64, 64, 3).transpose(0, 2, 1, 3, 4).reshape(256, 512, 3)
        Image.fromarray(rows).save(self.run_dir / "samples" / f"epoch_{self.epoch:04d}.png")
        gen = colour_layout(self.generate(self.eval_captions))
        own = self.concept[self.eval_captions]
        acc = topk_accuracy(gen, colour_layout(self.images_u8[own]), np.arange(len(own)))
        record = {"epoch": self.epoch, "step": self.step, "minutes": round(self.elapsed / 60, 2),
                  **losses, **{f"heldout_{k}": v for k, v in acc.items()}}
        with self.metrics_log.open("a") as f:
            f.write(json.dumps(record) + "\n")
        print(json.dumps(record), flush=True)
