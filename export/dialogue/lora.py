"""Low-rank adapters (LoRA) for the linear layers of a torch causal LM: fine-tune a few million
weights on a CPU instead of every one, keep the result as a small file, merge it back for export.

An adapted ``nn.Linear`` computes ``W x + (alpha / rank) * B (A x)``: A (rank, in) starts random,
B (out, rank) at zero, so training starts from the base model exactly. The adapter file is
safetensors (no pickle): tensors ``<module path>.lora_a`` / ``.lora_b`` and the metadata of
:data:`META_KEYS` (what it was trained on and with which system prompt).
"""

from __future__ import annotations

import contextlib
import functools
import json
from pathlib import Path

from edge_vdialog.errors import UserError

TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
"""Llama-family projection layers adapted by default (attention and MLP)."""
ADAPTER_FILE = "adapter.safetensors"
META_KEYS = ("rank", "alpha", "targets", "base", "prompt_format", "system_prompt")


@functools.cache
def _lora_linear_class():
    import torch
    from torch import nn

    class LoraLinear(nn.Module):
        """``base`` (frozen) plus a trainable low-rank update."""

        def __init__(self, base: nn.Linear, rank: int, alpha: float):
            super().__init__()
            self.base, self.scale = base, alpha / rank
            base.weight.requires_grad_(False)
            if base.bias is not None:
                base.bias.requires_grad_(False)
            self.lora_a = nn.Parameter(torch.randn(rank, base.in_features) / base.in_features ** 0.5)
            self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))

        def forward(self, x):
            return self.base(x) + (x @ self.lora_a.t() @ self.lora_b.t()) * self.scale

        def merged(self) -> nn.Linear:
            with torch.no_grad():
                self.base.weight += (self.lora_b @ self.lora_a) * self.scale
            return self.base

    return LoraLinear


def add_lora(model, rank: int, alpha: float, targets: tuple[str, ...] = TARGETS) -> int:
    """Freeze ``model`` and put an adapter on every ``nn.Linear`` named in ``targets``; returns how many."""
    from torch import nn

    if rank < 1:
        raise UserError(f"LoRA rank must be at least 1, got {rank}")
    lora = _lora_linear_class()
    for p in model.parameters():
        p.requires_grad_(False)
    found = [(name, m) for name, m in model.named_modules()
             if isinstance(m, nn.Linear) and name.rsplit(".", 1)[-1] in targets]
    if not found:
        raise UserError(f"no linear layer of {type(model).__name__} is named {', '.join(targets)}",
                        "LoRA targets Llama-family projections; fine-tune GPT-2 without --lora")
    for name, module in found:
        _put(model, name, lora(module, rank, alpha))
    return len(found)


def _put(model, name: str, module) -> None:
    """Set the submodule at dotted path ``name`` of ``model`` to ``module``."""
    parent, _, child = name.rpartition(".")
    setattr(model.get_submodule(parent) if parent else model, child, module)


def _adapter_params(model) -> dict:
    """The adapter weights of ``model``: module path + ``.lora_a`` / ``.lora_b`` -> parameter."""
    return {name: p for name, p in model.named_parameters() if name.endswith((".lora_a", ".lora_b"))}


def save_adapter(model, path: Path, meta: dict) -> None:
    """Write the adapter (fp16) and ``meta`` (the :data:`META_KEYS`) to ``path`` atomically."""
    save_tensors(_adapter_params(model), path, meta)


def save_tensors(tensors: dict, path: Path, meta: dict) -> None:
    """Write adapter ``tensors`` (name -> tensor, stored fp16) and ``meta`` to ``path`` atomically."""
    import torch
    from safetensors.torch import save_file

    missing = [k for k in META_KEYS if k not in meta]
    if missing:
        raise ValueError(f"adapter metadata lacks {missing}")
    tmp = path.with_suffix(".tmp")
    save_file({k: v.detach().to(torch.float16).contiguous() for k, v in tensors.items()}, str(tmp),
              metadata={k: json.dumps(meta[k]) for k in META_KEYS})
    tmp.replace(path)


def read_meta(path: Path) -> dict:
    """The metadata of an adapter file, checked."""
    from safetensors import SafetensorError, safe_open

    if not path.is_file():
        raise UserError(f"adapter not found: {path}", "train one with python -m export train-dialogue --lora R")
    try:
        with safe_open(str(path), "pt") as f:
            raw = f.metadata() or {}
        meta = {k: json.loads(raw[k]) for k in META_KEYS}
    except (OSError, ValueError, KeyError, SafetensorError) as e:
        raise UserError(f"{path}: not an adapter file of this toolchain ({type(e).__name__}: {e})",
                        "train one with python -m export train-dialogue --lora R") from None
    return meta


def load_adapter(model, path: Path) -> dict:
    """Put the adapter at ``path`` onto ``model`` (weights as trained, still separate); returns its metadata."""
    meta = read_meta(path)
    add_lora(model, meta["rank"], meta["alpha"], tuple(meta["targets"]))
    load_adapter_weights(model, path, meta["base"])
    return meta


def load_adapter_weights(model, path: Path, base: str = "") -> None:
    """Copy the adapter weights at ``path`` into the adapters already on ``model``."""
    import torch
    from safetensors.torch import load_file

    if not path.is_file():
        raise UserError(f"adapter not found: {path}")
    tensors = load_file(str(path))
    params = _adapter_params(model)
    wrong = sorted(set(tensors) ^ set(params))
    if wrong or any(params[n].shape != t.shape for n, t in tensors.items()):
        raise UserError(f"{path} does not fit this model (tensor {wrong[0] if wrong else 'shapes'} differ)",
                        f"it was trained on {base or read_meta(path)['base']} with its --lora rank")
    with torch.no_grad():
        for name, t in tensors.items():
            params[name].copy_(t.float())


def adapter_tensors(model, path: Path | None) -> dict:
    """The adapter weights a run starts from (name -> fp32 tensor): those of the adapter file at ``path``, or
    with ``path`` None the untrained adapters' (every ``B`` zero: the base model)."""
    import torch
    from safetensors.torch import load_file

    if path is not None:
        return {name: t.float() for name, t in load_file(str(path)).items()}
    return {name: torch.zeros_like(p) if name.endswith(".lora_b") else p.detach().clone()
            for name, p in _adapter_params(model).items()}


@contextlib.contextmanager
def swapped(model, tensors: dict):
    """Inside the block, ``model``'s adapters hold ``tensors`` (from :func:`adapter_tensors`); after it, their
    own weights again. For a reference model's predictions without a second copy of the model."""
    import torch

    params = _adapter_params(model)
    with torch.no_grad():
        own = {name: p.detach().clone() for name, p in params.items()}
        for name, p in params.items():
            p.copy_(tensors[name])
    try:
        yield model
    finally:
        with torch.no_grad():
            for name, p in params.items():
                p.copy_(own[name])


def merge(model) -> None:
    """Fold every adapter into its base weight and drop it (the model is a plain one again)."""
    lora = [(name, m) for name, m in model.named_modules() if isinstance(m, _lora_linear_class())]
    for name, module in lora:
        _put(model, name, module.merged())
    for p in model.parameters():
        p.requires_grad_(True)
