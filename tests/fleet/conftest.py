"""A real ``tritonserver`` (``make triton``) serving tiny bundles, started once for these tests."""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

import pytest

from export.triton import triton_serve
from export.triton.triton_repo import write_repository

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".cache" / "triton-venv"
START_S = 120
"""Most seconds the server may take to load its models (about 10 on 2 cores)."""


class Server:
    """``tritonserver`` on a free loopback port; :meth:`kill` and :meth:`start` for fault tests."""

    def __init__(self, repo: Path, log: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.repo, self.log, self.url = repo, log, f"grpc://127.0.0.1:{self.port}"
        self.process = None

    def start(self) -> None:
        self.process = triton_serve.start(self.repo, self.port, VENV, self.log)
        if not triton_serve.wait_ready(self.process, self.port, START_S):
            self.kill()
            pytest.fail(f"tritonserver did not start; log: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)   # its own process group: server + model stubs
        self.process.wait(timeout=30)

    def pause(self, paused: bool) -> None:
        self.process.send_signal(signal.SIGSTOP if paused else signal.SIGCONT)


@pytest.fixture(scope="session")
def tiny_long(tmp_path_factory) -> Path:
    """The tiny GPT-2 with 4,096 positions (INT8 bundle): a greedy reply to "hello" runs ~650 pieces,
    over a second, so a cancel sent after the first piece reaches the server long before the end."""
    from export.dialogue.lm_bundle import export_causal_lm
    from tests.dialogue.tiny_models import gpt2_checkpoint

    out = tmp_path_factory.mktemp("tiny-long")
    export_causal_lm(gpt2_checkpoint(out / "checkpoint", positions=4096), out / "bundle", quantize="int8",
                     prompt_format="eos-turns")
    return out / "bundle"


@pytest.fixture(scope="session")
def triton(tiny, tiny_long, tmp_path_factory) -> Server:
    if not (ROOT / ".cache" / "stamps" / "triton").exists():   # written only once the install worked
        pytest.skip(f"tritonserver is not installed in {VENV} (make triton)")
    out = tmp_path_factory.mktemp("triton")
    write_repository([tiny["gpt2_int8"], tiny_long, ROOT / "models" / "default"], out / "repo", instances=2,
                     threads=1)
    server = Server(out / "repo", out / "server.log")
    server.start()
    yield server
    if server.process.poll() is None:
        server.kill()
