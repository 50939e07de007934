"""What the 64- and 128-px GAN training loops (gan_loop.py, gan_loop128.py) share: the optimisers, the
update steps, the EMA generator and drawing from it, the augmentation and losses both use, the held-out
metric and the checkpoint's models."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from export.imagegen.gan_blocks import Z_DIM
from export.imagegen.gan_metrics import colour_layout, topk_accuracy

EMA_DECAY = 0.999
MODELS = ("G", "D", "G_ema", "opt_g", "opt_d")          # what a checkpoint keeps of the trainer


def save_atomic(obj, path: Path) -> None:
    """torch.save through a temporary file, so a kill mid-save keeps the previous checkpoint."""
    tmp = path.with_suffix(".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def diff_augment(x: torch.Tensor, g: torch.Generator | None = None) -> torch.Tensor:
    """Translation by up to 1/8 (border repeats) and a (S/4)^2 cutout, per sample, differentiable; random
    draws from g (None: torch's global generator)."""
    b, _, s, _ = x.shape
    theta = torch.zeros(b, 2, 3)
    theta[:, 0, 0] = theta[:, 1, 1] = 1.0
    theta[:, :, 2] = (torch.rand(b, 2, generator=g) - 0.5) * 0.5                   # in [-1, 1] coords
    x = F.grid_sample(x, F.affine_grid(theta, list(x.shape), align_corners=False),
                      padding_mode="border", align_corners=False)
    cy, cx = torch.randint(0, s, (2, b, 1, 1), generator=g)
    yy, xx = torch.arange(s).view(1, s, 1), torch.arange(s).view(1, 1, s)
    keep = ((yy - cy).abs() >= s // 8) | ((xx - cx).abs() >= s // 8)                # (B, S, S)
    return x * keep.unsqueeze(1)


def hinge_d(scores: torch.Tensor) -> torch.Tensor:
    """D's hinge loss on its scores of (real, fake, real + another concept's caption), concatenated."""
    s_real, s_fake, s_wrong = scores.chunk(3)
    return F.relu(1 - s_real).mean() + 0.5 * (F.relu(1 + s_fake).mean() + F.relu(1 + s_wrong).mean())


def descend(opt: torch.optim.Optimizer, loss: torch.Tensor) -> None:
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


class GanTrainer:
    """Base of both trainers. A subclass sets ``args``, ``run_dir``, ``images_u8`` (N, S, S, 3), ``emb``,
    ``concept``, ``train_idx`` (training caption indices), ``real_layout`` (N, 3, 8, 8), ``eval_captions``,
    ``step``, and calls ``init_models``."""

    def init_models(self, G: torch.nn.Module, D: torch.nn.Module) -> None:
        a = self.args
        self.G, self.D = G, D
        self.G_ema = copy.deepcopy(G).eval()
        layout = list(G.layout.parameters())
        detail = [p for n, p in G.named_parameters() if not n.startswith("layout.")]
        self.opt_g = torch.optim.AdamW([{"params": detail, "weight_decay": 0.0},
                                        {"params": layout, "lr": a.layout_lr, "betas": (0.9, 0.999),
                                         "weight_decay": a.layout_wd}], a.lr, betas=(0.0, 0.99))
        self.opt_d = torch.optim.Adam(D.parameters(), a.lr, betas=(0.0, 0.99))

    def load_models(self, state: dict) -> None:
        for name in MODELS:
            getattr(self, name).load_state_dict(state[name])

    def save_models(self, **extra) -> None:
        """RUN/ckpt.pt: the models and optimisers, then ``extra``."""
        state = {name: getattr(self, name).state_dict() for name in MODELS}
        save_atomic({**state, **extra}, self.run_dir / "ckpt.pt")

    def noisy_text(self, caps, noise: float, g: torch.Generator | None = None) -> torch.Tensor:
        """Caption embeddings plus Gaussian noise of std ``noise``, unit length again."""
        return F.normalize(self.emb[caps] + noise * torch.randn(len(caps), self.emb.shape[1], generator=g), dim=1)

    def layout_loss(self, g: torch.Generator | None = None) -> torch.Tensor:
        """Squared error of the layout head on its own batch of training captions vs their real 8x8 layouts."""
        a = self.args
        pick = self.train_idx[torch.randint(len(self.train_idx), (a.layout_batch,), generator=g)]
        lay = self.G.predict_layout(self.noisy_text(pick, a.layout_noise, g))
        return (lay - self.real_layout[self.concept[pick.numpy()]]).pow(2).mean()

    def update_g(self, loss: torch.Tensor) -> None:
        """The generator's step; then the EMA copy follows it and the step count advances."""
        descend(self.opt_g, loss)
        self.update_ema()
        self.step += 1

    @torch.no_grad()
    def update_ema(self) -> None:
        decay = min(EMA_DECAY, (1 + self.step) / (10 + self.step))
        for pe, p in zip(self.G_ema.parameters(), self.G.parameters()):
            pe.lerp_(p, 1 - decay)

    @torch.no_grad()
    def generate(self, caption_idx: np.ndarray, seed: int = 0) -> np.ndarray:
        """(K,) caption indices -> (K, S, S, 3) uint8 from the EMA generator, fixed noise."""
        z = torch.randn(len(caption_idx), Z_DIM, generator=torch.Generator().manual_seed(seed))
        out = self.G_ema(z, self.emb[caption_idx])
        return ((out.permute(0, 2, 3, 1).numpy() + 1) * 127.5).clip(0, 255).round().astype(np.uint8)

    def log_metrics(self, record: dict) -> dict:
        """``record`` plus the held-out metric (top-k colour-layout accuracy of the EMA generator's pictures
        of the held-out concepts), appended to RUN/metrics.jsonl; returns it."""
        gen = colour_layout(self.generate(self.eval_captions))
        own = self.concept[self.eval_captions]
        acc = topk_accuracy(gen, colour_layout(self.images_u8[own]), np.arange(len(own)))
        record = {**record, **{f"heldout_{k}": v for k, v in acc.items()}}
        with (self.run_dir / "metrics.jsonl").open("a") as f:
            f.write(json.dumps(record) + "\n")
        return record
