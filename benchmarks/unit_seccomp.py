"""Run a command under the unit's SystemCallFilter= without systemd (it is not PID 1 here).

    /usr/bin/python3 benchmarks/unit_seccomp.py [--unit systemd/edge-vdialog.service]
                                                [--deny-setpriority] -- COMMAND...

Reads the unit's ``SystemCallFilter=`` lines in order as systemd does (the first line decides
allow-list or deny-list; ``~`` lines deny, plain lines allow back), expands ``@groups`` with
``systemd-analyze syscall-filter``, loads the result with libseccomp (Debian python3-seccomp,
system Python) failing with ``SystemCallErrorNumber=`` and execs COMMAND, which inherits it.
``--deny-setpriority`` drops the unit's allow-back of setpriority: the unit before its fix.
"""

from __future__ import annotations

import argparse
import errno
import os
import re
import subprocess
import sys
from pathlib import Path

import seccomp


def expand(names: list[str]) -> set[str]:
    """Syscall names, ``@groups`` expanded recursively by systemd-analyze."""
    out: set[str] = set()
    for name in names:
        if not name.startswith("@"):
            out.add(name)
            continue
        listing = subprocess.run(["systemd-analyze", "syscall-filter", name], check=True,
                                 capture_output=True, text=True).stdout
        members = [w for w in re.findall(r"^\s+(\S+)$", listing, re.MULTILINE) if not w.startswith("#")]
        out |= expand(members)
    return out


def filter_sets(unit: Path, deny_setpriority: bool) -> tuple[set[str], int]:
    """(allowed syscalls, errno) from the unit, as systemd combines its lines."""
    text = unit.read_text()
    allowed: set[str] = set()
    for line in re.findall(r"^SystemCallFilter=(.*)$", text, re.MULTILINE):
        deny, names = line.startswith("~"), line.lstrip("~").split()
        if deny_setpriority and names == ["setpriority"]:
            continue
        allowed = allowed - expand(names) if deny else allowed | expand(names)
    number = re.search(r"^SystemCallErrorNumber=(\w+)$", text, re.MULTILINE)
    return allowed, getattr(errno, number.group(1)) if number else errno.EPERM


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--unit", type=Path, default=Path(__file__).parents[1] / "systemd" / "edge-vdialog.service")
    p.add_argument("--deny-setpriority", action="store_true")
    p.add_argument("command", nargs="+")
    a = p.parse_args()
    allowed, number = filter_sets(a.unit, a.deny_setpriority)
    f = seccomp.SyscallFilter(defaction=seccomp.ERRNO(number))
    for name in sorted(allowed):
        try:
            f.add_rule(seccomp.ALLOW, name)
        except (RuntimeError, ValueError):  # not a syscall on this architecture
            pass
    f.load()
    print(f"unit_seccomp: {len(allowed)} syscalls allowed, setpriority "
          f"{'allowed' if 'setpriority' in allowed else 'denied'}", file=sys.stderr, flush=True)
    os.execvp(a.command[0], a.command)


if __name__ == "__main__":
    main()
