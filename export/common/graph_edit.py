"""Small helpers for rewriting ONNX graphs (export/dialogue/gqa.py, export/common/int8.py)."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper


def producers(graph: onnx.GraphProto) -> dict[str, onnx.NodeProto]:
    """Tensor name -> the node that outputs it."""
    return {o: n for n in graph.node for o in n.output}


def consumers(graph: onnx.GraphProto) -> dict[str, list[onnx.NodeProto]]:
    """Tensor name -> the nodes that read it."""
    out: dict[str, list[onnx.NodeProto]] = {}
    for n in graph.node:
        for i in n.input:
            out.setdefault(i, []).append(n)
    return out


def constant(name: str, graph: onnx.GraphProto, made_by: dict[str, onnx.NodeProto]) -> np.ndarray | None:
    """The value of ``name`` if it is an initializer or a Constant node's output, else None."""
    node = made_by.get(name)
    if node is not None:
        value = next((a.t for a in node.attribute if a.name == "value"), None)
        return numpy_helper.to_array(value) if node.op_type == "Constant" and value is not None else None
    init = next((i for i in graph.initializer if i.name == name), None)
    return numpy_helper.to_array(init) if init is not None else None


def prune(graph: onnx.GraphProto) -> None:
    """Drop nodes and initializers whose results nothing uses any more."""
    needed = {o.name for o in graph.output}
    keep: list[onnx.NodeProto] = []
    for node in reversed(list(graph.node)):
        if set(node.output) & needed:
            keep.append(node)
            needed |= set(node.input)
    graph.ClearField("node")
    graph.node.extend(reversed(keep))
    inits = [i for i in graph.initializer if i.name in needed]
    graph.ClearField("initializer")
    graph.initializer.extend(inits)
