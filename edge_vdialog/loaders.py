"""Bundle component ``kind`` -> the function that loads it, so adding a kind touches no ``if`` chain.

A loader takes ``(bundle, component, options: EngineOptions)`` and returns the runtime object
(:class:`~edge_vdialog.interfaces.Dialogue`, :class:`~edge_vdialog.interfaces.ImageGenerator`);
it verifies the component's files. Loaders are imported only when their kind is asked for.
"""

from __future__ import annotations

import importlib
from typing import Any

from edge_vdialog.bundle import Bundle
from edge_vdialog.engines import EngineOptions
from edge_vdialog.errors import BundleError

LOADERS = {
    "causal-lm": "edge_vdialog.dialogue:load_dialogue",
    "gan-generator": "edge_vdialog.imagegen:load_gan_generator",
}


def load_component(bundle: Bundle, name: str, options: EngineOptions) -> Any:
    """The bundle's component ``name``, loaded by the loader for its kind."""
    comp = bundle.component(name, verify=False)
    if comp.kind not in LOADERS:
        raise BundleError(f"bundle {bundle.root}: component '{name}' is of kind '{comp.kind}', which "
                          f"this runtime cannot load", f"loadable kinds: {', '.join(sorted(LOADERS))}")
    module, func = LOADERS[comp.kind].split(":")
    return getattr(importlib.import_module(module), func)(bundle, comp, options)
