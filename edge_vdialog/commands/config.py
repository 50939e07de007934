"""``edge-vdialog config check|show``: validate the configuration, print the effective one."""

from __future__ import annotations

import argparse
import json


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE",
                        help="settings file (default: $EDGE_VDIALOG_CONFIG, else "
                             "/etc/edge-vdialog/config.toml when it exists)")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("config", help="check or show the configuration")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = actions.add_parser("check", help="validate; exit 2 naming each bad key")
    add_config_argument(check)
    check.set_defaults(func=check_config)
    show = actions.add_parser("show", help="print the effective configuration, defaults included")
    add_config_argument(show)
    show.add_argument("--format", choices=("toml", "json"), default="toml")
    show.add_argument("--no-comments", action="store_true", help="leave out the key descriptions")
    show.set_defaults(func=show_config)


def check_config(args: argparse.Namespace) -> int:
    import os

    from edge_vdialog.settings import ENV_PREFIX, config_path, load_settings

    load_settings(args.config)
    source = config_path(args.config) or "no config file, built-in defaults"
    env = sorted(k for k in os.environ if k.startswith(ENV_PREFIX))
    print(f"ok: {source}" + (f" + {', '.join(env)}" if env else ""))
    return 0


def show_config(args: argparse.Namespace) -> int:
    from edge_vdialog.service.config_file import render_toml
    from edge_vdialog.settings import load_settings

    settings = load_settings(args.config)
    if args.format == "json":
        print(json.dumps(settings.model_dump(mode="json"), indent=2))
    else:
        print(render_toml(settings, comments=not args.no_comments), end="")
    return 0
