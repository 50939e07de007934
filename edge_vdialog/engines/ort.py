"""ONNX Runtime backend: ordered execution providers with fallback to the CPU.

Gives a stateless :class:`OrtEngine` and :class:`OrtDecoder`, a KV-cache decoder over an
optimum-exported decoder-only model (GPT-2, Llama-family with GQA, ...), whose interface is
(optimum, task ``text-generation-with-past``)::

    inputs   input_ids (1, T) int64, attention_mask (1, P+T) int64, position_ids (1, T) int64 (optional),
             past_key_values.{i}.key / .value   (1, kv_heads, P, head_size)   i < layers
             logits_to_keep (1,) int64 (optional; our exports: 1 -> logits for the last position only)
    outputs  logits (1, T or 1, vocab), present.{i}.key / .value   (1, kv_heads, P+T, head_size)

P = tokens already in the cache, T = tokens fed now. The layout (layers, kv_heads, head_size, dtype)
is read from the input declarations, so grouped-query models need nothing special.

The cache lives in two preallocated buffers per tensor (ping-pong): a step reads the past from one
side and ONNX Runtime writes the present (past + new, contiguous as (kv_heads, P+T, head_size))
straight into the other through IO binding; then the sides swap. Nothing is allocated or
concatenated in Python per token, and untouched pages of the buffers never become resident.
"""

from __future__ import annotations

import logging
import mmap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort

from edge_vdialog.engines import EngineOptions
from edge_vdialog.engines._providers import ORT_NAMES as PROVIDERS
from edge_vdialog.errors import BundleError

log = logging.getLogger(__name__)

ONNX_TYPES = {"tensor(float)": np.float32, "tensor(float16)": np.float16}
EXPORT_HINT = "export the model with `python -m export causal-lm` (optimum, with past key values)"


def session_options(threads: int | None = None, spinning: bool = True) -> ort.SessionOptions:
    """Options for a latency-bound process: full graph optimisation, one inter-op thread.

    ``threads``: intra-op threads, ``None`` lets ONNX Runtime use one per physical core.
    ``spinning``: idle workers busy-wait for the next operator instead of sleeping. On an otherwise
    idle 2-core CPU that is faster (GPT-2 INT8 decode 4.4-5.0 vs 5.3-5.4 ms/token); where other work
    shares the cores (the kiosk's camera and compositor, a training run) spinning workers steal the
    core the other worker needs (measured under load 5: 24-31 ms/token spinning vs 14-16 sleeping).
    """
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.inter_op_num_threads = 1
    so.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
    so.log_severity_level = 3          # errors only: ONNX Runtime's warnings are not the user's business
    if threads:
        so.intra_op_num_threads = threads
    return so


def resolve_providers(wanted: Sequence[str]) -> list[str]:
    """ONNX Runtime provider names for ``wanted`` that this build has, in order, CPU always last."""
    unknown = [p for p in wanted if p not in PROVIDERS]
    if unknown:
        raise BundleError(f"unknown execution provider(s): {', '.join(unknown)}",
                          f"supported: {', '.join(PROVIDERS)}")
    available = set(ort.get_available_providers())
    chosen = [PROVIDERS[p] for p in wanted if PROVIDERS[p] in available]
    skipped = [p for p in wanted if PROVIDERS[p] not in available]
    if skipped:
        log.info("execution providers not in this onnxruntime build: %s", ", ".join(skipped))
    if PROVIDERS["cpu"] not in chosen:
        chosen.append(PROVIDERS["cpu"])
    return chosen


class OrtEngine:
    """An :class:`~edge_vdialog.interfaces.Engine` over one ``InferenceSession``."""

    def __init__(self, session: ort.InferenceSession) -> None:
        self.session = session
        self.input_names = [i.name for i in session.get_inputs()]
        self.output_names = [o.name for o in session.get_outputs()]
        self.provider = session.get_providers()[0]

    def run(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        outputs = self.session.run(self.output_names, dict(inputs))
        return dict(zip(self.output_names, outputs))


def open_session(path: Path, options: EngineOptions) -> ort.InferenceSession:
    """``path`` opened with the first of ``options.providers`` that works."""
    if not path.is_file():
        raise BundleError(f"model file {path} is missing", "rebuild the bundle")
    try:
        session = ort.InferenceSession(str(path), sess_options=session_options(options.threads, options.spinning),
                                       providers=provider_options(resolve_providers(options.providers),
                                                                  options.cache_dir))
    except (ort.capi.onnxruntime_pybind11_state.Fail,
            ort.capi.onnxruntime_pybind11_state.InvalidGraph,
            ort.capi.onnxruntime_pybind11_state.InvalidProtobuf) as e:
        first = str(e).strip().splitlines()[0][:300]
        raise BundleError(f"{path} is not a loadable ONNX model: {first}",
                          "rebuild the bundle") from None
    log.info("loaded %s on %s", path.name, session.get_providers()[0])
    return session


def provider_options(providers: list[str], cache_dir: Path | None) -> list[str | tuple[str, dict]]:
    """TensorRT's execution provider keeps its engines and timing cache in ``cache_dir``."""
    if cache_dir is None:
        return list(providers)
    trt = {"trt_engine_cache_enable": "True", "trt_engine_cache_path": str(cache_dir),
           "trt_timing_cache_enable": "True", "trt_timing_cache_path": str(cache_dir)}
    return [(p, trt) if p == PROVIDERS["tensorrt"] else p for p in providers]


def load_engine(path: Path, options: EngineOptions) -> OrtEngine:
    return OrtEngine(open_session(path, options))


def load_decoder(path: Path, max_context: int, options: EngineOptions, shared_kv: bool) -> OrtDecoder:
    return OrtDecoder(open_session(path, options), max_context, where=str(path), shared=shared_kv)


@dataclass(frozen=True)
class KVLayout:
    layers: int
    kv_heads: int
    head_size: int
    dtype: type
    vocab: int
    position_ids: bool
    """Whether the model takes position_ids (GPT-2 and Llama exports do)."""
    logits_dtype: type
    last_only: bool
    """The model takes ``logits_to_keep``: fed 1, it returns (1, 1, vocab) whatever T is."""


def read_layout(session: ort.InferenceSession, where: str) -> KVLayout:
    """The cache layout declared by the model's inputs; BundleError naming what is wrong."""
    inputs = {i.name: i for i in session.get_inputs()}
    overridable = {i.name for i in session.get_overridable_initializers()}   # inputs with defaults
    outputs = {o.name for o in session.get_outputs()}
    layers = sum(1 for n in inputs if n.startswith("past_key_values.") and n.endswith(".key"))
    expected = {"input_ids", "attention_mask"} | {f"past_key_values.{i}.{kv}" for i in range(layers)
                                                  for kv in ("key", "value")}
    produced = {"logits"} | {f"present.{i}.{kv}" for i in range(layers) for kv in ("key", "value")}
    missing = sorted(expected - set(inputs)) + sorted(produced - outputs)
    unknown = sorted(set(inputs) - expected - {"position_ids", "logits_to_keep"})
    if layers == 0 or missing or unknown:
        got = ", ".join(sorted(inputs))[:200]
        raise BundleError(f"{where} is not a decoder with past key values (missing: "
                          f"{', '.join(missing[:4]) or 'past_key_values.*'}; unexpected: "
                          f"{', '.join(unknown[:4]) or 'none'}; inputs: {got})", EXPORT_HINT)
    past = inputs["past_key_values.0.key"]
    heads, head_size = past.shape[1], past.shape[3]
    logits = next(o for o in session.get_outputs() if o.name == "logits")
    vocab = logits.shape[-1]
    if (not all(isinstance(d, int) for d in (heads, head_size, vocab))
            or past.type not in ONNX_TYPES or logits.type not in ONNX_TYPES):
        raise BundleError(f"{where}: past key values must be float/float16 with fixed heads and "
                          f"head size, got {past.type} {past.shape}", EXPORT_HINT)
    return KVLayout(layers, heads, head_size, ONNX_TYPES[past.type], vocab, "position_ids" in inputs,
                    ONNX_TYPES[logits.type], "logits_to_keep" in overridable)


class OrtDecoder:
    """Feeds tokens to the model, keeping their keys and values; batch 1."""

    def __init__(self, session: ort.InferenceSession, max_context: int, where: str = "model",
                 shared: bool = False) -> None:
        self.session = session
        self.provider = session.get_providers()[0]
        self.shared = shared
        """Past and present are one buffer of ``max_context`` positions that the model appends to
        in place (GroupQueryAttention graphs, manifest ``kv_cache: shared-buffer``)."""
        self.layout = lay = read_layout(session, where)
        self.vocab = lay.vocab
        self.max_context = max_context
        """Most tokens the cache holds (prompt + reply)."""
        self.length = 0
        """Tokens in the cache now."""
        per = lay.kv_heads * max_context * lay.head_size
        self._kv = _lazy_zeros((2, 2 * lay.layers, per), lay.dtype)  # (side, layer*{k,v}, H*C*D)
        self._side = 0                                             # side holding the cache
        self._ids = np.zeros((1, max_context), np.int64)
        self._mask = np.ones((1, max_context), np.int64)
        self._pos = np.arange(max_context, dtype=np.int64)[None]
        self._step_logits = np.empty((1, 1, lay.vocab), lay.logits_dtype)
        self._keep = np.ones(1, np.int64)                          # logits for the last position
        self._names = [f"past_key_values.{i}.{kv}" for i in range(lay.layers) for kv in ("key", "value")]
        self._present = [f"present.{i}.{kv}" for i in range(lay.layers) for kv in ("key", "value")]
        self._binding = session.io_binding()
        if shared:
            self._bind_shared_cache()

    @property
    def room(self) -> int:
        """Tokens that still fit."""
        return self.max_context - self.length

    def reset(self) -> None:
        self.length = 0

    def rewind(self, keep: int) -> None:
        """Forget all but the first ``keep`` cached tokens (to reuse a shared prompt prefix)."""
        if keep >= self.length or self.shared:   # shared: positions >= keep are overwritten later
            self.length = min(keep, self.length)
            return
        if keep == 0:
            self.length = 0
            return
        lay, p = self.layout, self.length
        src = self._kv[self._side, :, : lay.kv_heads * p * lay.head_size]
        dst = self._kv[1 - self._side, :, : lay.kv_heads * keep * lay.head_size]
        dst.reshape(-1, lay.kv_heads, keep, lay.head_size)[:] = \
            src.reshape(-1, lay.kv_heads, p, lay.head_size)[:, :, :keep]
        self._side, self.length = 1 - self._side, keep

    def feed(self, ids: list[int]) -> np.ndarray:
        """Run ``ids`` after the cached tokens; returns the next-token logits (vocab,) as float32.

        The returned array is reused by the next call (copy it to keep it)."""
        t, p = len(ids), self.length
        if t == 0 or p + t > self.max_context:
            raise ValueError(f"cannot feed {t} tokens with {p} of {self.max_context} cached")
        lay, b = self.layout, self._binding
        self._ids[0, :t] = ids
        _bind_in(b, "input_ids", self._ids, (1, t))
        _bind_in(b, "attention_mask", self._mask, (1, p + t))
        if lay.position_ids:
            _bind_in(b, "position_ids", self._pos[:, p:], (1, t))
        if lay.last_only:
            _bind_in(b, "logits_to_keep", self._keep, (1,))
        if not self.shared:                      # shared: bound once, in __init__
            self._bind_ping_pong(p, t)
        logits = (self._step_logits if t == 1 or lay.last_only
                  else np.empty((1, t, lay.vocab), lay.logits_dtype))
        _bind_out(b, "logits", logits, logits.shape)
        self.session.run_with_iobinding(b)
        self._side, self.length = (self._side if self.shared else 1 - self._side), p + t
        return logits[0, -1].astype(np.float32, copy=False)

    def _bind_ping_pong(self, p: int, t: int) -> None:
        """Past (1, H, p, D) from one side, present (1, H, p + t, D) written into the other."""
        lay, b = self.layout, self._binding
        past_shape, present_shape = (1, lay.kv_heads, p, lay.head_size), (1, lay.kv_heads, p + t, lay.head_size)
        for j, (past, present) in enumerate(zip(self._names, self._present)):
            _bind_in(b, past, self._kv[self._side, j], past_shape)
            _bind_out(b, present, self._kv[1 - self._side, j], present_shape)

    def _bind_shared_cache(self) -> None:
        """Past and present both the full (1, H, C, D) buffer; the model appends in place."""
        lay, b = self.layout, self._binding
        shape = (1, lay.kv_heads, self.max_context, lay.head_size)
        for j, (past, present) in enumerate(zip(self._names, self._present)):
            _bind_in(b, past, self._kv[0, j], shape)
            _bind_out(b, present, self._kv[0, j], shape)


def _lazy_zeros(shape: tuple[int, ...], dtype: type) -> np.ndarray:
    """Zeros whose pages become resident only when written, 4 KiB at a time.

    An anonymous mmap, not ``np.empty``: numpy asks for transparent huge pages on large arrays,
    which would make each of the cache's many small active regions cost 2 MiB.
    """
    size = int(np.prod(shape)) * np.dtype(dtype).itemsize
    return np.frombuffer(mmap.mmap(-1, size), dtype).reshape(shape)


def _bind_in(b: ort.IOBinding, name: str, arr: np.ndarray, shape: tuple[int, ...]) -> None:
    """Bind the first prod(shape) elements of the contiguous ``arr`` as input ``name``."""
    b.bind_input(name, "cpu", 0, arr.dtype, list(shape), arr.ctypes.data)


def _bind_out(b: ort.IOBinding, name: str, arr: np.ndarray, shape: tuple[int, ...]) -> None:
    b.bind_output(name, "cpu", 0, arr.dtype, list(shape), arr.ctypes.data)
