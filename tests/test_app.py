"""The kiosk loop in-process: real threads, real compositor and sinks, real camera files and WAV
microphones; the dialogue and image models are the small real stand-ins of tests/standins.py."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest

from edge_vdialog.app import GREETING, Kiosk
from edge_vdialog.compose import Compositor
from edge_vdialog.media.camera import open_camera
from edge_vdialog.media.listen import Listener
from edge_vdialog.media.mic import open_mic
from edge_vdialog.media.presence import FaceDetector, Presence
from edge_vdialog.media.sinks import NullSink
from edge_vdialog.media.vad import EnergyDetector, Segmenter
from edge_vdialog.telemetry import Telemetry
from tests.standins import (
    EMOJI_FONT,
    HashImages,
    ScriptedChat,
    speech_or_tone_wav,
    wait_for,
    write_video,
)


class KeepLast(NullSink):
    """Keeps the newest frame, so a test can look at what was on screen."""

    last: np.ndarray | None = None

    def show(self, frame):
        self.last = frame.copy()
        return -1


class Recording(Telemetry):
    """Telemetry that also keeps every state and degraded change in order, so a test sees even
    the shortest one however loaded the machine is."""

    def __init__(self) -> None:
        super().__init__()
        self.states: list[str] = []
        self.changes: list[tuple[str, str | None]] = []

    def set_state(self, state: str) -> None:
        if not self.states or self.states[-1] != state:  # the app sets it every frame
            self.states.append(state)
        super().set_state(state)

    def set_degraded(self, key: str, message: str | None) -> None:
        self.changes.append((key, message))
        super().set_degraded(key, message)


class UtteranceLength:
    """A recognizer stand-in: names the length of what it heard."""

    def transcribe(self, audio: np.ndarray) -> str:
        return f"utterance of {len(audio) / 16000:.1f} seconds"


@pytest.fixture(scope="module")
def compositor():
    return Compositor(640, 360)


@pytest.fixture
def running(compositor):
    """start(**kiosk_args) -> a running Kiosk; stopped and joined at the end of the test."""
    started = []

    def start(chat=None, **kw) -> Kiosk:
        kw.setdefault("generator", HashImages())
        kw.setdefault("sink", KeepLast())
        kiosk = Kiosk(chat or ScriptedChat(), None, kw.pop("sink"), Recording(),
                      compositor=compositor, **kw)
        thread = threading.Thread(target=kiosk.run)
        thread.start()
        started.append((kiosk, thread))
        return kiosk
    yield start
    for kiosk, thread in started:
        kiosk.stop()
        thread.join(5)
        assert not thread.is_alive(), "the kiosk did not shut down"


def test_typed_turn_streams_reply_and_image_with_latencies(running):
    kiosk = running(chat=ScriptedChat(step_s=0.1))  # "thinking" lasts several frames
    assert wait_for(lambda: kiosk.telemetry.snapshot()["state"] == "attract")
    before = len(kiosk.telemetry.states)
    turn = kiosk.submit("hello there")
    assert turn.done.wait(10)
    assert wait_for(lambda: turn.first_token_s is not None and turn.image_s is not None)
    assert wait_for(lambda: kiosk.telemetry.snapshot()["state"] == "idle")
    after = kiosk.telemetry.states[before:]
    assert after[after.index("thinking") + 1] == "answering" and after[-1] == "idle", after
    assert turn.reply == ScriptedChat().reply and turn.tokens_per_s > 0
    snap = kiosk.telemetry.snapshot()
    assert snap["last"]["first_token_s"] == turn.first_token_s and snap["turns"] == 1
    assert (kiosk.sink.last != kiosk.compositor.background).any()


def test_barge_in_cancels_the_answer_in_progress(running):
    kiosk = running(chat=ScriptedChat(step_s=0.3))  # 3 s to barge in while it answers
    first = kiosk.submit("tell me a long story")
    assert wait_for(lambda: first.reply)
    second = kiosk.submit("stop, something else")
    assert first.cancel.is_set() and first.done.wait(30)
    assert second.done.wait(30)
    assert len(first.reply) < len(ScriptedChat().reply) and second.reply == ScriptedChat().reply


def test_a_failing_turn_is_shown_and_the_next_one_works(running):
    kiosk = running()
    bad = kiosk.submit("boom")
    assert bad.done.wait(5) and "fell over" in bad.error
    assert wait_for(lambda: kiosk.telemetry.snapshot()["errors"].get("dialogue") == 1)
    assert "went wrong" in kiosk._reply(bad)
    good = kiosk.submit("hello again")
    assert good.done.wait(5) and good.reply and not good.error


def test_camera_that_stops_mid_run_degrades_and_recovers(running, tmp_path):
    video = write_video(tmp_path / "cam.mp4", frames=20)
    # offline for 0.6 s after each end, longer than the kiosk's 0.5 s device check
    camera = open_camera(f"file://{video}?loop=0", reconnect_min_s=0.6, reconnect_max_s=0.6)
    kiosk = running(camera=camera)
    changes = kiosk.telemetry.changes
    assert wait_for(lambda: any(k == "camera" and m for k, m in changes))
    went = next(i for i, (k, m) in enumerate(changes) if k == "camera" and m)
    assert "stream ended" in changes[went][1]
    assert wait_for(lambda: kiosk.telemetry.snapshot()["reconnects"].get("camera", 0) >= 1)
    assert wait_for(lambda: ("camera", None) in changes[went:])  # frames again


def test_missing_microphone_then_spoken_turn_when_it_appears(running, tmp_path):
    wav = tmp_path / "mic.wav"
    mic = open_mic(f"wav://{wav}", 16000, reconnect_min_s=0.1, reconnect_max_s=0.2)
    listener = Listener(mic, Segmenter(EnergyDetector()), UtteranceLength(), Telemetry())
    kiosk = running(listener=listener)
    assert wait_for(lambda: "mic" in kiosk.telemetry.degraded())
    turn = kiosk.submit("typing still works")
    assert turn.done.wait(5) and turn.reply
    speech_or_tone_wav(wav)
    assert wait_for(lambda: "mic" not in kiosk.telemetry.degraded())
    assert wait_for(lambda: any(t.source == "spoken" for t in kiosk.turns), timeout_s=15)
    spoken = next(t for t in kiosk.turns if t.source == "spoken")
    assert spoken.text.startswith("utterance of") and spoken.done.wait(5)


def test_idle_returns_to_attract_and_starts_a_new_conversation(running):
    chat = ScriptedChat()
    kiosk = running(chat=chat, idle_s=0.3)
    turn = kiosk.submit("hi")
    assert turn.done.wait(5) and chat.history  # a reset before the turn (a slow start) clears nothing
    assert wait_for(lambda: kiosk.telemetry.snapshot()["state"] == "attract")
    assert chat.history == [] and chat.resets >= 1 and kiosk.turn is None


def test_typing_in_the_window_and_quitting_with_escape(running):
    kiosk = running()
    for ch in "hey":
        kiosk.editor.key(ord(ch))
    assert wait_for(lambda: kiosk.telemetry.snapshot()["state"] == "listening")
    kiosk.editor.key(13)  # Enter
    assert wait_for(lambda: kiosk.turns and kiosk.turns[0].text == "hey")
    kiosk.editor.key(27)  # Esc
    assert wait_for(lambda: kiosk.stopping)


@pytest.mark.skipif(not os.path.exists(EMOJI_FONT),
                    reason="needs Debian fonts-noto-color-emoji for a face picture")
def test_greeting_when_somebody_arrives(running, tmp_path):
    video = write_video(tmp_path / "face.mp4", frames=10, size=(320, 240), face=True)
    camera = open_camera(f"file://{video}")
    kiosk = running(camera=camera, presence=Presence(camera, FaceDetector(), rate_hz=20))
    assert wait_for(lambda: kiosk._greeting == GREETING)
    assert kiosk.telemetry.snapshot()["state"] == "idle"


class FailsEveryOtherFrame(KeepLast):
    """A display whose driver fails now and then (e.g. a busy framebuffer)."""

    shown = 0

    def show(self, frame):
        self.shown += 1
        if self.shown % 2:
            raise OSError("display busy")
        return super().show(frame)


def test_a_failing_frame_is_counted_and_rendering_goes_on(running):
    kiosk = running(sink=FailsEveryOtherFrame())
    turn = kiosk.submit("control characters \x1e\x0c and a lone surrogate \ud800")
    assert turn.done.wait(5)
    assert wait_for(lambda: kiosk.sink.shown > 10 and kiosk.sink.last is not None)
    assert kiosk.telemetry.snapshot()["errors"]["render"] >= 5


def test_speaking_interrupts_the_answer(running, tmp_path):
    wav, _ = speech_or_tone_wav(tmp_path / "later.wav")
    mic = open_mic(f"wav://{wav}?delay=0.5", 16000)
    kiosk = running(chat=ScriptedChat(step_s=5.0), listener=Listener(mic, Segmenter(EnergyDetector()),
                                                                    UtteranceLength(), Telemetry()))
    typed = kiosk.submit("tell me everything")
    assert wait_for(lambda: any(t.source == "spoken" for t in kiosk.turns), timeout_s=15)
    assert typed.cancel.is_set() and typed.done.wait(5)
    assert len(typed.reply) < len(ScriptedChat().reply)


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="Linux per-thread niceness")
def test_workers_yield_the_cpu_to_the_render_loop(running):
    kiosk = running()
    assert wait_for(lambda: kiosk.dialogue.thread.native_id is not None)

    def nice(tid: int) -> int:
        with open(f"/proc/self/task/{tid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[16])
    assert wait_for(lambda: nice(kiosk.dialogue.thread.native_id) >= 5)
    assert nice(threading.get_native_id()) < nice(kiosk.dialogue.thread.native_id)


class RecordingImages(HashImages):
    """HashImages that remembers every text it drew."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def generate(self, text: str, seed: int | None = None) -> np.ndarray:
        self.texts.append(text)
        return super().generate(text, seed)


@pytest.mark.parametrize("follow,second", [("reply", ScriptedChat().reply),
                                           ("both", "hello there " + ScriptedChat().reply),
                                           ("words", None)])
def test_picture_follows_the_conversation(running, follow, second):
    images = RecordingImages()
    kiosk = running(generator=images, image_follow=follow)
    turn = kiosk.submit("hello there")
    assert turn.done.wait(10)
    assert images.texts == (["hello there", second] if second else ["hello there"])
    assert turn.image_version == len(images.texts)
    assert np.array_equal(turn.image, images.generate(images.texts[-1]))


def test_barge_in_skips_the_reply_picture(running):
    images = RecordingImages()
    kiosk = running(chat=ScriptedChat(step_s=0.3), generator=images, image_follow="reply")
    first = kiosk.submit("first question")
    assert wait_for(lambda: first.reply)                      # answering
    second = kiosk.submit("second question")
    assert second.done.wait(10) and first.done.wait(1)
    assert images.texts[:2] == ["first question", "second question"]   # no picture of the cut reply
    assert images.texts[-1] == ScriptedChat().reply and len(images.texts) == 3


class SlowPreparation(ScriptedChat):
    """Records the idle work the kiosk gives it: when it started, and whether new input stopped it."""

    def __init__(self) -> None:
        super().__init__(step_s=0.0)
        self.started: list[float] = []
        self.stopped = threading.Event()

    def prepare(self, cancel: threading.Event) -> None:
        self.started.append(time.monotonic())
        if cancel.wait(5):                           # idle work that returns once input arrives
            self.stopped.set()


def test_idle_work_runs_after_the_turn_and_its_picture_and_yields_to_new_input(running):
    chat = SlowPreparation()
    kiosk = running(chat=chat)
    first = kiosk.submit("hello there")
    assert first.done.wait(10) and wait_for(lambda: chat.started)
    assert first.done.is_set() and len(chat.started) == 1        # once, after the reply and the picture
    second = kiosk.submit("and another thing")
    assert chat.stopped.wait(2) and second.done.wait(10)          # new input ends it at once
    assert second.reply == chat.reply
