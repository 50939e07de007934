"""``edge-vdialog say [--voice NAME] [--out x.wav | speaker://default] TEXT``: try a voice."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("say", help="speak a text with the kiosk's voice (to a WAV file or the "
                            "sound card)")
    parser.add_argument("text", metavar="TEXT", help="what to say (sentences are spoken one by one)")
    parser.add_argument("--out", default="speaker://default", metavar="FILE.wav|URI",
                        help="a .wav file, or speaker://default | speaker://<device> "
                        "(default: speaker://default)")
    parser.add_argument("--voice", default="joe-medium",
                        help="joe-medium (default) or a piper .onnx with its .onnx.json beside it")
    parser.add_argument("--threads", type=int, default=1, help="inference threads, 1-64 (default 1)")
    parser.set_defaults(func=say)


def say(args: argparse.Namespace) -> int:
    import time

    from edge_vdialog.errors import UserError
    from edge_vdialog.media.speakers import open_speaker
    from edge_vdialog.voice.piper import load_voice
    from edge_vdialog.voice.sentences import SentenceSplitter

    if not 1 <= args.threads <= 64:
        raise UserError(f"--threads {args.threads} out of range", "use 1 to 64")
    uri = args.out if "://" in args.out else f"wav://{args.out}"
    if uri.startswith("wav://") and not uri.endswith(".wav"):
        raise UserError(f"{args.out} is not a .wav file", "end --out with .wav, or use speaker://default")
    voice = load_voice(args.voice, args.threads)
    speaker = open_speaker(uri, voice.sample_rate)
    if speaker is None:
        raise UserError("--out none would say nothing", "use a .wav file or speaker://default")
    splitter, spoken_s, synth_s = SentenceSplitter(), 0.0, 0.0
    try:
        for sentence in splitter.feed(args.text) + splitter.flush():
            start = time.perf_counter()
            audio = voice.synthesize(sentence)
            synth_s += time.perf_counter() - start
            spoken_s += len(audio) / voice.sample_rate
            speaker.play(audio)
        status = speaker.status()
    finally:
        speaker.close()
    if not status.online:
        raise UserError(status.message, "write a file instead: --out say.wav")
    rtf = f", real-time factor {synth_s / spoken_s:.2f}" if spoken_s else ""
    print(f"{args.out}: {spoken_s:.2f} s of speech at {voice.sample_rate} Hz{rtf}")
    return 0
