"""Fault-injection and soak campaign against the real kiosk process (``make soak``).

    python benchmarks/soak.py [--bundle models/default] [--pictures models/default] [--turns 1000]
                              [--max-new-tokens 24] [--env MALLOC_ARENA_MAX=2 ...]

Starts ``edge-vdialog run`` on a looping MP4 camera and a private Xvfb display, playing systemd
(NOTIFY_SOCKET, WATCHDOG_USEC) and reading ``/healthz``; injects each fault of soak_faults.py,
types ``--turns`` turns in one conversation (far past the context limit) while sampling RSS, fds
and threads from /proc, then kills it at random moments. Prints one table. Goals: every fault
recovered without a restart except a true hang, RSS growth < 5 MB per 1,000 turns after warm-up,
fds and threads flat, first token <= 100 ms at any conversation length.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import soak_faults as faults
from soak_kiosk import ROOT, Kiosk, write_config

LENGTHS = (1, 11, 101, 1001, 10001)
"""Conversation-length buckets (turns so far) for first-token figures."""


@dataclass
class Soak:
    samples: list[tuple[int, int, int, int]] = field(default_factory=list)
    """(turn, RSS kB, fds, threads) every ``every`` turns."""
    first_token: dict[int, list[float]] = field(default_factory=dict)
    """Bucket start -> first token on screen per turn, seconds."""
    lost: int = 0

    def growth_mb_per_1000(self, warmup: float = 0.2) -> float:
        """Least-squares RSS slope over the samples after the first ``warmup`` of the turns."""
        kept = self.samples[int(len(self.samples) * warmup):]
        xs, ys = [s[0] for s in kept], [s[1] / 1024 for s in kept]
        return statistics.linear_regression(xs, ys).slope * 1000 if len(kept) > 2 else float("nan")


def soak(kiosk: Kiosk, turns: int, every: int = 20) -> Soak:
    """``turns`` typed turns, each after the last is answered, in one conversation."""
    result = Soak()
    for n in range(1, turns + 1):
        try:
            _, first = kiosk.turn(f"tell me something about number {n}")
        except RuntimeError:
            result.lost += 1
            continue
        bucket = max(b for b in LENGTHS if b <= n)
        result.first_token.setdefault(bucket, []).append(first if first is not None else float("inf"))
        if n % every == 0 or n == 1:
            result.samples.append((n, *kiosk.counters()))
    return result


def campaign(work: Path, dialogue: Path, pictures: Path, turns: int, max_new_tokens: int = 24,
             rewrite: tuple[Path, Path] | None = None,
             env: dict[str, str] | None = None) -> tuple[list, Soak]:
    """Every fault, then the soak; ``rewrite``: (checkpoint, its bundle) to re-export and kill."""
    rig = faults.Rig(work, write_config(work / "config.toml", dialogue, pictures, max_new_tokens), env)
    rows: list[faults.Row] = []
    kiosk = rig.kiosk()
    try:
        kiosk.turn("hello there")
        rows += [faults.camera_vanishes(kiosk, rig), faults.x_server_dies(kiosk, rig),
                 faults.barge_in_storm(kiosk), faults.process_frozen(kiosk)]
        result = soak(kiosk, turns)
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGKILL):
            row, kiosk = faults.killed_mid_turn(kiosk, rig, sig)
            rows.append(row)
        row, kiosk = faults.workers_hung(kiosk, rig)
        rows.append(row)
        kiosk.close()
        rows += [*faults.microphone_faults(rig), faults.unwritable_output(rig), faults.rtsp_silent(rig)]
        if rewrite is not None:
            rows.append(faults.bundle_write_killed(rewrite[1], rewrite[0]))
    finally:
        kiosk.close()
        rig.close()
    return rows, result


def table(rows: list, result: Soak) -> str:
    out = ["| fault | recovery s | turns lost | restart | note |", "|---|---|---|---|---|"]
    out += [f"| {r.fault} | {'-' if r.recovery_s is None else f'{r.recovery_s:.2f}'} | {r.lost} | "
            f"{'yes' if r.restart else 'no'} | {r.note} |" for r in rows]
    first, last = result.samples[0], result.samples[-1]
    out += ["", (f"soak: {last[0]} turns, {result.lost} lost; RSS {first[1] // 1024} -> "
            f"{last[1] // 1024} MB, growth after warm-up {result.growth_mb_per_1000():+.1f} MB per "
            f"1,000 turns; fds {first[2]} -> {last[2]}; threads {first[3]} -> {last[3]}"), "",
            "| conversation length (turns) | turns | first token p50 ms | p99 ms |", "|---|---|---|---|"]
    for start, values in sorted(result.first_token.items()):
        end = next((b - 1 for b in LENGTHS if b > start), "")
        q = statistics.quantiles(values, n=100) if len(values) > 1 else values * 99
        out.append(f"| {start}-{end} | {len(values)} | {1000 * statistics.median(values):.0f} | "
                   f"{1000 * q[98]:.0f} |")
    return "\n".join(out)


def tiny_checkpoint(work: Path) -> tuple[Path, Path] | None:
    """A tiny GPT-2 checkpoint and its bundle for the bundle-write fault (needs the export extra)."""
    try:
        from export.dialogue.lm_bundle import export_causal_lm
        from tests.dialogue.tiny_models import gpt2_checkpoint
    except ImportError:
        return None
    gpt2_checkpoint(work / "ckpt")
    export_causal_lm(work / "ckpt", work / "rewritten", quantize="int8", prompt_format="eos-turns")
    return work / "ckpt", work / "rewritten"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bundle", type=Path, default=ROOT / "models" / "default")
    p.add_argument("--pictures", type=Path, default=ROOT / "models" / "default")
    p.add_argument("--turns", type=int, default=1000)
    p.add_argument("--max-new-tokens", type=int, default=24)
    p.add_argument("--env", action="append", default=[], help="KEY=VALUE for the kiosk process")
    a = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        work = Path(tmp)
        made = tiny_checkpoint(work)
        t0 = time.monotonic()
        rows, result = campaign(work, a.bundle.resolve(), a.pictures.resolve(), a.turns,
                                a.max_new_tokens, made,
                                dict(kv.split("=", 1) for kv in a.env))
    print(f"bundle {a.bundle}, {a.turns} turns, {a.max_new_tokens} new tokens at most, "
          f"{time.monotonic() - t0:.0f} s\n" + table(rows, result))


if __name__ == "__main__":
    main()
