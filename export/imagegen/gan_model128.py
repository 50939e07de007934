"""Text-conditioned GAN for 128x128 pictures (torch; training and export only).

Generator: (noise z (B, 64), text embedding t (B, 384)) -> image (B, 3, 128, 128) in [-1, 1]:
  layout  MLP from t alone to the picture's 8x8 colour layout (B, 3, 8, 8) (16x16-pixel cells), trained by
          regression to the real image's; enlarged bilinearly (no cell edges) as the picture's base colour;
  detail  w = MLP([z, proj(t)]) (B, 256); 4x4 start, then residual up blocks to 128 px: nearest x2 upsample
          + two 3x3 convs with pixel norm and FiLM from w, plus a 1x1 skip (no transposed convolutions, so no
          checkerboard); the layout joins as 3 channels at 8 px; optional self-attention at ``attn_res``
          pixels; 3x3 conv -> tanh. Its cell means are pushed to zero by a training penalty (a soft term: the
          64-px model's hard removal left them without gradient), so the layout sets each cell's colour.
Discriminator: stride-2 4x4 convs to 32 px (cheap at the large sizes), then residual down blocks to 4x4
  (spectral norm throughout), summed -> h (B, C);
  score = linear(h) + <embed(t), h> (projection); ``contrast(h, t)`` gives image-text logits (B, B) for the
  contrastive term (each image's own caption among the batch's).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from itertools import pairwise

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import spectral_norm as sn

from export.imagegen.gan_blocks import (
    LAYOUT,
    TEXT_DIM,
    FilmBlock,
    ProjectionDiscriminator,
    TextGenerator,
)

CONTRAST_DIM = 128
CONTRAST_TEMP = 0.1


@dataclass(frozen=True)
class Config:
    size: int = 128                                      # pixels per side; 4 * 2**(len(channels) - 1)
    channels: tuple[int, ...] = (256, 128, 96, 48, 24, 12)   # G, at 4, 8, 16, 32, 64, 128 px
    d_channels: tuple[int, ...] = (16, 32, 64, 128, 256)     # D, at 64, 32, 16, 8, 4 px
    attn_res: int = 16                                   # self-attention in G at this size (0: none)

    def to_dict(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_dict(d: dict) -> Config:
        return Config(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


class SelfAttention(nn.Module):
    """(B, C, H, W) -> same; x + gamma * attention over the H*W positions (gamma starts at 0)."""

    def __init__(self, c: int):
        super().__init__()
        self.d = max(c // 8, 1)
        self.qk = nn.Conv2d(c, 2 * self.d, 1)
        self.v = nn.Conv2d(c, c, 1)
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        q, k = self.qk(x).flatten(2).chunk(2, dim=1)                        # (B, d, HW) each
        att = torch.softmax(q.transpose(1, 2) @ k * (self.d ** -0.5), dim=-1)   # (B, HW, HW)
        o = self.v(x).flatten(2) @ att.transpose(1, 2)                      # (B, C, HW)
        return x + self.gamma * o.view(b, c, h, w)


class ResUp(FilmBlock):
    """(B, cin, H, W) -> (B, cout, 2H, 2W), modulated by w (B, W_DIM)."""

    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1, bias=False)
        self.add_film(cout)

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        h = self.act(self.conv2(self.modulate(self.act(self.conv1(x)), w)))
        return (self.skip(x) + h) * (1 / math.sqrt(2))


class Generator128(TextGenerator):
    def __init__(self, config: Config = Config()):
        super().__init__(config.channels[0])
        self.config, self.size = config, config.size
        ch = config.channels
        self.blocks = nn.ModuleList(ResUp(a + 3 * (i == 1), b)            # block 1 (8 -> 16 px) takes the layout
                                    for i, (a, b) in enumerate(pairwise(ch)))
        self.attn_at = int(math.log2(config.attn_res // 4)) - 1 if config.attn_res else -1   # block index
        self.attn = SelfAttention(ch[self.attn_at + 1]) if config.attn_res else None
        self.to_rgb = nn.Conv2d(ch[-1], 3, 3, padding=1)

    def draw(self, z: torch.Tensor, text: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """-> image (B, 3, S, S) in [-1, 1], and the detail's cell means (B, 3, 8, 8) (penalised in training)."""
        layout, w, x = self.begin(z, text)                                            # x: (B, c0, 4, 4)
        for i, block in enumerate(self.blocks):
            x = block(torch.cat([x, layout], dim=1) if i == 1 else x, w)             # doubles H, W
            if i == self.attn_at:
                x = self.attn(x)
        detail = torch.tanh(self.to_rgb(x))                                           # (B, 3, S, S)
        base = F.interpolate(layout, size=(self.size, self.size), mode="bilinear", align_corners=False)
        return (base + detail).clamp(-1.0, 1.0), F.avg_pool2d(detail, self.size // LAYOUT)


class ResDown(nn.Module):
    """(B, cin, H, W) -> (B, cout, H/2, W/2), spectral norm."""

    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.conv1 = sn(nn.Conv2d(cin, cout, 3, padding=1))
        self.conv2 = sn(nn.Conv2d(cout, cout, 3, padding=1))
        self.skip = sn(nn.Conv2d(cin, cout, 1, bias=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv2(F.leaky_relu(self.conv1(F.leaky_relu(x, 0.2)), 0.2))
        return F.avg_pool2d(h + self.skip(x), 2)


class Discriminator128(ProjectionDiscriminator):
    def __init__(self, config: Config = Config()):
        super().__init__()
        ch = config.d_channels
        self.stem = sn(nn.Conv2d(3, ch[0], 4, stride=2, padding=1))                  # S -> S/2 px
        plain = int(math.log2(config.size // 64))         # strided convs down to 32 px, then residual blocks
        self.blocks = nn.Sequential(*(
            nn.Sequential(nn.LeakyReLU(0.2), sn(nn.Conv2d(a, b, 4, stride=2, padding=1))) if i < plain
            else ResDown(a, b) for i, (a, b) in enumerate(pairwise(ch))))
        self.out = sn(nn.Linear(ch[-1], 1))
        self.embed = sn(nn.Linear(TEXT_DIM, ch[-1]))
        self.img_proj = nn.Linear(ch[-1], CONTRAST_DIM)
        self.txt_proj = nn.Linear(TEXT_DIM, CONTRAST_DIM)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 3, S, S) -> h (B, C)."""
        return F.leaky_relu(self.blocks(self.stem(x)), 0.2).sum(dim=(2, 3))

    def forward(self, x: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        return self.score(self.features(x), text)

    def contrast(self, h: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        """Image-text cosine logits (B, B) / temperature; row i's own caption is column i."""
        a = F.normalize(self.img_proj(h), dim=1)
        b = F.normalize(self.txt_proj(text), dim=1)
        return a @ b.T / CONTRAST_TEMP


def generator_from_state(state: dict) -> nn.Module:
    """The EMA generator of a train-gan checkpoint, either architecture (64 px: no ``config``), eval mode."""
    from export.imagegen.gan_model import Generator
    G = Generator128(Config.from_dict(state["config"])) if "config" in state else Generator()
    G.load_state_dict(state["G_ema"])
    return G.eval()
