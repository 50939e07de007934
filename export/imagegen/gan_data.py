"""``python -m export gan-data``: caption-image pairs from emoji artwork, with held-out splits.

Sources (all registry packages, fetched with ``npm pack``):
  * images + names: npm ``emoji-datasource-twitter@16.0.0`` (Twemoji 64x64 PNGs, CC-BY 4.0 by Twitter;
    emoji.json: name, short names, category) - the 1,911 base emoji (skin-tone variants left out).
  * extra phrasings: ``data/openmoji.json`` of npm ``openmoji@17.0.0`` (CLDR annotation and keyword tags;
    package CC-BY-SA 4.0, names and keywords from Unicode CLDR). Only its text is used, no artwork.

``--art fluent-emoji-flat`` (or ``twemoji``) instead: SVG artwork from npm ``@iconify-json/<art>`` (Fluent Emoji
Flat: MIT, (c) Microsoft Corporation; Twemoji: CC-BY 4.0), rendered at ``--size`` pixels (128 for the 128-px
generator) with cairosvg, installed into ``--npm`` (.cache/npm) when absent; see export/imagegen/art_iconify.py.

Output (``--out``, default .cache/gan/gan_data.npz): images (N, size, size, 3) uint8 RGB on white,
concept names, captions with their concept index and split, and MiniLM embeddings (C, 384) of every caption.
Splits: ``heldout_concept`` (all captions of ``--holdout`` concepts), ``heldout_phrasing`` (one caption of
every other concept), ``train`` (the rest).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np

from edge_vdialog.errors import UserError

SIZE = 64
TEMPLATES = ("a picture of {}", "{}", "an emoji of {}", "look, {}!", "i am thinking about {}")
SPLITS = ("train", "heldout_phrasing", "heldout_concept")
SOURCES = {
    "emoji-datasource-twitter@16.0.0": "images CC-BY 4.0 (Twemoji, Twitter Inc. and contributors); metadata MIT",
    "openmoji@17.0.0 data/openmoji.json": "text only: CLDR annotations/tags (Unicode licence), package CC-BY-SA 4.0",
}


def register(sub) -> None:
    p = sub.add_parser("gan-data", help="build emoji caption-image pairs for the GAN")
    p.add_argument("--art", default="twemoji-png", choices=("twemoji-png", "fluent-emoji-flat", "twemoji"),
                   help="twemoji-png: 64-px PNGs of emoji-datasource-twitter; others: SVG from @iconify-json/ART")
    p.add_argument("--size", type=int, default=SIZE, help="pixels per side (SVG art only)")
    p.add_argument("--npm", default=".cache/npm", help="npm prefix for the SVG art package (installed if absent)")
    p.add_argument("--twemoji", default=".cache/gan/twemoji/package", help="unpacked emoji-datasource-twitter")
    p.add_argument("--openmoji", default=".cache/gan/openmoji/package/data/openmoji.json")
    p.add_argument("--minilm", default=None, help="all-MiniLM-L6-v2 directory (see export/imagegen/minilm.py)")
    p.add_argument("--holdout", type=int, default=60, help="concepts held out entirely")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=".cache/gan/gan_data.npz")
    p.set_defaults(func=run)


def run(args) -> int:
    from export.imagegen.minilm import MiniLM
    sources = dict(SOURCES)
    if args.art == "twemoji-png":
        concepts = load_concepts(Path(args.twemoji), Path(args.openmoji))
        images = np.stack([c["image"] for c in concepts])
    else:
        concepts, images, sources = load_svg_concepts(args.art, Path(args.npm), Path(args.openmoji), args.size)
    captions, concept_idx, split = assign_splits(concepts, args.holdout, args.seed)
    emb = MiniLM(args.minilm).encode(captions)
    np.savez_compressed(args.out, images=images, names=np.array([c["name"] for c in concepts]),
                        captions=np.array(captions), concept=np.array(concept_idx, np.int32),
                        split=np.array(split, np.int8), emb=emb,
                        sources=json.dumps(sources))
    counts = {s: int(np.sum(np.array(split) == i)) for i, s in enumerate(SPLITS)}
    print(f"{len(concepts)} concepts, {len(captions)} captions {counts} -> {args.out}")
    return 0


def load_concepts(twemoji: Path, openmoji: Path) -> list[dict]:
    """Base emoji with a Twemoji image: {'name', 'image' (64,64,3) uint8, 'captions' [str]}."""
    from PIL import Image
    if not (twemoji / "emoji.json").is_file():
        raise UserError(f"no emoji.json in {twemoji}",
                        "npm pack emoji-datasource-twitter@16.0.0 and unpack it")
    om = {}
    if openmoji.is_file():
        om = {o["hexcode"]: o for o in json.loads(openmoji.read_text(encoding="utf-8"))}
    out = []
    for e in json.loads((twemoji / "emoji.json").read_text(encoding="utf-8")):
        png = twemoji / "img/twitter/64" / e["image"]
        if e["category"] == "Component" or not png.is_file():
            continue
        rgba = Image.open(png).convert("RGBA").resize((SIZE, SIZE), Image.LANCZOS)
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = np.asarray(Image.alpha_composite(white, rgba).convert("RGB"))
        o = om.get(e["unified"]) or om.get(e["unified"].replace("-FE0F", ""))
        names = _phrases(e, o)
        out.append({"name": names[0], "image": image, "captions": _captions(names, o)})
    return out


def load_svg_concepts(art: str, npm: Path, openmoji: Path, size: int) -> tuple[list[dict], np.ndarray, dict]:
    """Base emoji of an Iconify art set: concepts {'name', 'captions'}, images (N, size, size, 3), sources."""
    from export.imagegen import art_iconify
    pkg = art_iconify.package_dir(art, npm)
    om = {}
    if openmoji.is_file():
        om = {o["hexcode"].lower(): o for o in json.loads(openmoji.read_text(encoding="utf-8"))}
    icons = art_iconify.base_icons(pkg)
    concepts = []
    for name, code in icons:
        o = om.get(code) or om.get(code.replace("-fe0f", ""))
        names = _phrases({"name": name.replace("-", " "), "short_names": []}, o)
        concepts.append({"name": names[0], "captions": _captions(names, o)})
    name, licence = art_iconify.PACKAGES[art]
    sources = {f"{name}@{art_iconify.version(pkg)}": f"images {licence}; rendered at {size} px with cairosvg",
               "openmoji@17.0.0 data/openmoji.json": SOURCES["openmoji@17.0.0 data/openmoji.json"]}
    return concepts, art_iconify.render(pkg, [n for n, _ in icons], size), sources


def _phrases(e: dict, o: dict | None) -> list[str]:
    """Distinct names of one emoji, the clearest first."""
    names = [o["annotation"]] if o else []
    names += [(e.get("name") or "").lower()] + [s.replace("_", " ") for s in e["short_names"]]
    seen, out = set(), []
    for n in names:
        n = n.replace("’", "'").strip()
        if n and n not in seen and not n.startswith("flag-"):
            seen.add(n)
            out.append(n)
    return out


def _captions(names: list[str], o: dict | None) -> list[str]:
    rng = random.Random(names[0])
    caps = list(names) + [rng.choice(TEMPLATES).format(n) for n in names[:2]]
    tags = [t.strip() for t in (o or {}).get("tags", "").split(",") if t.strip()]
    if len(tags) >= 2:
        caps.append(", ".join(rng.sample(tags, min(3, len(tags)))))
        caps.append(f"{names[0]}: {', '.join(tags[:2])}")
    return list(dict.fromkeys(caps))


def assign_splits(concepts: list[dict], holdout: int, seed: int) -> tuple[list[str], list[int], list[int]]:
    """Flatten captions; hold out whole concepts and one non-primary phrasing of each other concept."""
    rng = random.Random(seed)
    held = set(rng.sample(range(len(concepts)), holdout))
    captions, concept_idx, split = [], [], []
    for i, c in enumerate(concepts):
        caps = c["captions"]
        held_phrase = rng.randrange(1, len(caps)) if len(caps) >= 3 and i not in held else -1
        for j, cap in enumerate(caps):
            captions.append(cap)
            concept_idx.append(i)
            split.append(2 if i in held else 1 if j == held_phrase else 0)
    return captions, concept_idx, split
