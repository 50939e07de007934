"""``python -m export gan-sheet``: contact sheet of 32 captions drawn by a bundle (for the model card).

Rows of 8 cells: the generated picture (2x, nearest) with its caption; the cell's label says where the
caption comes from: [new] a held-out concept, [phrase] an unseen phrasing of a training concept, [chat] a
reply-like sentence written for this sheet.
"""

from __future__ import annotations

import numpy as np

CHAT = ["a red apple", "what a rainy day", "I love my dog", "let's grab a pizza tonight",
        "the sun is shining", "good night, sleep well", "I'm so sad today", "happy birthday!",
        "my car broke down again", "we went to the beach", "I play the guitar", "time for coffee"]
CELL, LABEL_H, COLS = 128, 34, 8


def register(sub) -> None:
    p = sub.add_parser("gan-sheet", help="contact sheet of 32 captions for the model card")
    p.add_argument("--bundle", default="models/default")
    p.add_argument("--data", default=".cache/gan/gan_data.npz")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="models/default/imagegen_contact_sheet.png")
    p.set_defaults(func=run)


def sheet_captions(data) -> list[tuple[str, str]]:
    caps, split, concept = data["captions"], data["split"], data["concept"]
    held = np.flatnonzero(split == 2)
    _, first = np.unique(concept[held], return_index=True)
    phr = np.flatnonzero(split == 1)
    rng = np.random.default_rng(3)
    return ([("new", str(caps[i])) for i in rng.choice(held[first], 12, replace=False)]
            + [("phrase", str(caps[i])) for i in rng.choice(phr, 8, replace=False)]
            + [("chat", t) for t in CHAT])


def draw(images: np.ndarray, labels: list[tuple[str, str]]):
    from PIL import Image, ImageDraw, ImageFont
    rows = -(-len(images) // COLS)
    sheet = Image.new("RGB", (COLS * CELL, rows * (CELL + LABEL_H)), "white")
    pen = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=11)
    for i, (img, (kind, text)) in enumerate(zip(images, labels)):
        x, y = (i % COLS) * CELL, (i // COLS) * (CELL + LABEL_H)
        sheet.paste(Image.fromarray(img).resize((CELL, CELL), Image.NEAREST), (x, y))
        line1, line2 = f"[{kind}] {text}"[:22], f"[{kind}] {text}"[22:44]
        pen.text((x + 3, y + CELL + 2), line1, fill="black", font=font)
        pen.text((x + 3, y + CELL + 17), line2, fill="black", font=font)
    return sheet


def run(args) -> int:
    from edge_vdialog.bundle import Bundle
    from edge_vdialog.engines import EngineOptions
    from edge_vdialog.imagegen import load_image_generator
    gen = load_image_generator(Bundle.load(args.bundle), EngineOptions(threads=1))
    labels = sheet_captions(np.load(args.data))
    images = np.stack([gen.generate(t, seed=args.seed + i) for i, (_, t) in enumerate(labels)])
    draw(images, labels).save(args.out)
    print(f"{args.out}: {len(labels)} captions")
    return 0
