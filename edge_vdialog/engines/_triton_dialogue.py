"""The dialogue of the triton backend: replies generated on the server, streamed piece by piece
(see :mod:`edge_vdialog.engines.triton` for the protocol and why the history travels)."""

from __future__ import annotations

import dataclasses
import json
import queue
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from edge_vdialog.bundle import Bundle, Component
from edge_vdialog.engines import EngineOptions
from edge_vdialog.engines.triton import (
    POLL_S,
    AnswerInterrupted,
    Link,
    ServerUnavailable,
    _grpc,
    _why,
)
from edge_vdialog.errors import UserError
from edge_vdialog.media.status import SourceStatus

if TYPE_CHECKING:
    from edge_vdialog.dialogue.chat import Conversation
    from edge_vdialog.dialogue.sampling import Sampling

FINAL = "triton_final_response"


class TritonDialogue:
    """A :class:`~edge_vdialog.interfaces.Dialogue` whose model runs on a Triton server.

    With ``engines.fallback`` it answers from the local bundle while the server is away (loaded
    on first need), continuing the same conversation. One ``send`` at a time."""

    def __init__(self, link: Link, model: str, bundle: Bundle, comp: Component, options: EngineOptions) -> None:
        self.link, self.model, self.bundle, self.comp, self.options = link, model, bundle, comp, options
        self.provider = f"triton {link.url}"
        self.kept: list[list[str]] = []
        """The history the server's next prompt starts from: [[role, text], ...]."""
        self._local: Conversation | None = None
        self._client = link.new_client()          # its own: one stream per client

    def status(self) -> SourceStatus:
        """Online while the server answers; offline with the reason (and the fallback) otherwise."""
        return self.link.status()

    def reset(self) -> None:
        self.kept = []

    def remember(self, text: str, reply: str) -> None:
        self.kept = [*self.kept, ["user", text], ["assistant", reply.strip()]]

    def resume(self, kept: list[list[str]]) -> None:
        self.kept = list(kept)

    def prepare(self, cancel: threading.Event) -> None:
        """Nothing to do ahead: the server prefills the kept history with the next line."""

    def send(self, text: str, sampling: Sampling, cancel: threading.Event | None = None) -> Iterator[str]:
        if not text.strip():
            raise UserError("empty message", "type something to say")
        if not self.link.up:
            yield from self._locally(text, sampling, cancel)
            return
        reply: list[str] = []
        try:
            for piece in self._stream(text, sampling, cancel or threading.Event()):
                reply.append(piece)
                yield piece
        except ServerUnavailable as e:
            self.link.lost(e.message, self.model)
            if reply:
                raise AnswerInterrupted(f"the answer was interrupted: {e.message}", "retrying with backoff") from None
            yield from self._locally(text, sampling, cancel)

    def _locally(self, text: str, sampling: Sampling, cancel: threading.Event | None) -> Iterator[str]:
        if not self.options.fallback:
            raise ServerUnavailable(self.link.status().message or f"Triton server at {self.link.url} is away",
                                    "retrying with backoff")
        from edge_vdialog.dialogue import load_dialogue
        from edge_vdialog.dialogue.prompt import Message
        if self._local is None:
            self._local = load_dialogue(self.bundle, self.comp, dataclasses.replace(self.options, backend="ort"))
        self._local.resume([Message(r, t) for r, t in self.kept])
        yield from self._local.send(text, sampling, cancel)
        self.kept = [[m.role, m.text] for m in self._local.kept]

    def _stream(self, text: str, sampling: Sampling, cancel: threading.Event) -> Iterator[str]:
        """One request on a fresh gRPC stream; pieces as they arrive."""
        grpc, events = _grpc(), queue.Queue()
        body = {"kept": self.kept, "text": text, "sampling": dataclasses.asdict(sampling)}
        request = grpc.InferInput("request", [1], "BYTES")
        request.set_data_from_numpy(np.array([json.dumps(body, ensure_ascii=False).encode()], dtype=np.object_))
        client, finished, reply = self._client, False, ""
        client.start_stream(callback=lambda result, error: events.put((result, error)))
        try:
            client.async_stream_infer(self.model, [request], enable_empty_final_response=True)
            while not finished:
                result = self._next(events, cancel)
                if result is None:                    # cancelled: the server stops at its next token
                    break
                finished, event = _parse(result)
                reply += event.get("piece", "")
                if event.get("piece"):
                    yield event["piece"]
                self.kept = event.get("kept", self.kept)
        finally:
            client.stop_stream(cancel_requests=not finished)
        if not finished and reply.strip():            # joins the history, as a local reply would
            self.remember(text, reply)

    def _next(self, events: queue.Queue, cancel: threading.Event):
        """The next response; None once ``cancel`` is set; ServerUnavailable when the stream broke
        or nothing came for ``engines.piece_timeout_s``."""
        deadline = time.monotonic() + self.options.piece_timeout_s
        while not cancel.is_set():
            try:
                result, error = events.get(timeout=POLL_S)
            except queue.Empty:
                if time.monotonic() > deadline:
                    raise ServerUnavailable(f"Triton server at {self.link.url} sent nothing for "
                                            f"{self.options.piece_timeout_s:g} s") from None
                continue
            if error is not None:
                if "bad request:" in _why(error):
                    raise UserError(_why(error).split("bad request:", 1)[1].strip())
                raise ServerUnavailable(f"Triton server at {self.link.url} failed ({_why(error)})")
            return result
        return None


def _parse(result) -> tuple[bool, dict]:
    """(final, event) of one streamed response."""
    params = result.get_response().parameters
    if FINAL in params and params[FINAL].bool_param:
        return True, {}
    return False, json.loads(result.as_numpy("event")[0])
