"""Emoji artwork as SVG from an Iconify JSON npm package, rendered at any size with cairosvg.

Default set: npm ``@iconify-json/fluent-emoji-flat`` (Microsoft Fluent Emoji, flat style; MIT,
(c) Microsoft Corporation). ``icons.json`` holds each icon's SVG body (view box 32x32 unless the icon says
otherwise); ``chars.json`` maps code points (lower-case hex, '-'-joined) to icon names, which is how the CLDR
keywords of openmoji.json (text only) join them. Skin-tone variants (``-light``, ``-medium-dark``, ...) are
left out: the base icon stays.
"""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import numpy as np

from edge_vdialog.errors import UserError

PACKAGES = {
    "fluent-emoji-flat": ("@iconify-json/fluent-emoji-flat", "MIT, (c) Microsoft Corporation (Fluent Emoji)"),
    "twemoji": ("@iconify-json/twemoji", "CC-BY 4.0, (c) Twitter Inc. and other contributors (Twemoji)"),
}
TONES = ("-light", "-medium-light", "-medium", "-medium-dark", "-dark")


def package_dir(art: str, npm_prefix: Path) -> Path:
    """The unpacked npm package of ``art`` under ``npm_prefix``, installed there with npm when absent."""
    name = PACKAGES[art][0]
    path = npm_prefix / "node_modules" / name
    if not (path / "icons.json").is_file():
        print(f"installing npm {name} into {npm_prefix}", flush=True)
        npm_prefix.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run(["npm", "install", "--no-save", "--prefix", str(npm_prefix), name], check=True)
        except (OSError, subprocess.CalledProcessError) as e:
            raise UserError(f"could not install npm {name}: {e}",
                            f"npm install --prefix {npm_prefix} {name}") from e
    return path


def version(path: Path) -> str:
    return json.loads((path / "package.json").read_text())["version"]


def base_icons(path: Path) -> list[tuple[str, str]]:
    """(icon name, code point key) of every base emoji: one with a code point and no skin tone."""
    chars = json.loads((path / "chars.json").read_text())
    out, seen = [], set()
    for code, name in sorted(chars.items(), key=lambda kv: kv[1]):
        if name in seen or name.endswith(TONES):
            continue
        seen.add(name)
        out.append((name, code))
    return out


def render(path: Path, names: list[str], size: int) -> np.ndarray:
    """Icons ``names`` -> (N, size, size, 3) uint8 RGB, composited on white."""
    import cairosvg
    from PIL import Image
    data = json.loads((path / "icons.json").read_text())
    out = np.empty((len(names), size, size, 3), np.uint8)
    for i, name in enumerate(names):
        icon = data["icons"][name]
        left, top = icon.get("left", data.get("left", 0)), icon.get("top", data.get("top", 0))
        w, h = icon.get("width", data.get("width", 16)), icon.get("height", data.get("height", 16))
        svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{left} {top} {w} {h}" '
               f'width="{size}" height="{size}">{icon["body"]}</svg>')
        png = cairosvg.svg2png(bytestring=svg.encode(), output_width=size, output_height=size)
        rgba = Image.open(io.BytesIO(png)).convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        out[i] = np.asarray(Image.alpha_composite(white, rgba).convert("RGB"))
    return out
