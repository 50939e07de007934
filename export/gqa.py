"""Replace GPT-2's exported attention with ``com.microsoft.GroupQueryAttention`` per layer.

optimum's GPT-2 graph concatenates the past and new keys/values into fresh ``present`` tensors on
every step (a copy of the whole cache per token) and spends ~15 small ops per layer on masks and
reshapes. ``GroupQueryAttention`` (ONNX Runtime contrib op, CPU and CUDA) takes q, k, v as
(batch, seq, heads * head_size), derives the causal mask from the sequence lengths and, when the
past and present tensors are the same buffer, appends the new keys/values in place::

    past_key_values.{i}.key/value   (1, heads, C, head_size)   C = cache capacity, bound once
    present.{i}.key/value           the same buffers
    seqlens_k                       int32 (1,)  = tokens in the cache after this step - 1
    total_sequence_length           int32 ()    = same + 1, from attention_mask's length

The runtime (edge_vdialog/dialogue/decoder.py) binds them so when the manifest says
``"kv_cache": "shared-buffer"``.
"""

from __future__ import annotations

import onnx
from onnx import TensorProto, helper

SEQLENS, TOTAL = "gqa_seqlens_k", "gqa_total_sequence_length"


def fuse_gpt2_attention(model: onnx.ModelProto, num_heads: int) -> int:
    """Rewrite every layer whose attention matches optimum's GPT-2 pattern; returns how many."""
    graph = model.graph
    producers = {o: n for n in graph.node for o in n.output}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for n in graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    layers = sum(1 for o in graph.output if o.name.startswith("present.") and o.name.endswith(".key"))
    new = [_layer(i, num_heads, producers, consumers) for i in range(layers)]
    if not new or any(n is None for n in new):
        return 0
    at = {n.output[0]: n for n in new}                     # attention output -> its new node
    presents = {o for n in new for o in n.output[1:]}
    nodes = _lengths_nodes()
    for node in graph.node:                               # keep topological order: each GQA node
        if node.output[0] in at:                          # takes the place of the Reshape that
            nodes.append(at[node.output[0]])              # produced the attention output
        elif not set(node.output) & presents:
            nodes.append(node)
    graph.ClearField("node")
    graph.node.extend(nodes)
    _prune(graph)
    if not any(op.domain == "com.microsoft" for op in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return layers


def _layer(i: int, heads: int, producers: dict, consumers: dict) -> onnx.NodeProto | None:
    """The GroupQueryAttention node for layer ``i``, or None if the pattern is not there."""
    k_flat = _up(f"present.{i}.key", producers)
    v_flat = _up(f"present.{i}.value", producers)
    if k_flat is None or v_flat is None:
        return None
    split = producers.get(k_flat)
    if split is None or split.op_type != "Split" or len(split.output) != 3 or producers.get(v_flat) is not split:
        return None
    out = _attention_output(f"present.{i}.value", consumers)
    if out is None:
        return None
    return helper.make_node(
        "GroupQueryAttention",
        [split.output[0], k_flat, v_flat, f"past_key_values.{i}.key", f"past_key_values.{i}.value",
         SEQLENS, TOTAL],
        [out, f"present.{i}.key", f"present.{i}.value"],
        name=f"gqa_{i}", domain="com.microsoft", num_heads=heads, kv_num_heads=heads)


def _up(present: str, producers: dict) -> str | None:
    """``present = Concat(past, Transpose(Reshape(x)))`` -> x (batch, seq, heads * head_size)."""
    concat = producers.get(present)
    if concat is None or concat.op_type != "Concat" or len(concat.input) != 2:
        return None
    x = concat.input[1]
    for op in ("Transpose", "Reshape"):
        node = producers.get(x)
        if node is None or node.op_type != op:
            return None
        x = node.input[0]
    return x


def _attention_output(present_v: str, consumers: dict) -> str | None:
    """``Reshape(Transpose(MatMul(probs, present_v)))`` -> its output (batch, seq, hidden)."""
    matmuls = [n for n in consumers.get(present_v, []) if n.op_type == "MatMul"]
    if len(matmuls) != 1:
        return None
    x = matmuls[0].output[0]
    for op in ("Transpose", "Reshape"):
        nxt = consumers.get(x, [])
        if len(nxt) != 1 or nxt[0].op_type != op:
            return None
        x = nxt[0].output[0]
    return x


def _lengths_nodes() -> list[onnx.NodeProto]:
    """seqlens_k = sum(attention_mask) - 1 and total_sequence_length = len(attention_mask), int32."""
    one = helper.make_tensor("gqa_one", TensorProto.INT64, [], [1])
    axis = helper.make_tensor("gqa_axis", TensorProto.INT64, [1], [1])
    return [
        helper.make_node("Constant", [], ["gqa_one"], value=one),
        helper.make_node("Constant", [], ["gqa_axis"], value=axis),
        helper.make_node("ReduceSum", ["attention_mask", "gqa_axis"], ["gqa_sum"], keepdims=0),
        helper.make_node("Sub", ["gqa_sum", "gqa_one"], ["gqa_seqlens64"]),
        helper.make_node("Cast", ["gqa_seqlens64"], [SEQLENS], to=TensorProto.INT32),
        helper.make_node("Shape", ["attention_mask"], ["gqa_mask_shape"]),
        helper.make_node("Gather", ["gqa_mask_shape", "gqa_one"], ["gqa_total64"], axis=0),
        helper.make_node("Cast", ["gqa_total64"], [TOTAL], to=TensorProto.INT32),
    ]


def _prune(graph: onnx.GraphProto) -> None:
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
