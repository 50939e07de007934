"""gan-data's SVG art path on a tiny Iconify-format package: base icons only, rendered at 128 px on white
where they are drawn, captions from the icon name and openmoji's CLDR keywords."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

pytest.importorskip("cairosvg")

from export.imagegen.gan_data import load_svg_concepts

ICONS = {  # name -> SVG body in a 32x32 view box
    "red-apple": '<circle cx="16" cy="16" r="8" fill="#ff0000"/>',
    "blue-book": '<rect x="0" y="0" width="16" height="32" fill="#0000ff"/>',
    "waving-hand": '<rect x="8" y="8" width="16" height="16" fill="#ffcc00"/>',
    "waving-hand-dark": '<rect x="8" y="8" width="16" height="16" fill="#402000"/>',
}
CHARS = {"1f34e": "red-apple", "1f4d8": "blue-book", "1f44b": "waving-hand", "1f44b-1f3ff": "waving-hand-dark"}


def fake_package(npm: Path) -> Path:
    pkg = npm / "node_modules" / "@iconify-json" / "fluent-emoji-flat"
    pkg.mkdir(parents=True)
    (pkg / "icons.json").write_text(json.dumps({"prefix": "x", "width": 32, "height": 32,
                                                "icons": {k: {"body": v} for k, v in ICONS.items()}}))
    (pkg / "chars.json").write_text(json.dumps(CHARS))
    (pkg / "package.json").write_text(json.dumps({"version": "0.0.1"}))
    return npm


def test_svg_concepts_render_and_caption(tmp_path):
    npm = fake_package(tmp_path / "npm")
    openmoji = tmp_path / "openmoji.json"
    openmoji.write_text(json.dumps([{"hexcode": "1F34E", "annotation": "red apple",
                                     "tags": "apple, fruit, red"}]))
    concepts, images, sources = load_svg_concepts("fluent-emoji-flat", npm, openmoji, 128)
    names = [c["name"] for c in concepts]
    assert names == ["blue book", "red apple", "waving hand"]                  # the dark skin tone left out
    assert images.shape == (3, 128, 128, 3) and images.dtype == np.uint8
    book, apple = images[0].astype(int), images[1].astype(int)
    assert (apple[64, 64] == [255, 0, 0]).all() and (apple[2, 2] == 255).all()   # red disc on white
    assert (book[64, 10] == [0, 0, 255]).all() and (book[64, 100] == 255).all()  # left half blue
    apple_caps = concepts[1]["captions"]
    assert any("fruit" in c for c in apple_caps) and len(apple_caps) >= 3     # CLDR keywords joined by code point
    assert "@iconify-json/fluent-emoji-flat@0.0.1" in sources
