"""Speaking off the render thread: text -> sentences -> voice -> speaker, stoppable at once.

Two background threads: the synthesizer turns sentences into audio one sentence ahead of the
player, so sentences follow each other without gaps; the player hands audio to the speaker in
chunks of :data:`CHUNK_S`. A reply is spoken while it streams (:meth:`follow`): its first sentence
is synthesized as soon as it is complete. :meth:`stop` (barge-in) drops everything queued, and the
player checks between chunks, so at most one more chunk is heard.
"""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Callable, Iterator

import numpy as np

from edge_vdialog.interfaces import Voice
from edge_vdialog.media.speakers import Speaker
from edge_vdialog.telemetry import Telemetry
from edge_vdialog.threads import Background
from edge_vdialog.turns import Turn
from edge_vdialog.voice.sentences import SentenceSplitter

log = logging.getLogger(__name__)
CHUNK_S = 0.05
"""Audio handed to the speaker at a time, seconds: the longest a barge-in is still heard."""
POLL_S = 0.02
"""How often a streaming reply is looked at for new text, seconds."""
Request = str | Turn


class Loop(Background):
    """A background thread that calls ``step()`` until closed (``step`` waits at most ~0.2 s)."""

    def __init__(self, name: str, step: Callable[[], None], nice: int) -> None:
        super().__init__(name, nice)
        self.step = step

    def run(self) -> None:
        while not self.closing.is_set():
            self.step()


class Speech:
    def __init__(self, voice: Voice, speaker: Speaker, telemetry: Telemetry,
                 tail_s: float = 0.3) -> None:
        self.voice, self.speaker, self.telemetry = voice, speaker, telemetry
        self.tail_s = tail_s
        """After the last chunk, still count as speaking this long (room echo), seconds."""
        self.chunk = round(voice.sample_rate * CHUNK_S)
        """Samples per chunk handed to the speaker."""
        self._epoch = 0  # raised by stop(): requests and audio of older epochs are dropped
        self._requests: queue.Queue[tuple[int, Request]] = queue.Queue()
        self._audio: queue.Queue[tuple[int, np.ndarray]] = queue.Queue(maxsize=2)
        self._playing = False
        self._last_chunk_end = -float("inf")  # time.monotonic() when the last chunk was played
        self._threads = (Loop("voice", self._synthesize_next, nice=5),
                         Loop("speaker", self._play_next, nice=0))

    def start(self) -> Speech:
        for t in self._threads:
            t.start()
        return self

    def say(self, text: str) -> None:
        """Speak ``text`` after what is already queued."""
        self._requests.put((self._epoch, text))

    def follow(self, turn: Turn) -> None:
        """Speak ``turn``'s reply sentence by sentence while it streams."""
        self._requests.put((self._epoch, turn))

    def stop(self) -> None:
        """Barge-in: silence within one chunk and forget everything queued. Thread-safe."""
        self._epoch += 1

    @property
    def speaking(self) -> bool:
        """Audio is playing, or played less than ``tail_s`` ago."""
        return self._playing or time.monotonic() - self._last_chunk_end < self.tail_s

    @property
    def idle(self) -> bool:
        """Nothing queued, being synthesized or playing."""
        return self._requests.unfinished_tasks == 0 and self._audio.unfinished_tasks == 0

    def close(self) -> None:
        self.stop()
        for t in self._threads:
            t.close()
        self.speaker.close()

    def _synthesize_next(self) -> None:
        self.telemetry.beat("voice")  # every pass: a long reply spoken is no stall
        try:
            epoch, request = self._requests.get(timeout=0.2)
        except queue.Empty:
            return
        try:
            self._synthesize(epoch, request)
        finally:
            self._requests.task_done()

    def _synthesize(self, epoch: int, request: Request) -> None:
        for sentence in self._sentences(epoch, request):
            if epoch != self._epoch:
                return
            try:
                audio = self.voice.synthesize(sentence)
            except Exception as e:  # one bad sentence must not silence the kiosk
                log.warning("voice failed on %r: %s", sentence, e)
                self.telemetry.count_error("voice")
                continue
            self._hand_over(epoch, audio)

    def _sentences(self, epoch: int, request: Request) -> Iterator[str]:
        splitter = SentenceSplitter()
        if isinstance(request, str):
            yield from splitter.feed(request) + splitter.flush()
            return
        seen = 0
        while epoch == self._epoch and not self.closing:
            self.telemetry.beat("voice")
            finished = request.replied.is_set() or request.cancel.is_set()  # read before the text
            text = request.reply
            yield from splitter.feed(text[seen:])
            seen = len(text)
            if finished:
                yield from splitter.flush()
                return
            time.sleep(POLL_S)

    @property
    def closing(self) -> bool:
        return self._threads[0].closing.is_set()

    def _hand_over(self, epoch: int, audio: np.ndarray) -> None:
        while epoch == self._epoch and not self.closing:
            self.telemetry.beat("voice")
            try:
                self._audio.put((epoch, audio), timeout=0.2)
                return
            except queue.Full:
                continue

    def _play_next(self) -> None:
        try:
            epoch, audio = self._audio.get(timeout=0.2)
        except queue.Empty:
            return
        self._playing = True
        try:
            for start in range(0, len(audio), self.chunk):
                if epoch != self._epoch or self._threads[1].closing.is_set():
                    break
                self.speaker.play(audio[start:start + self.chunk])
                self._last_chunk_end = time.monotonic()
        finally:
            self._playing = False
            self._audio.task_done()
