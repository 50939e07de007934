"""``edge-vdialog imagine [--bundle DIR] [--seed N] --out FILE.png TEXT``: one picture for a text."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("imagine", help="draw the GAN picture for a text into a PNG")
    parser.add_argument("text", metavar="TEXT", help="any text; empty gives the neutral picture")
    parser.add_argument("--out", required=True, metavar="FILE.png", help="where to write the picture")
    parser.add_argument("--bundle", metavar="DIR", help="bundle with text_encoder + generator "
                        "(default: models/default)")
    parser.add_argument("--seed", type=int, help="noise seed (same text + seed -> same picture)")
    parser.add_argument("--scale", type=int, default=1, help="enlarge by this factor (nearest), 1-16")
    parser.set_defaults(func=imagine)


def imagine(args: argparse.Namespace) -> int:
    from pathlib import Path

    import cv2

    from edge_vdialog.bundle import Bundle, default_bundle_dir
    from edge_vdialog.errors import UserError
    from edge_vdialog.imagegen import load_image_generator

    if not 1 <= args.scale <= 16:
        raise UserError(f"--scale {args.scale} out of range", "use 1 to 16")
    out = Path(args.out)
    if out.suffix.lower() not in (".png", ".jpg", ".jpeg", ".bmp"):
        raise UserError(f"cannot tell the image format of {out}", "end --out with .png")
    if not out.parent.is_dir():
        raise UserError(f"folder {out.parent} does not exist", "create it or choose another --out")
    gen = load_image_generator(Bundle.load(args.bundle or default_bundle_dir()))
    image = gen.generate(args.text, seed=args.seed)
    if args.scale > 1:
        image = cv2.resize(image, None, fx=args.scale, fy=args.scale, interpolation=cv2.INTER_NEAREST)
    if not cv2.imwrite(str(out), image[:, :, ::-1]):
        raise UserError(f"could not write {out}", "check the folder is writable")
    print(f"{out} ({image.shape[1]}x{image.shape[0]}, seed {args.seed})")
    return 0
