"""Text-conditioned GAN for 64x64 pictures (torch; training and export only).

Generator: (noise z (B, 64), text embedding t (B, 384)) -> image (B, 3, 64, 64) in [-1, 1], in two parts:
  layout  an MLP from t alone to the picture's 8x8 colour layout (B, 3, 8, 8): the colour of each 8x8-pixel
          cell, trained by regression to the real image's (a smooth map from text, so it carries over to
          concepts never seen in training);
  detail  w = MLP([z, proj(t)]) (B, 256) modulates every block (FiLM); blocks upsample (nearest x2) and
          convolve 3x3 - no transposed convolutions, so no checkerboard - with pixel norm instead of batch
          norm (no running statistics, so the EMA copy needs no re-estimation and ONNX export is stateless);
          the layout joins as 3 extra channels at 8x8. Trained adversarially. Its own cell means are removed,
          so it draws shapes and texture inside the cells and the layout alone sets each cell's colour; those
          means get no gradient from the image, so training pulls them to zero (``draw`` returns them), else
          they drift, tanh saturates and the few live pixels of a cell turn into white dots.
Discriminator: strided convs with spectral norm -> pooled features h (B, 256);
  score = linear(h) + <embed(t), h> (projection discriminator).
"""

from __future__ import annotations

from itertools import pairwise

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import spectral_norm as sn

from export.imagegen.gan_blocks import (
    LAYOUT,
    TEXT_DIM,
    Z_DIM,
    FilmBlock,
    ProjectionDiscriminator,
    TextGenerator,
)

IMAGE = 64                             # pixels per side
CELL = IMAGE // LAYOUT                 # pixels per layout cell side
G_CHANNELS = (256, 160, 96, 48, 24)   # at 4, 8, 16, 32, 64 pixels
D_CHANNELS = (32, 64, 128, 256)        # at 32, 16, 8, 4 pixels


class UpBlock(FilmBlock):
    """(B, cin, H, W) -> (B, cout, 2H, 2W), modulated by w (B, W_DIM)."""

    def __init__(self, cin: int, cout: int, extra: bool):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1) if extra else None
        self.add_film(cout)

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        x = self.modulate(self.act(self.conv(x)), w)
        if self.conv2 is not None:
            x = x + 0.5 * self.act(self.conv2(x))                           # residual refinement
        return x


class Generator(TextGenerator):
    def __init__(self, z_dim: int = Z_DIM, text_dim: int = TEXT_DIM, channels=G_CHANNELS):
        super().__init__(channels[0], z_dim, text_dim)
        self.blocks = nn.ModuleList(UpBlock(a + 3 * (i == 1), b, extra=i < 2)   # block 1 takes the layout
                                    for i, (a, b) in enumerate(pairwise(channels)))
        self.to_rgb = nn.Conv2d(channels[-1], 3, 3, padding=1)

    def draw(self, z: torch.Tensor, text: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """-> image (B, 3, 64, 64) in [-1, 1], and the detail's removed cell means (B, 3, 8, 8)."""
        layout, w, x = self.begin(z, text)                                       # x: (B, c0, 4, 4)
        for i, block in enumerate(self.blocks):
            x = block(torch.cat([x, layout], dim=1) if i == 1 else x, w)         # doubles H, W
        detail = torch.tanh(self.to_rgb(x))                                       # (B, 3, 64, 64)
        cell_mean = F.avg_pool2d(detail, CELL)                                   # (B, 3, 8, 8)
        detail = detail - F.interpolate(cell_mean, scale_factor=float(CELL), mode="nearest")
        image = F.interpolate(layout, scale_factor=float(CELL), mode="nearest") + detail
        return image.clamp(-1.0, 1.0), cell_mean


class Discriminator(ProjectionDiscriminator):
    def __init__(self, text_dim: int = TEXT_DIM, channels=D_CHANNELS):
        super().__init__()
        layers, cin = [], 3
        for i, c in enumerate(channels):
            if i:  # a 3x3 conv before each downsampling but the first (64 px is the costly size)
                layers += [sn(nn.Conv2d(cin, cin, 3, padding=1)), nn.LeakyReLU(0.2)]
            layers += [sn(nn.Conv2d(cin, c, 4, stride=2, padding=1)), nn.LeakyReLU(0.2)]
            cin = c
        self.features = nn.Sequential(*layers)
        self.out = sn(nn.Linear(cin, 1))
        self.embed = sn(nn.Linear(text_dim, cin))

    def forward(self, x: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        return self.score(self.features(x).sum(dim=(2, 3)), text)
