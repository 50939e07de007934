"""TensorRT engine plans without TensorRT: optimisation profiles, binding types, the engine cache.

Everything here is plain Python (tested on CPU); the TensorRT calls are in ``_trt_build.py``.
A dialogue engine has two profiles over the same weights: ``prefill`` (T tokens after P cached,
P may be 0) and ``decode`` (one token after 1..C-1 cached, minimum 0: the zero-length past).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
Dims = tuple[int, ...]


@dataclass(frozen=True)
class Profile:
    name: str
    shapes: dict[str, tuple[Dims, Dims, Dims]]
    """Input name -> (min, opt, max) shape."""


def dialogue_profiles(inputs: Mapping[str, Dims], max_context: int, max_prompt: int) -> list[Profile]:
    """Prefill and decode profiles for a decoder with past key values, batch 1.

    ``inputs``: name -> shape with -1 for dynamic dimensions (TensorRT's network inputs);
    ``max_context``: cache size C, tokens; ``max_prompt``: most tokens fed at once."""
    if not 1 <= max_prompt <= max_context:
        raise ValueError(f"max_prompt {max_prompt} must be within 1..max_context {max_context}")
    c = max_context
    ranges = {  # (T, P) as (min, opt, max)
        "prefill": ((1, min(64, max_prompt), max_prompt), (0, 0, c - 1)),
        "decode": ((1, 1, 1), (0, c // 2, c - 1)),
    }
    profiles = []
    for name, (t, p) in ranges.items():
        shapes = {}
        for inp, dims in inputs.items():
            if inp.startswith("past_key_values."):                    # (1, H, P, D)
                shapes[inp] = tuple((1, dims[1], p[i], dims[3]) for i in range(3))
            elif inp == "attention_mask":                             # (1, P + T)
                shapes[inp] = tuple((1, min(c, p[i] + t[i])) for i in range(3))
            elif inp in ("input_ids", "position_ids"):                # (1, T)
                shapes[inp] = tuple((1, t[i]) for i in range(3))
            elif inp == "logits_to_keep":                             # (1,)
                shapes[inp] = ((1,),) * 3
            else:
                raise ValueError(f"no profile rule for dialogue input {inp!r} {dims}")
        profiles.append(Profile(name, shapes))  # type: ignore[arg-type]
    return profiles


def static_profile(inputs: Mapping[str, Dims]) -> Profile:
    """One profile for a stateless model: every dynamic dimension (the batch) is 1."""
    one = {n: tuple(1 if d < 0 else d for d in dims) for n, dims in inputs.items()}
    return Profile("static", {n: (s, s, s) for n, s in one.items()})


def binding_dtype(trt_major: int, onnx_dtype: str) -> str:
    """numpy dtype name a TensorRT ``trt_major``.x engine binds for an ONNX input/output type:
    TensorRT 8.x imports int64 tensors as int32, 10.x keeps int64."""
    if onnx_dtype == "int64" and trt_major < 10:
        return "int32"
    return onnx_dtype


def cache_key(onnx_sha256: str, versions: Mapping[str, str], compute_capability: str, precision: str,
              profiles: list[Profile]) -> str:
    """Engine identity: anything that changes the plan changes the key (sha256 hex, 24 chars)."""
    ident = {"onnx": onnx_sha256, "versions": dict(sorted(versions.items())), "sm": compute_capability,
             "precision": precision,
             "profiles": [[p.name, sorted((k, [list(s) for s in v]) for k, v in p.shapes.items())]
                          for p in profiles]}
    return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:24]


class EngineCache:
    """Serialized engines in ``root`` as ``<stem>.<key>.plan``, written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, stem: str, key: str) -> Path:
        return self.root / f"{stem}.{key}.plan"

    def load_or_build(self, stem: str, key: str, build: Callable[[], bytes],
                      deserialize: Callable[[bytes], T | None]) -> T:
        """The cached engine, or a fresh build (saved) when there is none or it does not
        deserialize (truncated file, other TensorRT); ``deserialize`` returns None or raises
        RuntimeError for a bad plan."""
        path = self.path(stem, key)
        if path.is_file():
            try:
                engine = deserialize(path.read_bytes())
            except RuntimeError as e:
                log.warning("cached engine %s does not load (%s)", path, e)
                engine = None
            if engine is not None:
                log.info("engine from cache: %s", path)
                return engine
            log.warning("rebuilding the engine %s", path.name)
            path.unlink()
        plan = build()
        engine = deserialize(plan)
        if engine is None:
            raise RuntimeError(f"TensorRT built an engine for {stem} it cannot load")
        write_atomic(path, plan)
        return engine


def write_atomic(path: Path, data: bytes) -> None:
    """``path`` holds all of ``data`` or what it held before, never a part (power loss included)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
