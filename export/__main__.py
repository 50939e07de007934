"""``python -m export <command>``: each command lives in ``export/<module>.py`` with ``register(subparsers)``."""

from __future__ import annotations

import argparse
import importlib
import sys

from edge_vdialog.errors import UserError

COMMANDS: list[str] = ["emoji_data", "train_dialogue", "train_gan", "causal_lm", "static_encoder", "gan_bundle", "eval_gan", "bench_imagegen", "contact_sheet", "encoder_compare", "smollm2", "eval_dialogue", "chat_samples"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m export", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"export.{name}").register(sub)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
