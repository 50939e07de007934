"""Fleet benchmark: the kiosk's models on a Triton server over loopback against the same models
run in-process (ort backend), measured interleaved in one run.

    python benchmarks/bench_triton.py [--rounds 3] [--clients 1,2,4] [--threads 1] [--pictures 40]

Builds a model repository from models/default (GPT-2 dialogue, text encoder, GAN generator) and
models/smollm2 when it has been built, starts ``tritonserver`` (``make triton``) on a free
loopback port, and for each dialogue model and each number of clients (kiosks talking at once,
one thread each) takes, per greedy reply to a fresh conversation:
first token = from ``send`` to the first text piece; ms/token = (last piece - first piece) /
(reply tokens - 1). Local with N clients is N conversations in N threads of this process, on the
same cores as the server's N model instances. Then picture latency (text -> 64x64 picture).
Both sides use ``--threads`` ONNX Runtime threads per model instance, no spinning.
Goals (issue 15): first token within 2x local, single-client decode at least 0.8x local.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from edge_vdialog.bundle import Bundle
from edge_vdialog.dialogue import Sampling, load_chat
from edge_vdialog.engines import EngineOptions
from edge_vdialog.imagegen import load_image_generator
from export.triton import triton_serve
from export.triton.triton_repo import write_repository

LINES = ("Hello! How are you today?", "What is your favourite food?", "Tell me about the sea.",
         "Do you like cats or dogs?")
PICTURES = ("a red apple", "a happy dog", "a blue car", "a slice of pizza", "the sun", "a green tree")
START_S = 180
"""Most seconds the server may take to load its models."""


def reply_times(chat, tokens_of, line: str, sampling: Sampling) -> tuple[float, float]:
    """(first piece s, ms per token) of one reply to ``line`` in a fresh conversation."""
    chat.reset()
    start, stamps, text = time.perf_counter(), [], ""
    for piece in chat.send(line, sampling):
        stamps.append(time.perf_counter())
        text += piece
    n = len(tokens_of(text))
    return stamps[0] - start, (stamps[-1] - stamps[0]) * 1e3 / max(n - 1, 1)


def concurrent(chats: list, tokens_of, sampling: Sampling) -> list[tuple[float, float]]:
    """Every chat answers every line, all chats at once (one thread each); the replies' times."""
    results: list[tuple[float, float]] = []
    gate = threading.Barrier(len(chats))

    def kiosk(chat) -> None:
        gate.wait()
        for line in LINES:
            results.append(reply_times(chat, tokens_of, line, sampling))
    threads = [threading.Thread(target=kiosk, args=(c,)) for c in chats]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def dialogue_rows(bundle: Bundle, url: str, args: argparse.Namespace) -> list[list[str]]:
    local_opts = EngineOptions(threads=args.threads, spinning=False)
    remote_opts = EngineOptions(backend="triton", url=url, timeout_s=30, piece_timeout_s=30)
    n_max = max(args.clients)
    local = [load_chat(bundle, local_opts) for _ in range(n_max)]
    remote = [load_chat(bundle, remote_opts) for _ in range(n_max)]
    sampling = Sampling(greedy=True, max_new_tokens=args.max_new_tokens)
    tokens_of = local[0].tok.encode_text
    times: dict[tuple[str, int], list] = {}
    concurrent(local[:1] + remote[:1], tokens_of, sampling)              # warm-up, not counted
    for _ in range(args.rounds):                                          # interleaved
        for n in args.clients:
            times.setdefault(("local", n), []).extend(concurrent(local[:n], tokens_of, sampling))
            times.setdefault(("triton", n), []).extend(concurrent(remote[:n], tokens_of, sampling))
    rows = []
    for n in args.clients:
        (lf, lt), (rf, rt) = (_medians(times[(side, n)]) for side in ("local", "triton"))
        rows.append([bundle.root.name, str(n), f"{lf * 1e3:.1f}", f"{rf * 1e3:.1f}", f"**{rf / lf:.2f}**",
                     f"{lt:.2f}", f"{rt:.2f}", f"**{lt / rt:.2f}**", str(len(times[('triton', n)]))])
    return rows


def _medians(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def picture_row(bundle: Bundle, url: str, args: argparse.Namespace) -> list[str]:
    local = load_image_generator(bundle, EngineOptions(threads=args.threads, spinning=False))
    remote = load_image_generator(bundle, EngineOptions(backend="triton", url=url, timeout_s=30))
    times: dict[str, list[float]] = {"local": [], "triton": []}
    for i in range(args.pictures + len(PICTURES)):                       # the first round warms up
        for side, gen in (("local", local), ("triton", remote)):
            start = time.perf_counter()
            gen.generate(PICTURES[i % len(PICTURES)], seed=i)
            if i >= len(PICTURES):
                times[side].append((time.perf_counter() - start) * 1e3)
    lm, rm = statistics.median(times["local"]), statistics.median(times["triton"])
    return [f"{lm:.2f}", f"{rm:.2f}", f"**{rm / lm:.2f}**", f"{rm - lm:.2f}", str(args.pictures)]


def table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds (each: every client, every line)")
    p.add_argument("--clients", default="1,2,4", help="concurrent clients to measure, comma-separated")
    p.add_argument("--threads", type=int, default=1, help="ONNX Runtime threads per model instance, both sides")
    p.add_argument("--max-new-tokens", type=int, default=48, help="reply cap, tokens (greedy)")
    p.add_argument("--pictures", type=int, default=40, help="pictures per side")
    p.add_argument("--venv", type=Path, default=ROOT / triton_serve.DEFAULT_VENV, help="the server's venv")
    args = p.parse_args()
    args.clients = [int(c) for c in args.clients.split(",")]
    default = Bundle.load(ROOT / "models" / "default")
    dialogues = [default] + ([Bundle.load(ROOT / "models" / "smollm2")]
                             if (ROOT / "models" / "smollm2" / "manifest.json").is_file() else [])
    with tempfile.TemporaryDirectory(prefix="bench-triton-") as tmp:
        repo, log = Path(tmp) / "repo", Path(tmp) / "server.log"
        write_repository([b.root for b in dialogues], repo, instances=max(args.clients), threads=args.threads)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = triton_serve.start(repo, port, args.venv, log)
        try:
            if not triton_serve.wait_ready(server, port, START_S):
                print(f"tritonserver did not start; log:\n{log.read_text()[-3000:]}", file=sys.stderr)
                return 1
            url = f"grpc://127.0.0.1:{port}"
            rows = [r for b in dialogues for r in dialogue_rows(b, url, args)]
            picture = picture_row(default, url, args)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
    print(f"loopback, {os.cpu_count()} CPUs, --threads {args.threads}, greedy, <= {args.max_new_tokens} new "
          f"tokens, {args.rounds} interleaved rounds x {len(LINES)} lines per client; medians\n")
    print(table(["bundle", "clients", "local first token ms", "triton first token ms", "first token x (goal <= 2)",
                 "local ms/token", "triton ms/token", "decode speed x (goal >= 0.8)", "replies"], rows))
    print()
    print(table(["local picture ms", "triton picture ms", "x", "added ms", "pictures"], [picture]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
