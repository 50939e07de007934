"""TensorRT backend, with fallback: TensorRT -> ONNX Runtime GPU -> ONNX Runtime CPU.

Each step that fails is logged with its reason and the loaded model's ``provider`` carries them
(``CPUExecutionProvider (TensorRT fallback: ...)``), which the kiosk shows as degraded in
``/healthz``, its status and on screen; it is never silent. Engines are built from a bundle's
TensorRT-ready ONNX (``python -m export trt-onnx``) on first use and kept in
``engines.cache_dir`` (``_trt_plan.EngineCache``: keyed by the ONNX sha256, TensorRT/CUDA/L4T
versions, compute capability, precision and profiles; rebuilt when a plan does not load).

:class:`TrtEngine` (stateless) and :class:`TrtDecoder` (KV cache in device buffers bound once per
side, ping-pong like ``OrtDecoder``, prefill and decode profiles) have NOT run on a GPU yet: no
TensorRT where they were written. ``benchmarks/trt_device_check.py`` is the check to run on one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import numpy as np

from edge_vdialog.bundle import sha256_file
from edge_vdialog.engines import EngineOptions, ort
from edge_vdialog.engines._trt_plan import (
    EngineCache,
    Profile,
    binding_dtype,
    cache_key,
    dialogue_profiles,
    static_profile,
)
from edge_vdialog.errors import BundleError

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_PROMPT = 512
"""Most tokens one prefill feeds (the prefill profile's maximum), at most the context."""
GPU_PROVIDERS = ("tensorrt", "cuda")


def load_engine(path: Path, options: EngineOptions):
    return _first_working(path, lambda: TrtEngine.load(path, options),
                          lambda opts: ort.load_engine(path, opts), options)


def load_decoder(path: Path, max_context: int, options: EngineOptions, shared_kv: bool):
    def trt():
        if shared_kv:
            raise RuntimeError("the bundle's KV layout is ONNX Runtime's shared buffer (contrib "
                               "operators); export it with `python -m export trt-onnx`")
        return TrtDecoder.load(path, max_context, options)
    return _first_working(path, trt, lambda opts: ort.load_decoder(path, max_context, opts, shared_kv), options)


def _first_working(path: Path, trt: Callable[[], T], on_ort: Callable[[EngineOptions], T],
                   options: EngineOptions) -> T:
    """TensorRT, else ONNX Runtime on a GPU provider, else on the CPU; reasons logged and kept."""
    reasons = []
    try:
        return trt()
    except (RuntimeError, BundleError) as e:
        reasons.append(f"TensorRT: {e}")
        log.warning("%s: TensorRT unavailable, trying ONNX Runtime on a GPU: %s", path.name, e)
    import onnxruntime

    gpu = [p for p in GPU_PROVIDERS if ort.PROVIDERS[p] in onnxruntime.get_available_providers()]
    if gpu:
        model = on_ort(replace(options, providers=tuple(gpu)))
        if "CPU" not in model.provider:
            return _marked(model, reasons)
        reasons.append(f"ONNX Runtime {', '.join(gpu)}: did not take the model")
    else:
        reasons.append("ONNX Runtime GPU: this onnxruntime has no GPU provider (install onnxruntime-gpu)")
    log.warning("%s: no GPU inference, running on the CPU (%s)", path.name, reasons[-1])
    return _marked(on_ort(replace(options, providers=("cpu",))), reasons)


def _marked(model: T, reasons: list[str]) -> T:
    model.provider = f"{model.provider} (TensorRT fallback: {'; '.join(reasons)})"  # type: ignore[attr-defined]
    return model


def _build_or_load(path: Path, options: EngineOptions, profiles_of: Callable[[dict], list[Profile]]):
    """(trt module, engine, device) for the ONNX at ``path``, from the cache when it can be."""
    from edge_vdialog.engines import _trt_build as build
    from edge_vdialog.engines._cuda import Device

    if options.cache_dir is None:
        raise RuntimeError("set [engines] cache_dir: TensorRT engines take minutes to build and are kept there")
    trt = build.import_tensorrt()
    device = Device()
    builder, network, _parser = build.parse(trt, path)
    profiles, precision = profiles_of(build.network_inputs(network)), build.precision_of(trt, network)
    key = cache_key(sha256_file(path), build.versions(trt), device.compute_capability(), precision, profiles)
    engine = EngineCache(options.cache_dir).load_or_build(
        path.stem, key, lambda: build.build(trt, builder, network, precision, profiles,
                                            options.cache_dir / "timing.cache"),
        lambda plan: build.deserialize(trt, plan))
    return trt, engine, device


class _Tensors:
    """Device buffers for an engine's IO tensors, by name."""

    def __init__(self, trt, engine, device) -> None:
        self.trt, self.engine, self.device = trt, engine, device
        self.names = [engine.get_tensor_name(i) for i in range(engine.num_io_tensors)]
        major = int(trt.__version__.split(".")[0])
        self.dtype = {n: np.dtype(binding_dtype(major, np.dtype(trt.nptype(engine.get_tensor_dtype(n))).name))
                      for n in self.names}
        self.inputs = [n for n in self.names if engine.get_tensor_mode(n) == trt.TensorIOMode.INPUT]
        self.outputs = [n for n in self.names if n not in self.inputs]


class TrtEngine:
    """A stateless :class:`~edge_vdialog.interfaces.Engine` on TensorRT, batch 1 (unverified on hardware)."""

    provider = "tensorrt"

    def __init__(self, trt, engine, device) -> None:
        self.t = _Tensors(trt, engine, device)
        self.input_names, self.output_names = self.t.inputs, self.t.outputs
        self.context = engine.create_execution_context()
        self.device = device
        self._host, self._ptr = {}, {}
        for n in self.t.names:
            shape = tuple(engine.get_tensor_shape(n))
            self._host[n] = np.empty(tuple(max(d, 1) for d in shape), self.t.dtype[n])
            self._ptr[n] = device.alloc(self._host[n].nbytes)
            self.context.set_tensor_address(n, self._ptr[n])        # bound once

    @classmethod
    def load(cls, path: Path, options: EngineOptions) -> TrtEngine:
        return cls(*_build_or_load(path, options, lambda inputs: [static_profile(inputs)]))

    def run(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        for n in self.input_names:
            arr = np.asarray(inputs[n], self.t.dtype[n])
            self.context.set_input_shape(n, arr.shape)
            self.device.upload(self._ptr[n], arr)
        self.context.execute_async_v3(self.device.stream_handle)
        out = {}
        for n in self.output_names:
            host = np.empty(tuple(self.context.get_tensor_shape(n)), self.t.dtype[n])
            self.device.download(host, self._ptr[n])
            out[n] = host
        self.device.sync()
        return out


class TrtDecoder:
    """A :class:`~edge_vdialog.interfaces.Decoder` on TensorRT, batch 1 (unverified on hardware).

    KV cache: per layer and key/value two device buffers of (H, C, D), past read from one side and
    present written to the other, then the sides swap; addresses set per step, nothing copied
    through the host but ids in and the last logits out. Profile 0 prefill, 1 decode, each with
    its own execution context."""

    provider = "tensorrt"

    def __init__(self, trt, engine, device, max_context: int) -> None:
        self.t, self.device, self.max_context, self.length = _Tensors(trt, engine, device), device, max_context, 0
        past = [n for n in self.t.inputs if n.startswith("past_key_values.")]
        shape = tuple(engine.get_tensor_shape(past[0]))                       # (1, H, -1, D)
        self.heads, self.head_size = shape[1], shape[3]
        self.vocab = int(engine.get_tensor_shape("logits")[-1])
        self._past, self._present = past, [n.replace("past_key_values.", "present.") for n in past]
        per = self.heads * max_context * self.head_size * self.t.dtype[past[0]].itemsize
        self._kv = [[device.alloc(per) for _ in past] for _side in range(2)]
        self._side = 0
        self._small = {n: device.alloc(max_context * 8) for n in ("input_ids", "attention_mask", "position_ids",
                                                                  "logits_to_keep") if n in self.t.inputs}
        self._logits = device.alloc(max_context * self.vocab * self.t.dtype["logits"].itemsize)
        self._host_logits = np.empty((max_context, self.vocab), self.t.dtype["logits"])
        self._ctx = []
        for profile in range(2):
            ctx = engine.create_execution_context()
            ctx.set_optimization_profile_async(profile, device.stream_handle)
            ctx.set_tensor_address("logits", self._logits)
            for n, ptr in self._small.items():
                ctx.set_tensor_address(n, ptr)
            self._ctx.append(ctx)
        device.upload(self._small["attention_mask"], np.ones(max_context, self.t.dtype["attention_mask"]))

    @classmethod
    def load(cls, path: Path, max_context: int, options: EngineOptions) -> TrtDecoder:
        prompt = min(MAX_PROMPT, max_context)
        return cls(*_build_or_load(path, options,
                                   lambda inputs: dialogue_profiles(inputs, max_context, prompt)), max_context)

    def reset(self) -> None:
        self.length = 0

    def rewind(self, keep: int) -> None:
        """Keep the first ``keep`` positions: per head, copy them to the front of the other side."""
        if keep >= self.length or keep == 0:
            self.length = min(keep, self.length)
            return
        size = self.t.dtype[self._past[0]].itemsize * self.head_size
        for src, dst in zip(self._kv[self._side], self._kv[1 - self._side]):
            for h in range(self.heads):
                self.device.copy(dst + h * keep * size, src + h * self.length * size, keep * size)
        self._side, self.length = 1 - self._side, keep

    def feed(self, ids: list[int]) -> np.ndarray:
        t, p = len(ids), self.length
        if t == 0 or p + t > self.max_context:
            raise ValueError(f"cannot feed {t} tokens with {p} of {self.max_context} cached")
        ctx = self._ctx[0 if t > 1 else 1]
        dev, dt = self.device, self.t.dtype
        dev.upload(self._small["input_ids"], np.asarray(ids, dt["input_ids"]))
        ctx.set_input_shape("input_ids", (1, t))
        ctx.set_input_shape("attention_mask", (1, p + t))
        if "position_ids" in self._small:
            dev.upload(self._small["position_ids"], np.arange(p, p + t, dtype=dt["position_ids"]))
            ctx.set_input_shape("position_ids", (1, t))
        for j, (past, present) in enumerate(zip(self._past, self._present)):
            ctx.set_input_shape(past, (1, self.heads, p, self.head_size))
            ctx.set_tensor_address(past, self._kv[self._side][j])
            ctx.set_tensor_address(present, self._kv[1 - self._side][j])
        ctx.execute_async_v3(dev.stream_handle)
        rows = int(ctx.get_tensor_shape("logits")[1])
        dev.download(self._host_logits[:rows], self._logits)
        dev.sync()
        self._side, self.length = 1 - self._side, p + t
        return self._host_logits[rows - 1].astype(np.float32)
