"""Reply text -> picture: a text encoder and a text-conditioned GAN generator, ONNX Runtime only.

    gen = load_image_generator(Bundle.load(default_bundle_dir()))
    image = gen.generate("a red apple", seed=1)     # (64, 64, 3) uint8 RGB
"""

from edge_vdialog.imagegen.generator import (
    GanImageGenerator,
    load_gan_generator,
    load_image_generator,
)
from edge_vdialog.imagegen.text_encoder import TextEncoder

__all__ = ["GanImageGenerator", "TextEncoder", "load_gan_generator", "load_image_generator"]
