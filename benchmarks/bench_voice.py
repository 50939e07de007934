"""Voice figures: real-time factor, reply end -> first audio, and VAD accuracy in noise.

    python benchmarks/bench_voice.py [--threads 1] [--snr-db 10]

1. Real-time factor (synthesis seconds / audio seconds) of the piper voice on ``--threads`` threads
   over bench_asr's 20 sentences, against espeak-ng's own synthesizer in the same run.
2. Reply end -> first audio: a 3-sentence reply streamed at the kiosk's decode rate (~100 tokens/s,
   one word per 10 ms), spoken sentence by sentence (ours) vs spoken whole once it has ended.
3. VAD: the same sentences by espeak-ng with white noise at ``--snr-db``, plus noise-only clips;
   Silero vs the energy detector: sentences cut as one utterance holding >= 80% of the speech, and
   utterances found in noise alone (false alarms).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.bench_asr import SENTENCES

REPLY = "Sure, I would love to talk about the sea. It is deep and full of life. What do you like?"


def espeak_wav(text: str, path: Path) -> float:
    """Synthesize with espeak-ng into ``path``; returns the seconds it took."""
    start = time.perf_counter()
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(path), text], check=True)
    return time.perf_counter() - start


def real_time_factors(voice, tmp: Path) -> None:
    from edge_vdialog.media.mic import read_wav

    ours, theirs = [], []
    voice.synthesize("Warm up.")
    for text in SENTENCES:
        start = time.perf_counter()
        audio = voice.synthesize(text)
        ours.append((time.perf_counter() - start) / (len(audio) / voice.sample_rate))
        took = espeak_wav(text, tmp / "e.wav")
        theirs.append(took / (len(read_wav(str(tmp / "e.wav"), 16000)) / 16000))
    o, t = statistics.median(ours), statistics.median(theirs)
    print(f"real-time factor, median of {len(SENTENCES)} sentences: piper voice {o:.3f} "
          f"(max {max(ours):.3f}), espeak-ng {t:.3f}; piper / espeak-ng {o / t:.1f}x")


class Stamped:
    """A real wav:// speaker (paced like a sound card) that notes when audio first arrives."""

    def __init__(self, speaker) -> None:
        self.speaker, self.first = speaker, None

    def play(self, chunk) -> None:
        self.first = self.first or time.monotonic()
        self.speaker.play(chunk)

    def status(self):
        return self.speaker.status()

    def close(self) -> None:
        self.speaker.close()


def first_audio(voice, tmp: Path, runs: int = 5) -> None:
    from edge_vdialog.media.speakers import open_speaker
    from edge_vdialog.telemetry import Telemetry
    from edge_vdialog.turns import Turn
    from edge_vdialog.voice.speech import Speech

    streamed, whole = [], []
    for i in range(runs):
        out = Stamped(open_speaker(f"wav://{tmp / f'r{i}.wav'}?realtime=1", voice.sample_rate))
        speech, turn = Speech(voice, out, Telemetry()).start(), Turn("hi", "typed")
        speech.follow(turn)
        for word in REPLY.split(" "):
            time.sleep(0.01)
            turn.reply += word + " "
        end = time.monotonic()
        turn.replied.set()
        while out.first is None:
            time.sleep(0.001)
        streamed.append(out.first - end)
        speech.close()
        start = time.perf_counter()
        voice.synthesize(REPLY)  # the alternative: the whole reply once it has ended
        whole.append(time.perf_counter() - start)
    s, w = statistics.median(streamed), statistics.median(whole)
    print(f"reply end -> first audio, median of {runs}: sentence by sentence {1000 * s:+.0f} ms "
          f"(negative: speech began before the reply ended), whole reply {1000 * w:.0f} ms")


def vad_accuracy(tmp: Path, snr_db: float) -> None:
    from edge_vdialog.media.mic import read_wav
    from edge_vdialog.media.vad import EnergyDetector, Segmenter, load_detector

    rng, clips = np.random.default_rng(0), []
    for i, text in enumerate(SENTENCES):
        espeak_wav(text, tmp / f"s{i}.wav")
        clean = read_wav(str(tmp / f"s{i}.wav"), 16000).astype(np.float64)
        rms = np.sqrt(np.mean(clean ** 2))
        padded = np.concatenate([np.zeros(16000), clean, np.zeros(16000)])
        noise = rng.normal(0, rms / 10 ** (snr_db / 20), len(padded))
        clips.append((np.clip(padded + noise, -32768, 32767).astype(np.int16), len(clean)))
    quiet = [np.clip(rng.normal(0, clips[0][0].std() / 3, 48000), -32768, 32767).astype(np.int16)
             for _ in range(10)]
    for name, make in (("silero", load_detector), ("energy", EnergyDetector)):
        hits = sum(_cut_once(Segmenter(make()), audio, n) for audio, n in clips)
        false = sum(len(_cuts(Segmenter(make()), audio)) for audio in quiet)
        print(f"VAD {name}: {hits}/{len(clips)} sentences cut whole at {snr_db:.0f} dB SNR, "
              f"{false} false utterances in {len(quiet)} noise-only clips")


def _cuts(vad, audio) -> list:
    audio = np.concatenate([audio, np.zeros(16000, np.int16)])
    return [u for u in (vad.push(audio[i:i + 480]) for i in range(0, len(audio) - 479, 480))
            if u is not None]


def _cut_once(vad, audio, speech_samples: int) -> bool:
    cut = _cuts(vad, audio)
    return len(cut) == 1 and len(cut[0]) >= 0.8 * speech_samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--snr-db", type=float, default=10.0)
    args = parser.parse_args()
    from edge_vdialog.voice.piper import load_voice

    voice = load_voice("joe-medium", args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        real_time_factors(voice, Path(tmp))
        first_audio(voice, Path(tmp))
        vad_accuracy(Path(tmp), args.snr_db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
