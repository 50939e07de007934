"""edge-vdialog: a visual-dialogue kiosk runtime (`edge-vdialog COMMAND --help`).

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
    "say",
    "run",
    "demo",
]


def build_parser(prog: str, doc: str, package: str, commands: list[str]) -> argparse.ArgumentParser:
    """A parser whose subcommands are ``package.<name>`` modules, each with ``register(subparsers)``."""
    parser = argparse.ArgumentParser(prog=prog, description=doc.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in commands:
        importlib.import_module(f"{package}.{name}").register(sub)
    return parser


def run(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> int:
    """Parse and run the chosen command; errors become one line on stderr and an exit status."""
    args = parser.parse_args(argv)
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


def main(argv: list[str] | None = None) -> int:
    return run(build_parser("edge-vdialog", __doc__, "edge_vdialog.commands", COMMANDS), argv)
