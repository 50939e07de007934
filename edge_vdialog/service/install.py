"""Install or remove the systemd unit and the default config; every step is printed.

The unit is ``systemd/edge-vdialog.service`` from the checkout with ``ExecStart`` pointing at
this Python (so the virtual environment's packages are used) and ``EDGE_VDIALOG_MODELS`` at
this checkout's bundles. An existing config file is never overwritten.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from edge_vdialog.bundle import models_dir
from edge_vdialog.errors import UserError
from edge_vdialog.service.config_file import render_toml
from edge_vdialog.settings import DEFAULT_CONFIG, Settings

UNIT_NAME = "edge-vdialog.service"
UNIT_TEMPLATE = Path(__file__).resolve().parents[2] / "systemd" / UNIT_NAME
UNIT_DIR = Path("/etc/systemd/system")
HIDDEN = ("/home", "/root", "/run/user")
"""Paths that ProtectHome= hides from the service."""


@dataclass(frozen=True)
class Plan:
    unit_dir: Path = UNIT_DIR
    config: Path = DEFAULT_CONFIG
    python: Path = Path(sys.executable)
    models: Path = models_dir()
    dry_run: bool = False

    @property
    def unit(self) -> Path:
        return self.unit_dir / UNIT_NAME


def render_unit(plan: Plan) -> str:
    if not UNIT_TEMPLATE.is_file():
        raise UserError(f"unit template {UNIT_TEMPLATE} is missing",
                        "install from a checkout of edge-vdialog (pip install -e .)")
    text = UNIT_TEMPLATE.read_text(encoding="utf-8")
    text = re.sub(r"^ExecStart=.*$", f"ExecStart={plan.python} -m edge_vdialog run "
                  f"--config {plan.config}", text, count=1, flags=re.MULTILINE)
    return re.sub(r"^Environment=EDGE_VDIALOG_MODELS=.*$",
                  f"Environment=EDGE_VDIALOG_MODELS={plan.models.resolve()}", text, count=1,
                  flags=re.MULTILINE)


APPLIANCE = {"voice": {"output": "speaker://default"}}
"""Where an installed kiosk's config differs from the defaults of a development ``run``: it speaks
its replies (a missing sound card is shown as degraded and retried, never a crash)."""


def install(plan: Plan) -> list[str]:
    """Write unit + default config, reload and enable; returns warnings."""
    warnings = [f"{p} is under {h}, which the unit's ProtectHome= hides: install into /opt or "
                "/usr/local instead" for p in (plan.python, plan.models.resolve())
                for h in HIDDEN if str(p).startswith(h + "/")]
    _write(plan.unit, render_unit(plan), plan.dry_run)
    if plan.config.exists():
        _say(plan.dry_run, f"keep existing config {plan.config}")
    else:
        _write(plan.config, render_toml(Settings.model_validate(APPLIANCE)), plan.dry_run)
    _systemctl(plan.dry_run, "daemon-reload")
    _systemctl(plan.dry_run, "enable", UNIT_NAME)
    _say(False, f"start it with: systemctl start {UNIT_NAME}; logs: journalctl -u {UNIT_NAME} -f")
    return warnings


def uninstall(plan: Plan, purge: bool = False) -> None:
    _systemctl(plan.dry_run, "disable", "--now", UNIT_NAME)
    _remove(plan.unit, plan.dry_run)
    _systemctl(plan.dry_run, "daemon-reload")
    if purge:
        _remove(plan.config, plan.dry_run)
    elif plan.config.exists():
        _say(plan.dry_run, f"keep config {plan.config} (--purge removes it)")


def systemd_running() -> bool:
    """True when systemd is PID 1 here (sd_booted(3))."""
    return Path("/run/systemd/system").is_dir()


def _say(dry_run: bool, text: str) -> None:
    print(("would " if dry_run else "") + text)


def _write(path: Path, text: str, dry_run: bool) -> None:
    _say(dry_run, f"write {path}")
    if dry_run:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        path.chmod(0o644)
    except OSError as e:
        raise UserError(f"cannot write {path}: {e.strerror or e}",
                        "run as root (sudo), or pass --unit-dir/--config-path") from None


def _remove(path: Path, dry_run: bool) -> None:
    if not path.exists():
        return
    _say(dry_run, f"remove {path}")
    if not dry_run:
        try:
            path.unlink()
        except OSError as e:
            raise UserError(f"cannot remove {path}: {e.strerror or e}", "run as root (sudo)") from None


def _systemctl(dry_run: bool, *args: str) -> None:
    if not systemd_running():
        print(f"skip systemctl {' '.join(args)}: systemd is not running here")
        return
    _say(dry_run, f"run systemctl {' '.join(args)}")
    if not dry_run:
        done = subprocess.run(["systemctl", *args], capture_output=True, text=True)
        if done.returncode != 0:
            raise UserError(f"systemctl {' '.join(args)} failed: {done.stderr.strip()}",
                            "see `systemctl status edge-vdialog`")
