"""Kiosk benchmark: what a person at the screen waits for, and how smooth the screen stays.

    python benchmarks/bench_kiosk.py [--config FILE] [--turns 24] [--camera test://]
                                     [--display null://] [--json FILE]

Runs the real kiosk (models from the config, default: models/default) with a synthetic 720p
camera, no microphone and, by default, a sink that drops frames after composing them (or a real
one: ``--display display://0``), and types ``--turns`` messages, one after another. Reports,
median over the turns: typed input -> first reply token on screen, and -> picture on screen;
frame rate and p99 frame interval while replies are being generated (and between turns, the
baseline this host allows); and compose cost per 1280x720 frame measured apart on a
streaming-reply view.
Targets: first token <= 150 ms, picture <= 400 ms, >= 30 fps, p99 interval <= 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MESSAGES = ("Hello! How are you today?", "What is your favourite food?", "I love pizza 🍕",
            "Tell me about the sea.", "Do you like cats or dogs?", "What is the weather like?",
            "你好！今天天气怎么样？", "Can you draw a red apple?", "What music do you like?",
            "I am going to the park later.", "Have you ever seen snow?", "Good morning!")


def drive(kiosk, turns: int, windows: list) -> None:
    """Type ``turns`` messages, each after the previous one is answered and on screen."""
    time.sleep(1.0)
    for i in range(turns):
        turn = kiosk.submit(MESSAGES[i % len(MESSAGES)])
        turn.done.wait(30)
        deadline = time.monotonic() + 2
        while (turn.first_token_s is None or (kiosk.images and turn.image_s is None)) \
                and time.monotonic() < deadline:
            time.sleep(0.005)
        windows.append((turn.t_input, time.monotonic()))
        time.sleep(0.3)
    kiosk.stop()


def frame_stats(times: np.ndarray, windows: list, answering: bool = True) -> dict:
    """Frame rate and interval percentiles over the frames shown while a turn was being answered
    (or, ``answering=False``, while none was: the baseline the host allows)."""
    gaps = np.diff(times)
    ends = times[1:]
    busy = np.zeros(len(gaps), bool)
    for start, end in windows:
        busy |= (ends >= start) & (ends <= end)
    g = gaps[busy if answering else ~busy]
    return {"frames": int(busy.sum()), "fps": float(1 / g.mean()),
            "interval_p50_ms": 1000 * float(np.median(g)),
            "interval_p99_ms": 1000 * float(np.percentile(g, 99)), "interval_max_ms": 1000 * float(g.max()),
            "intervals_over_50ms": int((g > 0.05).sum())}


def compose_cost(compositor, frames: int = 300) -> dict:
    """Median / p99 milliseconds to compose a 720p frame while a reply streams in word by word."""
    from edge_vdialog.compose import View

    camera = np.random.default_rng(0).integers(0, 256, (720, 1280, 3), np.uint8)
    image = np.random.default_rng(1).integers(0, 256, (64, 64, 3), np.uint8)
    reply = ("I love the sea, especially early in the morning when the water is calm 🌊 and the "
             "light is soft. 我也喜欢海。What about you, do you swim? ") * 2
    costs = []
    for i in range(frames):
        view = View(state="answering", heard="Tell me about the sea.", reply=reply[:20 + i % 200],
                    image=image, image_id=1, camera=camera, status=f"answering · {i % 31} fps")
        t = time.perf_counter()
        compositor.compose(view)
        costs.append(time.perf_counter() - t)
    return {"median_ms": 1000 * statistics.median(costs),
            "p99_ms": 1000 * float(np.percentile(costs, 99))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", type=Path, default=None)
    ap.add_argument("--turns", type=int, default=24)
    ap.add_argument("--camera", default="test://")
    ap.add_argument("--display", default="null://")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    from edge_vdialog.assemble import build_kiosk, load_models
    from edge_vdialog.settings import load_settings
    from edge_vdialog.telemetry import Telemetry

    settings = load_settings(args.config, {"camera.uri": args.camera, "mic.uri": "none",
                                           "display.uri": args.display})
    models = load_models(settings)
    kiosk = build_kiosk(settings, Telemetry(), models)
    windows: list = []
    threading.Thread(target=drive, args=(kiosk, args.turns, windows), daemon=True).start()
    kiosk.run()
    turns = [t for t in kiosk.turns if t.first_token_s is not None]
    rates = [t.tokens_per_s for t in turns if t.tokens_per_s]     # none when replies come whole ([dialogue] drafts)
    result = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "backend": models.backend, "display": args.display, "turns": len(turns),
        "first_token_ms_median": 1000 * statistics.median(t.first_token_s for t in turns),
        "first_token_ms_p90": 1000 * float(np.percentile([t.first_token_s for t in turns], 90)),
        "model_first_piece_ms_median": 1000 * statistics.median(t.first_piece_s for t in turns),
        "image_ms_median": 1000 * statistics.median(t.image_s for t in turns if t.image_s) if
        kiosk.images else None,
        "tokens_per_s_median": statistics.median(rates) if rates else None,
        "reply_chars_median": statistics.median(len(t.reply) for t in turns),
        "during_generation": frame_stats(np.array(kiosk.frame_times), windows),
        "between_turns": frame_stats(np.array(kiosk.frame_times), windows, answering=False),
        "compose_720p": compose_cost(kiosk.compositor),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
