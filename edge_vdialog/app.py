"""The kiosk loop: render at a steady rate while other threads capture, listen and answer.

Threads: camera capture, presence, listener (microphone -> VAD -> ASR), dialogue worker, image
worker, and this one, which composes and shows frames and never waits on any of them: each
frame shows whatever the others have produced by then. States: ``attract`` (nobody there),
``idle``, ``listening`` (speech or typing under way), ``thinking`` (input ended, no reply token
yet), ``answering`` (reply streaming), ``speaking`` (reply complete, voice still talking). A
new input, typed or spoken, or a new face cancels the answer and the speech in progress
(barge-in).
Latency per turn is measured from the end of input to the frame that first shows the reply
token, and to the frame that first shows the picture.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable

from edge_vdialog.compose import Compositor, View
from edge_vdialog.dialogue.sampling import Sampling
from edge_vdialog.interfaces import Dialogue, FrameSink, ImageGenerator
from edge_vdialog.media.camera import CameraSource
from edge_vdialog.media.listen import Listener
from edge_vdialog.media.presence import Presence
from edge_vdialog.media.status import FrameDropped
from edge_vdialog.media.typed import LineEditor
from edge_vdialog.telemetry import VISITOR_WORDS, Telemetry
from edge_vdialog.turns import (
    Turn,
    Worker,
    image_handler,
    reply_handler,
)
from edge_vdialog.voice.speech import Speech

log = logging.getLogger(__name__)
words = logging.getLogger(VISITOR_WORDS)
GREETING = "Hi there! 👋 What would you like to talk about?"


class Kiosk:
    def __init__(self, chat: Dialogue, sampling: Sampling, sink: FrameSink, telemetry: Telemetry, *,
                 generator: ImageGenerator | None = None, compositor: Compositor | None = None,
                 camera: CameraSource | None = None, presence: Presence | None = None,
                 listener: Listener | None = None, fps: float = 30.0, image_seed: int | None = None,
                 image_follow: str = "reply", backend: str = "", idle_s: float = 60.0,
                 speech: Speech | None = None,
                 speak_greeting: bool = True) -> None:
        self.chat, self.sink, self.telemetry = chat, sink, telemetry
        self.speech, self.speak_greeting = speech, speak_greeting  # replies spoken as they stream
        self.compositor = compositor or Compositor()
        self.camera, self.presence, self.listener = camera, presence, listener
        self.period = 1.0 / fps                   # seconds per frame
        self.backend, self.idle_s = backend, idle_s
        self._stop = threading.Event()
        self._wake = threading.Event()  # a frame is wanted now (first token, picture, stop)
        self.dialogue = Worker("worker", reply_handler(chat, sampling, telemetry, self._wake.set),
                               telemetry, "dialogue", idle=chat.prepare)
        self.credit = generator.attribution if generator else ""
        self.images = Worker("image", image_handler(generator, image_seed, self._wake.set, image_follow),
                             telemetry, "image") if generator else None
        self.editor = LineEditor(self.submit, self.stop)
        self.turn: Turn | None = None
        self.turns: collections.deque[Turn] = collections.deque(maxlen=100)
        """Recent turns, oldest first (each holds its picture: 1,000 of them were ~15 MB)."""
        self.frame_times: collections.deque[float] = collections.deque(maxlen=100_000)
        """time.monotonic() after each frame was shown, seconds."""
        self._lock = threading.Lock()
        self._image: tuple[tuple[int, int], object] | None = None  # ((turn id, version), RGB) on screen
        self._image_seq = 0                           # counts pictures put on screen (View.image_id)
        self._greeting = ""
        self._last_activity = -float("inf")
        self._attract = False
        self._arrivals = 0
        self._reconnects: dict[str, int] = {}
        self._last_render_error = ""

    def submit(self, text: str, source: str = "typed", t_input: float | None = None) -> Turn:
        """Answer ``text``; cancels the answer in progress. Thread-safe."""
        turn = Turn(text, source, t_input if t_input is not None else time.monotonic(),
                    pending=2 if self.images else 1)
        with self._lock:
            if self.turn is not None and not self.turn.done.is_set():
                self.turn.cancel.set()  # barge-in: it stops at its next token
            self.turn = turn
            self.turns.append(turn)
            self._last_activity = time.monotonic()
        log.info("turn %d (%s): %d characters", turn.id, source, len(text))
        words.info("turn %d: %s", turn.id, text)
        if self.speech is not None:
            self.speech.stop()  # barge-in: the old reply falls silent within one audio chunk
            self.speech.follow(turn)
        self.dialogue.submit(turn)
        if self.images:
            self.images.submit(turn)
        return turn

    def stop(self) -> None:
        """Ask the loop to end (signal handlers, `q`, Esc); returns at once."""
        self._stop.set()
        self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self, on_running: Callable[[], None] | None = None) -> None:
        """Render until :meth:`stop`, then shut every thread down; ``on_running()`` is called
        once the first frame is out (the service reports READY then)."""
        self._start()
        try:
            self._loop(on_running)
        finally:
            self._shutdown()

    def _start(self) -> None:
        self.dialogue.start()
        for part in (self.images, self.camera, self.presence, self.speech):
            if part is not None:
                part.start()
        if self.listener is not None:
            self.listener.start(lambda text, t_end: self.submit(text, "spoken", t_end))

    def _loop(self, on_running: Callable[[], None] | None) -> None:
        next_t, window_start, frames = time.monotonic(), time.monotonic(), 0
        while not self._stop.is_set():
            self._wake.clear()  # set again meanwhile: the next frame comes at once
            if self._frame():
                frames += 1
            if on_running is not None:
                on_running()
                on_running = None
            now = time.monotonic()
            self.telemetry.beat("render")
            if now - window_start >= 0.5:
                self.telemetry.set_fps(frames / (now - window_start))
                window_start, frames = now, 0
                self._check_devices()
            if now >= next_t:  # a scheduled frame (a woken one leaves the schedule alone)
                next_t = max(next_t + self.period, now - self.period)  # never burst to catch up
            self._wake.wait(max(0.0, next_t - time.monotonic()))

    def _frame(self) -> bool:
        """Compose and show one frame; a failure is logged and counted, the loop goes on."""
        try:
            view, turn, shown = self._view()
            key = self.sink.show(self.compositor.compose(view))
        except FrameDropped:  # not on screen: no latency to stamp (a faulty display says so itself),
            self._stamp(turn, (False, False), time.monotonic())  # but a finished turn is still logged
            return False
        except Exception as e:
            self.telemetry.count_error("render")
            if repr(e) != self._last_render_error:
                log.exception("frame failed (later identical failures are only counted)")
            self._last_render_error = repr(e)
            return False
        now = time.monotonic()
        self.frame_times.append(now)
        self._stamp(turn, shown, now)
        self.editor.key(key)
        return True

    def _state(self, turn: Turn | None) -> str:
        if (self.listener and self.listener.hearing) or self.editor.text:
            return "listening"
        if turn is not None and not turn.done.is_set():
            return "answering" if turn.reply else "thinking"
        if self.speech is not None and self.speech.speaking:
            return "speaking"
        return "attract" if self._attract else "idle"

    def _view(self) -> tuple[View, Turn | None, tuple[bool, bool]]:
        """The view, its turn, and whether it shows that turn's (first token, picture)."""
        self._update_presence()
        turn = self.turn
        if turn is not None and turn.image is not None and (
                self._image is None or self._image[0] < (turn.id, turn.image_version)):
            self._image = ((turn.id, turn.image_version), turn.image)
            self._image_seq += 1
        state = self._state(turn)
        self.telemetry.set_state(state)
        (image_turn, _), image = self._image or ((0, 0), None)
        frame = self.camera.latest() if self.camera else None
        if self.editor.text:
            heard = f"> {self.editor.text}▌"
        else:
            heard = "🎤 …" if state == "listening" else (turn.text if turn else "")
        reply = self._reply(turn)
        view = View(state=state, heard=heard, reply=reply, image=image, image_id=self._image_seq,
                    credit=self.credit if image is not None else "",
                    camera=frame.image if frame else None, status=self._status(state),
                    alerts=tuple(self.telemetry.degraded().values()), attract=state == "attract")
        shows_token = turn is not None and bool(turn.reply) and reply.startswith(turn.reply[:1])
        return view, turn, (shows_token, turn is not None and image_turn == turn.id)

    def _reply(self, turn: Turn | None) -> str:
        if turn is None:
            return self._greeting
        if turn.error:
            return f"{turn.reply}\n⚠ Sorry, something went wrong ({turn.error}). Try again?".lstrip()
        return turn.reply

    def _status(self, state: str) -> str:
        snap = self.telemetry.snapshot()
        parts = [state, f"{snap['fps']:.0f} fps", self.backend or snap["backend"] or "-"]
        last = snap["last"]
        if "first_token_s" in last:
            parts.append(f"first token {1000 * last['first_token_s']:.0f} ms")
        if "image_s" in last:
            parts.append(f"image {1000 * last['image_s']:.0f} ms")
        return " · ".join(parts)

    def _stamp(self, turn: Turn | None, shown: tuple[bool, bool], now: float) -> None:
        """Record when this turn's first token and image were first on screen."""
        if turn is None:
            return
        if turn.first_token_s is None and shown[0]:
            turn.first_token_s = now - turn.t_input
            self.telemetry.observe_turn(first_token_s=turn.first_token_s)
        if turn.image_s is None and shown[1]:
            turn.image_s = now - turn.t_input
            self.telemetry.observe_turn(image_s=turn.image_s)
        if turn.done.is_set() and not turn.reported:
            turn.reported = True
            log.info("turn %d: first token on screen %s, image %s, %s tokens/s", turn.id,
                     format_ms(turn.first_token_s), format_ms(turn.image_s),
                     f"{turn.tokens_per_s:.0f}" if turn.tokens_per_s else "-")

    def _update_presence(self) -> None:
        now = time.monotonic()
        if self.editor.text:
            self._last_activity = now
        present = self.presence is not None and self.presence.present()
        if self.presence is not None and self.presence.arrivals > self._arrivals:
            self._arrivals = self.presence.arrivals
            if self.speech is not None:
                self.speech.stop()  # a new face barges in
            if self.turn is None or self._attract:
                self._greeting, self._last_activity = GREETING, now
                if self.speech is not None and self.speak_greeting:
                    self.speech.say(GREETING)
        with self._lock:
            attract = not present and now - self._last_activity > self.idle_s
            if attract and not self._attract and (self.turn is None or self.turn.done.is_set()):
                self.chat.reset()  # the next person starts a new conversation
                self.turn, self._image, self._greeting = None, None, ""
            self._attract = attract

    def _check_devices(self) -> None:
        for key, part in (("camera", self.camera), ("mic", self.listener and self.listener.mic),
                          ("display", self.sink), ("speaker", self.speech and self.speech.speaker),
                          ("inference", self.chat)):
            if part is None or not hasattr(part, "status"):
                continue
            status = part.status()
            self.telemetry.set_degraded(key, None if status.online else status.message)
            count = getattr(part, "reconnects", 0)
            for _ in range(count - self._reconnects.get(key, 0)):
                self.telemetry.count_reconnect(key)
            self._reconnects[key] = count

    def _shutdown(self) -> None:
        self.telemetry.set_state("stopping")
        if self.turn is not None and not self.turn.done.is_set():
            self.turn.cancel.set()
        for part in (self.listener, self.presence, self.camera, self.images, self.dialogue,
                     self.speech):
            if part is not None:
                part.close()
        self.sink.close()


def format_ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{1000 * seconds:.0f} ms"
