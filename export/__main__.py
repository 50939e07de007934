"""Toolchain commands: train, export, quantize, evaluate and bundle models (`python -m export COMMAND --help`)."""

from __future__ import annotations

from edge_vdialog.cli import build_parser, run

COMMANDS: list[str] = [
    "train_dialogue", "eval_dialogue", "chat_samples", "causal_lm", "smollm2",
    "emoji_data", "static_encoder", "encoder_compare", "train_gan", "gan_bundle", "eval_gan",
    "bench_imagegen", "contact_sheet",
]


def main(argv: list[str] | None = None) -> int:
    return run(build_parser("python -m export", __doc__, "export", COMMANDS), argv)


if __name__ == "__main__":
    raise SystemExit(main())
