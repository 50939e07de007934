"""Triton Python-backend model (decoupled): a bundle's dialogue, generated server-side and streamed.

Runs the kiosk's own :class:`~edge_vdialog.dialogue.Conversation`. The conversation's history is
kept by the kiosk and sent with each request, so the server holds nothing between requests (see
``edge_vdialog/engines/triton.py`` for why).

Request input ``request`` BYTES (1,): JSON ``{"kept": [[role, text], ...], "text": str,
"sampling": {Sampling fields}}``. Responses, output ``event`` BYTES (1,), JSON each:
``{"piece": str}`` per text piece as decoded, then ``{"kept": [[role, text], ...]}`` (the history
after the exchange), then an empty final response. A cancelled request stops at the next token
after it is seen (asked every :data:`CANCEL_CHECK_S`).
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import numpy as np
import triton_python_backend_utils as pb_utils

from edge_vdialog.bundle import Bundle
from edge_vdialog.dialogue import Sampling, load_chat
from edge_vdialog.dialogue.prompt import Message
from edge_vdialog.engines import EngineOptions
from edge_vdialog.errors import UserError

CANCEL_CHECK_S = 0.02
"""How often generation asks whether its request was cancelled, seconds: each ask is a round trip to
the server process (0.6 ms measured, a third of the default GPT-2's step, when asked at every piece)."""


class TritonPythonModel:
    def initialize(self, args: dict) -> None:
        params = json.loads(args["model_config"])["parameters"]
        threads = int(params["threads"]["string_value"]) or None
        bundle = Bundle.load(Path(args["model_repository"]) / args["model_version"] / "bundle")
        self.chat = load_chat(bundle, EngineOptions(threads=threads, spinning=False))
        self.log = pb_utils.Logger

    def execute(self, requests: list) -> None:
        for request in requests:                  # one at a time: one decoder per instance
            self._answer(request, request.get_response_sender())

    def _answer(self, request, sender) -> None:
        try:
            body = json.loads(pb_utils.get_input_tensor_by_name(request, "request").as_numpy()[0])
            self.chat.resume([Message(role, text) for role, text in body["kept"]])
            sampling = Sampling(**body["sampling"])
            cancel, pieces, check_at = threading.Event(), 0, time.monotonic() + CANCEL_CHECK_S
            for piece in self.chat.send(body["text"], sampling, cancel=cancel):
                if time.monotonic() >= check_at:
                    check_at = time.monotonic() + CANCEL_CHECK_S
                    if sender.is_cancelled():
                        cancel.set()              # stops at the next token
                        continue
                sender.send(_event({"piece": piece}))
                pieces += 1
            if cancel.is_set():
                self.log.log_info(f"dialogue request cancelled after {pieces} pieces")
            else:
                sender.send(_event({"kept": [[m.role, m.text] for m in self.chat.kept]}))
        except (UserError, KeyError, TypeError, ValueError) as e:
            sender.send(pb_utils.InferenceResponse(error=pb_utils.TritonError(f"bad request: {e}")))
        finally:
            sender.send(flags=pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL)


def _event(data: dict):
    text = json.dumps(data, ensure_ascii=False).encode()
    return pb_utils.InferenceResponse([pb_utils.Tensor("event", np.array([text], dtype=np.object_))])
