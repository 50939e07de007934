"""Inference backends: one file per backend in this package, each giving an Engine and a Decoder.

A backend is a module here (its file name is its name, the value of ``engines.backend``) with::

    load_engine(path: Path, options: EngineOptions) -> Engine
    load_decoder(path: Path, max_context: int, options: EngineOptions, shared_kv: bool) -> Decoder

and, when it generates replies elsewhere (``triton``: on a server), its own
``load_dialogue(bundle, component, options) -> Dialogue`` (see :func:`dialogue_loader`).

(:mod:`edge_vdialog.interfaces`). Adding a file adds a backend: :func:`backends` lists the files and
settings accept exactly those names. A backend module is imported only when chosen, so a board
without an SDK never imports it and a missing SDK is reported by name when it is asked for.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from edge_vdialog.errors import UserError
from edge_vdialog.interfaces import Decoder, Dialogue, Engine

DEFAULT_BACKEND = "ort"


@dataclass(frozen=True)
class EngineOptions:
    """How every model of the kiosk is run; from the ``[engines]`` settings."""

    backend: str = DEFAULT_BACKEND
    """A module of this package (see :func:`backends`)."""
    providers: tuple[str, ...] = ("cpu",)
    """Execution providers in order of preference (``ort``: ``tensorrt``, ``cuda``, ``cpu``)."""
    threads: int | None = None
    """Intra-op threads; None: one per physical core."""
    spinning: bool = True
    """Idle inference threads busy-wait for work (see ``engines.ort.session_options``)."""
    cache_dir: Path | None = None
    """Where compiled engines (TensorRT plans) are kept between starts; None: not cached."""
    url: str = "grpc://127.0.0.1:8001"
    """``triton``: the inference server, ``grpc://host:port`` (``grpcs://`` for TLS)."""
    timeout_s: float = 5.0
    """``triton``: most seconds to connect, or for one stateless request."""
    piece_timeout_s: float = 10.0
    """``triton``: most seconds between two streamed reply pieces before the answer counts as interrupted."""
    retry_max_s: float = 30.0
    """``triton``: cap of the doubling delay between tries to reach a lost server, seconds."""
    fallback: bool = False
    """``triton``: answer from the local bundle while the server is unreachable (reported degraded)."""


def backends() -> list[str]:
    """Names of the backends this runtime has: the modules of this package."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def _backend(name: str) -> ModuleType:
    if name not in backends():
        raise UserError(f"unknown inference backend '{name}'", f"supported: {', '.join(backends())}")
    return importlib.import_module(f"{__name__}.{name}")


def open_engine(path: str | Path, options: EngineOptions = EngineOptions()) -> Engine:
    """The stateless model at ``path``, loaded by ``options.backend``."""
    return _backend(options.backend).load_engine(Path(path), options)


def open_decoder(path: str | Path, max_context: int, options: EngineOptions = EngineOptions(),
                 shared_kv: bool = False) -> Decoder:
    """The causal language model at ``path`` with a cache of ``max_context`` tokens.

    ``shared_kv``: the model appends to one past/present buffer in place (manifest
    ``kv_cache: shared-buffer``, our GroupQueryAttention exports)."""
    return _backend(options.backend).load_decoder(Path(path), max_context, options, shared_kv)


def dialogue_loader(options: EngineOptions) -> Callable[..., Dialogue] | None:
    """The backend's own ``load_dialogue(bundle, component, options)``, or None when dialogues
    run on its decoder (:mod:`edge_vdialog.dialogue`)."""
    return getattr(_backend(options.backend), "load_dialogue", None)
