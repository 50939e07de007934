"""The ``edge-vdialog`` command line.

Each subcommand lives in ``edge_vdialog/commands/<name>.py`` and exposes ``register(subparsers)``,
which adds its parser and sets ``func(args) -> int``. Command modules import heavy packages
(OpenCV, ONNX Runtime) inside ``func``, so starting the CLI stays cheap.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from edge_vdialog import __version__
from edge_vdialog.errors import UserError

COMMANDS: list[str] = [
    "config",
    "service",
    "doctor",
    "chat",
    "imagine",
    "run",
    "demo",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="edge-vdialog", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"edge_vdialog.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (e.g. `| head`); nothing left to report to
        return 0
    except Exception as e:  # last resort: one line, the traceback only on request
        if os.environ.get("EDGE_VDIALOG_DEBUG"):
            raise
        print(f"error: internal error: {type(e).__name__}: {e} "
              "(set EDGE_VDIALOG_DEBUG=1 for the traceback and report it)", file=sys.stderr)
        return 1
