"""``edge-vdialog service install|uninstall [--dry-run]``: the systemd unit and default config."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("service", help="install or remove the systemd service")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    install = actions.add_parser("install", help="write unit + default config, reload, enable")
    uninstall = actions.add_parser("uninstall", help="disable and remove the unit")
    uninstall.add_argument("--purge", action="store_true", help="also remove the config file")
    for p in (install, uninstall):
        p.add_argument("--dry-run", action="store_true", help="print what would be done")
        p.add_argument("--unit-dir", type=Path, default=Path("/etc/systemd/system"))
        p.add_argument("--config-path", type=Path, default=Path("/etc/edge-vdialog/config.toml"))
    install.set_defaults(func=run_install)
    uninstall.set_defaults(func=run_uninstall)


def run_install(args: argparse.Namespace) -> int:
    from edge_vdialog.service.install import Plan, install

    for warning in install(Plan(args.unit_dir, args.config_path, dry_run=args.dry_run)):
        print(f"warning: {warning}")
    return 0


def run_uninstall(args: argparse.Namespace) -> int:
    from edge_vdialog.service.install import Plan, uninstall

    uninstall(Plan(args.unit_dir, args.config_path, dry_run=args.dry_run), purge=args.purge)
    return 0
