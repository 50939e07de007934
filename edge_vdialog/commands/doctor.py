"""``edge-vdialog doctor``: can this box run the kiosk as configured? A table, then one line per problem."""

from __future__ import annotations

import argparse

from edge_vdialog.commands.config import add_config_argument

MARK = {"ok": "ok", "warn": "WARN", "fail": "FAIL", "skip": "-"}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("doctor", help="check models, backends, devices, fonts, memory, unit")
    add_config_argument(parser)
    parser.set_defaults(func=doctor)


def doctor(args: argparse.Namespace) -> int:
    import logging

    logging.basicConfig(level=logging.ERROR)  # probes log retries; the table says it once
    from edge_vdialog.errors import ConfigError
    from edge_vdialog.service.doctor import Check, run_checks
    from edge_vdialog.settings import Settings, load_settings

    try:
        settings, first = load_settings(args.config), []
    except ConfigError as e:  # report it, then check the rest with defaults
        settings, first = Settings(), [Check("config", "fail", e.message, e.hint or "")]
    checks = first + run_checks(settings)
    width = max(len(c.name) for c in checks)
    for c in checks:
        print(f"{c.name:<{width}}  {MARK[c.status]:<4}  {c.detail}")
    problems = [c for c in checks if c.status in ("fail", "warn") and c.fix]
    if problems:
        print()
    for c in problems:
        print(f"{'problem' if c.status == 'fail' else 'note'}: {c.name}: {c.detail}; fix: {c.fix}")
    return 1 if any(c.status == "fail" for c in checks) else 0
