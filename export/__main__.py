"""Toolchain commands: train, export, quantize, evaluate and bundle models (`python -m export COMMAND --help`)."""

from __future__ import annotations

from edge_vdialog.cli import build_parser, run

COMMANDS: list[str] = [
    "dialogue.train_dialogue", "dialogue.eval_dialogue", "dialogue.chat_samples", "dialogue.causal_lm",
    "dialogue.smollm2", "dialogue.bundle_checkpoint", "dialogue.persona_eval", "dialogue.preference_items", "dialogue.train_preference",
    "dialogue.lora_scale", "dialogue.answer_bank", "dialogue.line_classifier", "dialogue.judged_replies",
    "imagegen.gan_data", "imagegen.distill_encoder", "imagegen.encoder_compare", "imagegen.train_gan",
    "imagegen.gan_bundle", "imagegen.eval_gan", "imagegen.bench_imagegen", "imagegen.gan_sheet",
    "imagegen.picture_blind",
    "triton.triton_repo", "triton.triton_serve",
    "tensorrt.trt_onnx", "tensorrt.trt_engine",
]
"""Command modules (``export.<domain>.<name>``), each with ``register(subparsers)``; a module
implements the command of its name (``causal_lm`` also implements ``gpt2``, its GPT-2 preset)."""


def main(argv: list[str] | None = None) -> int:
    return run(build_parser("python -m export", __doc__, "export", COMMANDS), argv)


if __name__ == "__main__":
    raise SystemExit(main())
