"""Triton backend: every model of the kiosk runs on a Triton Inference Server (fleet offload).

Stateless models (text encoder, GAN generator) are one gRPC request per run (:class:`TritonEngine`).
The dialogue is generated server-side by a decoupled Python-backend model running the kiosk's own
:class:`~edge_vdialog.dialogue.Conversation`, which streams text pieces over one gRPC stream per
reply (:class:`TritonDialogue`): sending the KV cache each step was measured 2-3x slower.

The history stays on the kiosk and travels with each request (bounded by the context: a few KiB);
the server sends back the history it kept (compacted as a local Conversation would). So the
server holds no state: a restarted server or another replica continues every conversation, and
ten kiosks need no session table, eviction or expiry. The cost, a re-prefill of the history when
another kiosk used the model instance in between, is the prompt's prefill, a few ms.

Models are named ``<component>-<sha256 of its model file, 12 hex>`` (:func:`model_name`): a kiosk
asks for exactly the build it holds, and the repository is written from the same bundles
(``python -m export triton-repo``). When the server goes away, one background probe retries with
backoff; meanwhile requests fail at once (or run on the local bundle with ``engines.fallback``)
and :meth:`TritonDialogue.status` says so; everything recovers when the server answers again.
"""

from __future__ import annotations

import atexit
import logging
import threading
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from edge_vdialog.bundle import MANIFEST, Bundle, Component
from edge_vdialog.engines import EngineOptions
from edge_vdialog.errors import UserError
from edge_vdialog.interfaces import Dialogue, Engine
from edge_vdialog.media.backoff import Backoff
from edge_vdialog.media.status import SourceStatus

log = logging.getLogger(__name__)
NUMPY_TO_TRITON = {np.dtype(np.float32): "FP32", np.dtype(np.float16): "FP16", np.dtype(np.int64): "INT64",
                   np.dtype(np.int32): "INT32"}
POLL_S = 0.05
"""How often a waiting reply looks at its cancel event, seconds."""
RETRY_MIN_S = 0.5
"""First delay before the probe asks a lost server again, seconds (doubling up to retry_max_s)."""


class ServerUnavailable(UserError):
    """The Triton server cannot be reached (or stopped answering)."""


class AnswerInterrupted(UserError):
    """The server went away in the middle of a reply."""


def model_name(component: str, sha256: str) -> str:
    """The server-side name of a bundle component's build."""
    return f"{component}-{sha256[:12]}"


def _grpc() -> Any:
    try:
        import tritonclient.grpc as grpcclient
    except ImportError:
        raise UserError("the triton backend needs the Triton client (tritonclient[grpc])",
                        "pip install 'edge-vdialog[triton]'") from None
    return grpcclient


class Link:
    """One server address: the client, whether the server is up, and the probe that waits for it."""

    def __init__(self, options: EngineOptions) -> None:
        self.options, self.url = options, options.url
        self.clients: list[Any] = []
        """Every client made for this server, held only here (see :meth:`close`)."""
        self.client = self.new_client()
        """Checks, stateless requests and the probe share this one."""
        self._lock = threading.Lock()
        self._down: str | None = None          # why the server counts as away; None: up
        self._probe: threading.Thread | None = None
        self._closed = threading.Event()

    def new_client(self) -> Any:
        """A gRPC client of its own (one stream at a time per client), a weak proxy of the one here."""
        scheme, _, address = self.url.partition("://")
        self.clients.append(_grpc().InferenceServerClient(address, ssl=scheme == "grpcs"))
        return weakref.proxy(self.clients[-1])

    def close(self) -> None:
        """Close every client and drop it now, while grpc is loaded: tritonclient's ``__del__``
        closes once more, and at interpreter teardown that raises ("Exception ignored in ...")."""
        self._closed.set()
        for client in self.clients:
            client.close()
        self.clients.clear()

    def check(self, model: str) -> None:
        """Raise :class:`ServerUnavailable` (unreachable) or UserError (model not served)."""
        try:
            ready = self.client.is_model_ready(model, client_timeout=self.options.timeout_s)
            served = [m.name for m in self.client.get_model_repository_index(
                client_timeout=self.options.timeout_s).models] if not ready else []
        except _grpc().InferenceServerException as e:  # away, too slow, refused
            raise ServerUnavailable(f"Triton server at {self.url} is unreachable ({_why(e)})",
                                    "start it (python -m export triton-serve), check engines.url, or set "
                                    "engines.fallback = true to answer from the local bundle") from None
        if not ready:
            raise UserError(f"Triton server at {self.url} does not serve {model} (it serves: "
                            f"{', '.join(sorted(served)) or 'nothing'})",
                            "rebuild its repository from this kiosk's bundles: python -m export triton-repo")

    def status(self) -> SourceStatus:
        with self._lock:
            return SourceStatus(self._down is None, f"inference server: {self._down}" if self._down else "")

    @property
    def up(self) -> bool:
        return self._down is None

    def lost(self, why: str, model: str) -> None:
        """The server failed: count it away and probe it with backoff until ``model`` is ready."""
        with self._lock:
            self._down = why
            if self._probe is None:
                self._probe = threading.Thread(target=self._wait_for, args=(model,), name="triton-probe",
                                               daemon=True)
                self._probe.start()
        log.warning("%s", why)

    def _wait_for(self, model: str) -> None:
        backoff = Backoff(RETRY_MIN_S, self.options.retry_max_s)
        while True:
            if backoff.wait(self._closed):
                return
            try:
                if self.client.is_model_ready(model, client_timeout=self.options.timeout_s):
                    break
            except _grpc().InferenceServerException:  # still away
                continue
        with self._lock:
            self._down, self._probe = None, None
        log.info("Triton server at %s is back", self.url)


_links: dict[str, Link] = {}
_links_lock = threading.Lock()



@atexit.register
def _close_links() -> None:
    with _links_lock:
        for lnk in _links.values():
            lnk.close()
        _links.clear()


def link(options: EngineOptions) -> Link:
    """The one :class:`Link` per server address (so one probe per server)."""
    with _links_lock:
        if options.url not in _links:
            _links[options.url] = Link(options)
        return _links[options.url]


def _why(e: Exception) -> str:
    text = getattr(e, "message", lambda: str(e))() or str(e)
    return " ".join(str(text).split())[:200]


def _connect(lnk: Link, model: str, fallback: bool) -> bool:
    """Check the server at start; False when it is unreachable and the local bundle answers."""
    try:
        lnk.check(model)
        return True
    except ServerUnavailable as e:
        if not fallback:
            raise
        lnk.lost(f"{e.message}; answering from the local bundle", model)
        return False


class TritonEngine:
    """A stateless model on the server: an :class:`~edge_vdialog.interfaces.Engine`."""

    def __init__(self, lnk: Link, model: str, local: Engine | None, names: tuple[list[str], list[str]]) -> None:
        self.link, self.model, self.local = lnk, model, local
        self.input_names, self.output_names = names
        self.provider = f"triton {lnk.url}"

    def run(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        if not self.link.up:
            return self._locally(inputs, self.link.status().message)
        grpc = _grpc()
        sent = []
        for name, arr in inputs.items():
            t = grpc.InferInput(name, list(arr.shape), NUMPY_TO_TRITON[arr.dtype])
            t.set_data_from_numpy(np.ascontiguousarray(arr))
            sent.append(t)
        try:
            result = self.link.client.infer(self.model, sent, client_timeout=self.link.options.timeout_s)
        except _grpc().InferenceServerException as e:  # away, too slow, or a bad request
            self.link.lost(f"Triton server at {self.link.url} failed ({_why(e)})", self.model)
            return self._locally(inputs, self.link.status().message)
        return {n: result.as_numpy(n) for n in self.output_names}

    def _locally(self, inputs: Mapping[str, np.ndarray], why: str) -> dict[str, np.ndarray]:
        if self.local is None:
            raise ServerUnavailable(why, "retrying with backoff")
        return self.local.run(inputs)


def _component_of(path: Path) -> tuple[Bundle, Component]:
    """The bundle component whose file ``path`` is (the manifest of a folder above it)."""
    for root in list(path.parents)[:3]:
        if (root / MANIFEST).is_file():
            bundle = Bundle.load(root)
            for name in bundle.components:
                comp = bundle.component(name, verify=False)
                if any((root / f.path).resolve() == path.resolve() for f in comp.files.values()):
                    return bundle, comp
    raise UserError(f"{path} is not a file of a bundle", "the triton backend serves bundle components only")


def load_engine(path: Path, options: EngineOptions) -> TritonEngine:
    from edge_vdialog.engines import ort

    _, comp = _component_of(path)
    model, lnk = model_name(comp.name, comp.files["model"].sha256), link(options)
    local = ort.load_engine(path, options) if options.fallback else None   # small models: kept ready
    _connect(lnk, model, options.fallback)
    return TritonEngine(lnk, model, local, (list(comp.io.get("inputs", [])), list(comp.io.get("outputs", []))))


def load_decoder(path: Path, max_context: int, options: EngineOptions, shared_kv: bool):
    raise UserError("the triton backend generates replies on the server and has no local decoder",
                    "load dialogues with edge_vdialog.dialogue.load_dialogue, or use engines.backend = \"ort\"")


def load_dialogue(bundle: Bundle, comp: Component, options: EngineOptions) -> Dialogue:
    from edge_vdialog.engines._triton_dialogue import TritonDialogue

    model, lnk = model_name(comp.name, comp.files["model"].sha256), link(options)
    _connect(lnk, model, options.fallback)
    return TritonDialogue(lnk, model, bundle, comp, options)
