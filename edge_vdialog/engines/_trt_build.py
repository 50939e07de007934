"""The TensorRT calls: versions, ONNX parsing, engine building and loading (named-tensor API).

Works from TensorRT 8.6 (JetPack 6.0) to 10.x: features are looked up with ``hasattr`` (explicit
batch flag, progress monitor, memory-pool limits, ``build_serialized_network``). Nothing here has
run on hardware yet (no GPU or TensorRT where it was written); the logic around it is in
``_trt_plan.py``, tested. ``import tensorrt`` fails without JetPack's (or NVIDIA's) bindings.
"""

from __future__ import annotations

import logging
import platform
import sys
from pathlib import Path

from edge_vdialog.engines._trt_plan import Dims, Profile

log = logging.getLogger(__name__)
WORKSPACE_BYTES = 1 << 30
"""Builder scratch memory limit, bytes."""


def import_tensorrt():
    try:
        import tensorrt as trt
    except ImportError as e:
        raise RuntimeError(f"TensorRT's Python bindings are not installed ({e}); on a Jetson: "
                           "apt install python3-libnvinfer (JetPack), see README 'Jetson'") from None
    return trt


def versions(trt) -> dict[str, str]:
    """What an engine plan depends on besides the model: TensorRT, CUDA runtime, L4T release."""
    from edge_vdialog.engines._cuda import runtime_version

    l4t = Path("/etc/nv_tegra_release")
    return {"tensorrt": trt.__version__, "cuda": runtime_version(), "machine": platform.machine(),
            "l4t": l4t.read_text().split(",")[0].strip() if l4t.is_file() else "none"}


def parse(trt, onnx_path: Path):
    """(builder, network) with the ONNX model parsed; RuntimeError with the parser's errors."""
    logger = trt.Logger(trt.Logger.WARNING)
    builder = trt.Builder(logger)
    flags = 0
    if hasattr(trt.NetworkDefinitionCreationFlag, "EXPLICIT_BATCH"):   # implicit batch: gone in 10
        flags = 1 << int(trt.NetworkDefinitionCreationFlag.EXPLICIT_BATCH)
    network = builder.create_network(flags)
    parser = trt.OnnxParser(network, logger)
    if not parser.parse_from_file(str(onnx_path)):
        errors = "; ".join(str(parser.get_error(i)) for i in range(parser.num_errors))
        raise RuntimeError(f"TensorRT cannot parse {onnx_path}: {errors[:500]}")
    return builder, network, parser


def network_inputs(network) -> dict[str, Dims]:
    return {network.get_input(i).name: tuple(network.get_input(i).shape) for i in range(network.num_inputs)}


def precision_of(trt, network) -> str:
    """int8 when the network holds Q/DQ layers (explicit quantization), else fp16."""
    kinds = {network.get_layer(i).type for i in range(network.num_layers)}
    return "int8" if trt.LayerType.QUANTIZE in kinds else "fp16"


def build(trt, builder, network, precision: str, profiles: list[Profile], timing_cache: Path) -> bytes:
    """A serialized engine; ``precision``: fp16 (FP16 kernels allowed) or int8 (explicit Q/DQ in
    the model, FP16 elsewhere)."""
    config = builder.create_builder_config()
    if hasattr(config, "set_memory_pool_limit"):
        config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, WORKSPACE_BYTES)
    config.set_flag(trt.BuilderFlag.FP16)
    if precision == "int8":
        config.set_flag(trt.BuilderFlag.INT8)
    for p in profiles:
        profile = builder.create_optimization_profile()
        for name, (lo, opt, hi) in p.shapes.items():
            profile.set_shape(name, lo, opt, hi)
        config.add_optimization_profile(profile)
    cache = config.create_timing_cache(timing_cache.read_bytes() if timing_cache.is_file() else b"")
    config.set_timing_cache(cache, ignore_mismatch=False)
    if hasattr(trt, "IProgressMonitor"):                 # TensorRT 10+
        config.progress_monitor = _progress(trt)()
    log.info("building a TensorRT engine (%s, %d profile(s)): minutes on a Jetson", precision, len(profiles))
    plan = builder.build_serialized_network(network, config)
    if plan is None:
        raise RuntimeError("TensorRT failed to build the engine (see its log above)")
    from edge_vdialog.engines._trt_plan import write_atomic
    write_atomic(timing_cache, bytes(config.get_timing_cache().serialize()))
    return bytes(plan)


def deserialize(trt, plan: bytes):
    """The engine, or None when ``plan`` is not one this TensorRT can load."""
    runtime = trt.Runtime(trt.Logger(trt.Logger.ERROR))
    return runtime.deserialize_cuda_engine(plan)


def _progress(trt):
    class Progress(trt.IProgressMonitor):
        """Build phases on stderr, one line per phase start and end."""

        def __init__(self) -> None:
            trt.IProgressMonitor.__init__(self)

        def phase_start(self, parent, name, steps) -> None:
            print(f"TensorRT: {name} ({steps} steps)", file=sys.stderr, flush=True)

        def step_complete(self, name, step) -> bool:
            return True                                  # never cancel

        def phase_finish(self, name) -> None:
            print(f"TensorRT: {name} done", file=sys.stderr, flush=True)
    return Progress
