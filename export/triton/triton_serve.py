"""``python -m export triton-serve``: start ``tritonserver`` on a model repository, bound to loopback.

The server comes from PyPI ``nvidia-pytriton`` (``tritonserver`` 2.51, Python backend only) in its
own virtual environment made from the system Python (``make triton``: ``.cache/triton-venv``; a
pyenv Python breaks the backend stub, see FINDINGS.md), which also holds ``edge-vdialog`` for the
models to run. Only gRPC is served (no HTTP, no metrics port); ``--bind 0.0.0.0`` exposes it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import time
from pathlib import Path

from edge_vdialog.errors import UserError

DEFAULT_VENV = Path(".cache/triton-venv")
PYTHON = "python3.11"
"""The virtual environment's Python; the backend stub is built for one minor version."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("triton-serve", help="run tritonserver on a repository (gRPC, 127.0.0.1)")
    p.add_argument("--repo", type=Path, required=True, help="model repository (python -m export triton-repo)")
    p.add_argument("--venv", type=Path, default=DEFAULT_VENV, help=f"server environment (default {DEFAULT_VENV})")
    p.add_argument("--bind", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8001, help="gRPC port (default 8001)")
    p.add_argument("--grpc-option", action="append", default=[], metavar="OPT=VALUE",
                   help="passed on as --OPT=VALUE, e.g. grpc-use-ssl=1 grpc-server-cert=cert.pem")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    argv, env = command(args.repo, args.venv, args.bind, args.port, [f"--{o}" for o in args.grpc_option])
    os.execve(argv[0], argv, env)
    return 1  # not reached


def command(repo: Path, venv: Path = DEFAULT_VENV, bind: str = "127.0.0.1", port: int = 8001,
            extra: list[str] | None = None) -> tuple[list[str], dict[str, str]]:
    """``tritonserver``'s argv and environment serving ``repo`` over gRPC on ``bind:port``."""
    home = _server_home(venv)
    if not (repo / ".").is_dir():
        raise UserError(f"model repository {repo} does not exist", "write it with `python -m export triton-repo`")
    argv = [str(home / "bin" / "tritonserver"), f"--model-repository={repo.resolve()}",
            f"--backend-directory={home / 'backends'}", "--allow-http=false", "--allow-metrics=false",
            f"--grpc-address={bind}", f"--grpc-port={port}", "--log-info=true", *(extra or [])]
    libs = home.parent.parent / "nvidia_pytriton.libs"
    env = dict(os.environ, LD_LIBRARY_PATH=str(libs), PATH=f"{venv.resolve() / 'bin'}:{os.environ.get('PATH', '')}")
    return argv, env


def _server_home(venv: Path) -> Path:
    """pytriton's ``tritonserver`` folder in ``venv``, with the backend stub for its Python in place."""
    home = venv.resolve() / "lib" / PYTHON / "site-packages" / "pytriton" / "tritonserver"
    if not (home / "bin" / "tritonserver").is_file():
        raise UserError(f"no tritonserver in {venv}", "run `make triton` (PyPI nvidia-pytriton in its own venv)")
    stub = home / "backends" / "python" / "triton_python_backend_stub"
    if not stub.is_file():
        shutil.copy2(home / "python_backend_stubs" / PYTHON.removeprefix("python") / stub.name, stub)
    return home


def start(repo: Path, port: int, venv: Path = DEFAULT_VENV, log: Path | None = None) -> subprocess.Popen:
    """The server as a child in its own process group (kill it with ``os.killpg``)."""
    argv, env = command(repo, venv, port=port)
    with open(log or os.devnull, "ab") as out:                 # the child keeps its own copy
        return subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                stdin=subprocess.DEVNULL)


def wait_ready(process: subprocess.Popen, port: int, timeout_s: float) -> bool:
    """True once the server ``process`` answers ready on loopback ``port``; False when it exits or
    ``timeout_s`` passes first. Needs the Triton client (extra ``triton``)."""
    import tritonclient.grpc as grpcclient

    with grpcclient.InferenceServerClient(f"127.0.0.1:{port}") as client:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if client.is_server_ready(client_timeout=1):
                    return True
            except grpcclient.InferenceServerException:   # not listening yet
                time.sleep(0.2)
    return False
