"""Text -> picture: the bundle's ``text_encoder`` embeds the text, the ``generator`` draws it.

Generator component: ``model`` (ONNX: noise (B, z_dim) float32 ~ N(0, 1), text_embedding (B, D)
float32 -> image (B, 3, H, W) float32 in [-1, 1]). Config: ``z_dim``, ``size`` (H = W, pixels),
``neutral_rgb`` (the picture for empty text), ``truncation`` (noise scale: 1 = as trained, smaller =
more typical pictures that follow the text more closely, 0 = one picture per text).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from edge_vdialog.bundle import Bundle, Component
from edge_vdialog.engines import EngineOptions, open_engine
from edge_vdialog.errors import BundleError, UserError
from edge_vdialog.imagegen.text_encoder import TextEncoder
from edge_vdialog.interfaces import Engine

NEUTRAL_RGB = (245, 245, 245)


class GanImageGenerator:
    """Text encoder + GAN generator: an :class:`~edge_vdialog.interfaces.ImageGenerator`."""

    def __init__(self, encoder: TextEncoder, engine: Engine, z_dim: int, size: int, neutral_rgb=NEUTRAL_RGB,
                 truncation: float = 1.0, attribution: str = ""):
        self.encoder, self.engine = encoder, engine
        self.z_dim, self.size, self.neutral_rgb = z_dim, size, tuple(neutral_rgb)
        self.truncation = truncation
        self.attribution = attribution
        """Shown under its pictures (the training art's licence asks for it)."""

    @property
    def provider(self) -> str:
        return self.engine.provider

    def generate(self, text: str, seed: int | None = None) -> np.ndarray:
        """One picture for ``text``: (size, size, 3) uint8 RGB. Same text + seed -> same picture."""
        if not isinstance(text, str):
            raise UserError(f"image text must be a string, got {type(text).__name__}")
        if not text.strip():
            return self.neutral()
        return self.generate_batch([text], [seed])[0]

    def generate_batch(self, texts: Sequence[str], seeds: Sequence[int | None]) -> np.ndarray:
        """(N,) non-empty texts and seeds -> (N, size, size, 3) uint8."""
        noise = np.stack([self.noise(s) for s in seeds])                   # (N, z_dim)
        emb = self.encoder.encode(texts)                                  # (N, D)
        image = self.engine.run({"noise": noise, "text_embedding": emb})["image"]  # (N, 3, H, W)
        return to_uint8(image)

    def noise(self, seed: int | None) -> np.ndarray:
        if seed is not None and not 0 <= seed < 2**63:
            raise UserError(f"seed {seed} out of range", "use an integer from 0 to 2**63-1")
        z = np.random.default_rng(seed).standard_normal(self.z_dim, dtype=np.float32)
        return z * np.float32(self.truncation)

    def neutral(self) -> np.ndarray:
        return np.full((self.size, self.size, 3), self.neutral_rgb, np.uint8)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """(N, 3, H, W) float in [-1, 1] -> (N, H, W, 3) uint8."""
    return ((image.transpose(0, 2, 3, 1) + 1.0) * 127.5).clip(0, 255).round().astype(np.uint8)


def load_image_generator(bundle: Bundle, options: EngineOptions = EngineOptions()) -> GanImageGenerator:
    """Text encoder + generator from ``bundle`` (components ``text_encoder`` and ``generator``)."""
    return load_gan_generator(bundle, bundle.component("generator", verify=False), options)


def load_gan_generator(bundle: Bundle, comp: Component, options: EngineOptions) -> GanImageGenerator:
    """Loader of ``gan-generator`` components (see :mod:`edge_vdialog.loaders`); the text
    encoder is the bundle's ``text_encoder`` component."""
    encoder = TextEncoder.load(bundle.component("text_encoder"), options)
    comp.verify()
    cfg = comp.config
    try:
        z_dim, size = int(cfg.get("z_dim", 64)), int(cfg.get("size", 64))
        neutral, truncation = tuple(int(c) for c in cfg.get("neutral_rgb", NEUTRAL_RGB)), float(cfg.get("truncation", 1.0))
        attribution = str(cfg.get("attribution", ""))
    except (TypeError, ValueError) as e:
        raise BundleError(f"bundle {comp.root}: generator config is invalid ({e})", "rebuild the bundle") from None
    if not (1 <= z_dim <= 4096 and 8 <= size <= 1024 and len(neutral) == 3 and 0 <= truncation <= 4
            and len(attribution) <= 200):
        raise BundleError(f"bundle {comp.root}: generator config out of range (z_dim {z_dim}, size {size}, "
                          f"neutral_rgb {neutral}, truncation {truncation}, attribution of "
                          f"{len(attribution)} characters)", "rebuild the bundle")
    return GanImageGenerator(encoder, open_engine(comp.path("model"), options), z_dim, size, neutral, truncation,
                             attribution)
