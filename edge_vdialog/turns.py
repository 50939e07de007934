"""One exchange with the person, and the two workers that answer it off the render thread.

A :class:`Turn` is created when input ends (typed line sent, utterance cut); the dialogue worker
streams the reply into it, the image worker draws a picture for the person's words in
parallel, and the render loop stamps when each first appears on screen. Setting ``cancel``
(barge-in: a newer turn arrived) stops the reply at the next token.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from edge_vdialog.dialogue.sampling import Sampling
from edge_vdialog.errors import UserError
from edge_vdialog.interfaces import Dialogue, ImageGenerator
from edge_vdialog.telemetry import Telemetry
from edge_vdialog.threads import Background

log = logging.getLogger(__name__)
_ids = itertools.count(1)


@dataclass(eq=False)
class Turn:
    text: str
    source: str
    """typed | spoken."""
    t_input: float = field(default_factory=time.monotonic)
    """End of input, time.monotonic() seconds."""
    id: int = field(default_factory=lambda: next(_ids))
    cancel: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    """Set when the reply is complete (or failed, or cancelled) and the image is drawn (or not)."""
    replying: threading.Event = field(default_factory=threading.Event)
    """Set when the first reply piece is out (or the reply failed): the picture may start."""
    replied: threading.Event = field(default_factory=threading.Event)
    """Set when the reply is complete (or failed, or cancelled)."""
    reply: str = ""
    image: np.ndarray | None = None
    """HxWx3 uint8 RGB: first for the person's words, then (see ``follow``) for the reply."""
    image_version: int = 0
    """Counts the pictures set on this turn (1: from the words, 2: from the reply)."""
    error: str = ""
    tokens_per_s: float | None = None
    first_piece_s: float | None = None
    """End of input to the first reply piece leaving the model, seconds (worker side)."""
    first_token_s: float | None = None
    """End of input to the first reply token on screen, seconds (set by the render loop)."""
    image_s: float | None = None
    """End of input to the image on screen, seconds (set by the render loop)."""
    reported: bool = False
    """The render loop has logged its latencies."""
    pending: int = 2
    """Parts still to come: the reply, and the image when pictures are on."""

    def finish_part(self) -> None:
        self.pending -= 1
        if self.pending <= 0:
            self.done.set()


class Worker(Background):
    """A daemon thread that takes the newest request and runs ``handle`` on it, at ``nice``
    (higher: yields the CPU to the render loop, which has to run every 33 ms).

    ``idle(arrived)``, if given, runs once a turn is over (its picture too) and no request waits:
    work ahead of the next turn, which must return soon after ``arrived`` is set (a new request)."""

    def __init__(self, name: str, handle: Callable[[Turn], None], telemetry: Telemetry,
                 error_kind: str, nice: int = 5, idle: Callable[[threading.Event], None] | None = None) -> None:
        super().__init__(name, nice)
        self.handle, self.telemetry, self.error_kind, self.idle = handle, telemetry, error_kind, idle
        self.requests: queue.Queue[Turn | None] = queue.Queue()
        self.arrived = threading.Event()
        """Set by every request: idle work stops."""

    def submit(self, turn: Turn) -> None:
        self.requests.put(turn)
        self.arrived.set()

    def wake(self) -> None:
        self.requests.put(None)
        self.arrived.set()

    def run(self) -> None:
        while True:
            try:
                turn = self.requests.get(timeout=0.5)
            except queue.Empty:
                self.telemetry.beat(self.name)
                continue
            if turn is None:
                return
            self.arrived.clear()              # a request put from now on stops the idle work
            while not self.requests.empty():  # only the newest request matters
                older, turn = turn, self.requests.get()
                older.finish_part()
                if turn is None:
                    return
            self.telemetry.beat(self.name)
            try:
                if not turn.cancel.is_set():
                    self.handle(turn)
            except UserError as e:  # a known fault (a server away, a bad input): one line
                log.warning("%s: turn %d: %s", self.name, turn.id, e)
                turn.error = turn.error or e.message
                self.telemetry.count_error(self.error_kind)
            except Exception as e:  # a bug: one failed turn must not stop the kiosk
                log.exception("%s failed on turn %d", self.name, turn.id)
                turn.error = turn.error or f"{type(e).__name__}: {e}"
                self.telemetry.count_error(self.error_kind)
            finally:
                turn.finish_part()
            if self.idle is not None:
                self._idle_after(turn)

    def _idle_after(self, turn: Turn) -> None:
        """Run ``idle`` once ``turn`` is over (the picture has the CPU until then), unless a request came."""
        while not turn.done.wait(0.05):
            if self.arrived.is_set():
                return
            self.telemetry.beat(self.name)
        if self.arrived.is_set() or not self.requests.empty():
            return
        try:
            self.idle(self.arrived)
        except Exception:  # idle work is an optimisation: a failure must not stop the kiosk
            log.exception("%s: idle work after turn %d failed", self.name, turn.id)


def reply_handler(chat: Dialogue, sampling: Sampling, telemetry: Telemetry,
                  wake: Callable[[], None]) -> Callable[[Turn], None]:
    """Streams the reply into the turn; ``wake()`` asks for a frame at once for the first piece."""
    def handle(turn: Turn) -> None:
        try:
            stream(turn)
        finally:
            turn.replying.set()  # also when it failed or was cancelled: the picture may start
            turn.replied.set()

    def stream(turn: Turn) -> None:
        start, n = None, 0
        for piece in chat.send(turn.text, sampling, cancel=turn.cancel):
            if turn.cancel.is_set():
                break
            start = start or time.monotonic()
            n += 1
            turn.reply += piece
            if n == 1:
                turn.first_piece_s = start - turn.t_input
                turn.replying.set()
                wake()
            telemetry.beat("worker")
        elapsed = time.monotonic() - start if start else 0.0
        if n > 1 and elapsed > 0:
            turn.tokens_per_s = (n - 1) / elapsed
            telemetry.observe_tokens_per_s(turn.tokens_per_s)
    return handle


FIRST_TOKEN_HEAD_START_S = 0.15
"""The picture waits this long at most for the first reply token, seconds: on a small CPU the
two would otherwise share the cores exactly when the first token matters most."""


REPLY_WAIT_S = 120.0
"""Longest the picture waits for a reply to complete, seconds (a cancel ends the wait at once)."""


def _wait_for_reply(turn: Turn, poll_s: float = 0.02) -> bool:
    """Wait until the turn's reply is complete; False when it was cancelled (barge-in) first. A
    turn superseded before the dialogue worker reached it is never marked replied, only cancelled."""
    deadline = time.monotonic() + REPLY_WAIT_S
    while not turn.replied.wait(poll_s):
        if turn.cancel.is_set() or time.monotonic() > deadline:
            return False
    return not turn.cancel.is_set()


def image_handler(generator: ImageGenerator, seed: int | None, wake: Callable[[], None],
                  follow: str = "reply") -> Callable[[Turn], None]:
    """Draws the picture for what the person said (ready long before the reply is complete), then
    per ``follow`` (``[imagegen] follow``: words | reply | both) one for the complete reply (or the
    words and the reply together), which the compositor fades in."""
    def show(turn: Turn, text: str) -> None:
        turn.image = generator.generate(text, seed=seed)
        turn.image_version += 1
        wake()

    def handle(turn: Turn) -> None:
        turn.replying.wait(FIRST_TOKEN_HEAD_START_S)
        show(turn, turn.text)
        if follow == "words" or not _wait_for_reply(turn):
            return
        reply = turn.reply.strip()
        if reply and not turn.error:
            show(turn, reply if follow == "reply" else f"{turn.text} {reply}")
    return handle
