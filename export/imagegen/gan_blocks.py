"""What the 64- and 128-px text-conditioned GANs (gan_model.py, gan_model128.py) share: the sizes, pixel norm,
the up blocks' FiLM, the generator's text side (layout head, w mapping, 4x4 start) and the projection discriminator's score."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from edge_vdialog.imagegen.text_encoder import DIM

Z_DIM = 64
TEXT_DIM = DIM
W_DIM = 256
LAYOUT = 8                             # layout grid (cells per side)
LAYOUT_HIDDEN = 512


class PixelNorm(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(dim=1, keepdim=True) + 1e-8)


class FilmBlock(nn.Module):
    """Base of both generators' up blocks: leaky ReLU then pixel norm, and FiLM from w (B, W_DIM). A subclass
    calls ``add_film`` after registering its convolutions (the parameter order checkpoints keep)."""

    def add_film(self, cout: int) -> None:
        self.film = nn.Linear(W_DIM, 2 * cout)
        self.norm = PixelNorm()

    def act(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(F.leaky_relu(x, 0.2))

    def modulate(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        gamma, beta = self.film(w).unsqueeze(-1).unsqueeze(-1).chunk(2, dim=1)  # (B, cout, 1, 1) each
        return x * (1 + gamma) + beta


class TextGenerator(nn.Module):
    """Base of both generators: ``layout``, an MLP from the text alone to the 8x8 colour layout; w =
    ``mapping``([z, ``text``(t)]) (B, W_DIM); ``start``, w -> the (B, c0, 4, 4) the up blocks begin from.
    A subclass registers its blocks after these (the parameter order checkpoints and optimisers keep) and
    defines ``draw`` (-> image, the detail's cell means)."""

    def __init__(self, c0: int, z_dim: int = Z_DIM, text_dim: int = TEXT_DIM):
        super().__init__()
        self.z_dim, self.text_dim, self.c0 = z_dim, text_dim, c0
        self.layout = nn.Sequential(nn.Linear(text_dim, LAYOUT_HIDDEN), nn.LeakyReLU(0.2),
                                    nn.Linear(LAYOUT_HIDDEN, LAYOUT_HIDDEN), nn.LeakyReLU(0.2),
                                    nn.Linear(LAYOUT_HIDDEN, 3 * LAYOUT * LAYOUT), nn.Tanh())
        self.text = nn.Linear(text_dim, 128)
        self.mapping = nn.Sequential(nn.Linear(z_dim + 128, W_DIM), nn.LeakyReLU(0.2),
                                     nn.Linear(W_DIM, W_DIM), nn.LeakyReLU(0.2))
        self.start = nn.Linear(W_DIM, c0 * 16)

    def predict_layout(self, text: torch.Tensor) -> torch.Tensor:
        """(B, 384) -> (B, 3, 8, 8) in [-1, 1]."""
        return self.layout(text).view(-1, 3, LAYOUT, LAYOUT)

    def forward(self, z: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        return self.draw(z, text)[0]

    def begin(self, z: torch.Tensor, text: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """-> the layout (B, 3, 8, 8), w (B, W_DIM) and the start (B, c0, 4, 4)."""
        layout = self.predict_layout(text).detach()      # set by regression only, not by the adversary
        w = self.mapping(torch.cat([z, self.text(text)], dim=1))
        return layout, w, F.leaky_relu(self.start(w), 0.2).view(-1, self.c0, 4, 4)


class ProjectionDiscriminator(nn.Module):
    """Base of both discriminators; a subclass registers ``out`` (C -> 1) and ``embed`` (text -> C)."""

    def score(self, h: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        """Pooled features h (B, C) -> logits (B,): linear(h) + <embed(t), h>."""
        return self.out(h).squeeze(1) + (self.embed(text) * h).sum(dim=1)
