"""Speech recognition word error rate on espeak-ng speech (offline, synthesized here).

    python benchmarks/bench_asr.py [--model whisper-tiny.en] [--json FILE]

Each sentence is spoken by espeak-ng (Debian ``espeak-ng``), cut by the kiosk's VAD exactly as
live audio would be, and transcribed. WER = word edits / reference words over the whole set,
after lower-casing and dropping punctuation.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SENTENCES = (
    "hello how are you today", "can you draw me a picture of a cat", "what is your favourite food",
    "i love pizza with mushrooms", "tell me about the sea", "do you like dogs or cats",
    "what is the weather like outside", "good morning my friend", "i am going to the park later",
    "have you ever seen snow", "what music do you like", "please show me a red apple",
    "my name is anna", "where is the nearest train station", "thank you very much",
    "can you tell me a joke", "i would like a cup of coffee", "the sun is shining today",
    "how old are you", "goodbye and see you tomorrow",
)


def words(text: str) -> list[str]:
    return re.sub(r"[^\w\s']", " ", text.lower()).split()


def edits(ref: list[str], hyp: list[str]) -> int:
    """Word-level Levenshtein distance."""
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def utterance(wav: Path):
    """The WAV as the VAD would cut it from a live microphone (int16 mono 16 kHz)."""
    import numpy as np

    from edge_vdialog.media.mic import read_wav
    from edge_vdialog.media.vad import Segmenter, load_detector

    audio = np.concatenate([np.zeros(8000, np.int16), read_wav(str(wav), 16000),
                            np.zeros(16000, np.int16)])
    vad = Segmenter(load_detector())
    cut = [u for u in (vad.push(audio[i:i + 480]) for i in range(0, len(audio) - 479, 480))
           if u is not None]
    return np.concatenate(cut) if cut else audio


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="whisper-tiny.en")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    from edge_vdialog.media.asr import load_recognizer

    recognizer = load_recognizer(args.model, threads=1)
    total_edits = total_words = 0
    seconds, rows = 0.0, []
    with tempfile.TemporaryDirectory() as tmp:
        for i, sentence in enumerate(SENTENCES):
            wav = Path(tmp) / f"{i}.wav"
            subprocess.run(["espeak-ng", "-w", str(wav), sentence], check=True, capture_output=True)
            audio = utterance(wav)
            t = time.perf_counter()
            heard = recognizer.transcribe(audio.astype("float32") / 32768.0)
            seconds += time.perf_counter() - t
            e, n = edits(words(sentence), words(heard)), len(words(sentence))
            total_edits, total_words = total_edits + e, total_words + n
            rows.append({"said": sentence, "heard": heard, "edits": e})
            print(f"{e}/{n}  {sentence!r} -> {heard!r}")
    result = {"model": args.model, "sentences": len(SENTENCES), "wer": total_edits / total_words,
              "seconds_per_utterance": seconds / len(SENTENCES), "rows": rows}
    print(f"WER {result['wer']:.3f} over {total_words} words; "
          f"{1000 * result['seconds_per_utterance']:.0f} ms per utterance (1 thread)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
