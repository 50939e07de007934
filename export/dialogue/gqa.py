"""Replace the exported attention of GPT-2 and Llama-family models with ``GroupQueryAttention``.

optimum's GPT-2 graph concatenates the past and new keys/values into fresh ``present`` tensors on
every step (a copy of the whole cache per token) and spends ~15 small ops per layer on masks and
reshapes. ``GroupQueryAttention`` (ONNX Runtime contrib op, CPU and CUDA) takes q, k, v as
(batch, seq, heads * head_size) - here packed into one (batch, seq, (heads + 2 * kv_heads) * head_size)
input, GPT-2's fused qkv product as it is and Llama's three products merged into one - derives the causal mask from the sequence lengths and, when the
past and present tensors are the same buffer, appends the new keys/values in place::

    past_key_values.{i}.key/value   (1, heads, C, head_size)   C = cache capacity, bound once
    present.{i}.key/value           the same buffers
    seqlens_k                       int32 (1,)  = tokens in the cache after this step - 1
    total_sequence_length           int32 ()    = same + 1, from attention_mask's length

The runtime (edge_vdialog/dialogue/decoder.py) binds them so when the manifest says
``"kv_cache": "shared-buffer"``.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from export.common import graph_edit

SEQLENS, TOTAL = "gqa_seqlens_k", "gqa_total_sequence_length"
COS, SIN = "gqa_cos_cache", "gqa_sin_cache"
KEEP = "logits_to_keep"


def rope_caches(head_size: int, theta: float, positions: int) -> tuple[np.ndarray, np.ndarray]:
    """cos/sin caches (positions, head_size / 2) of the default (unscaled) rotary embedding."""
    inv_freq = 1.0 / theta ** (np.arange(0, head_size, 2, dtype=np.float64) / head_size)
    angles = np.outer(np.arange(positions, dtype=np.float64), inv_freq)
    return np.cos(angles).astype(np.float32), np.sin(angles).astype(np.float32)


def fuse_attention(model: onnx.ModelProto, num_heads: int, kv_heads: int,
                   rope: tuple[np.ndarray, np.ndarray] | None = None) -> int:
    """Rewrite every layer whose attention matches optimum's GPT-2 (``rope=None``) or Llama
    (rotary embedding given as cos/sin caches) pattern; returns how many (0: graph unchanged)."""
    graph = model.graph
    producers, consumers = graph_edit.producers(graph), graph_edit.consumers(graph)
    layers = sum(1 for o in graph.output if o.name.startswith("present.") and o.name.endswith(".key"))
    new = [_layer(graph, i, num_heads, kv_heads, rope is not None, producers, consumers) for i in range(layers)]
    if not new or any(n is None for n in new):
        return 0
    if rope is not None:
        graph.initializer.extend([numpy_helper.from_array(rope[0], COS), numpy_helper.from_array(rope[1], SIN)])
        for node in new:
            _pack_projections(graph, node, producers)
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
    graph_edit.prune(graph)
    if not any(op.domain == "com.microsoft" for op in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return layers


def _layer(graph: onnx.GraphProto, i: int, heads: int, kv_heads: int, rotary: bool, producers: dict,
           consumers: dict) -> onnx.NodeProto | None:
    """The GroupQueryAttention node for layer ``i``, or None if the pattern is not there."""
    k_flat = _up(_unrotated(_concat_new(f"present.{i}.key", producers), producers) if rotary
                 else _concat_new(f"present.{i}.key", producers), producers)
    v_flat = _up(_concat_new(f"present.{i}.value", producers), producers)
    out = _attention_output(f"present.{i}.value", consumers)
    q_flat = _query(k_flat, v_flat, producers, consumers) if k_flat and v_flat else None
    if q_flat is None or out is None:
        return None
    qkv = _packed(graph, q_flat, k_flat, v_flat, producers)
    if qkv is not None:                    # one (batch, seq, 3 * hidden) input: no Split to run
        q_flat, k_flat, v_flat = qkv, "", ""
    extra = {"do_rotary": 1, "rotary_interleaved": 0} if rotary else {}
    return helper.make_node(
        "GroupQueryAttention",
        [q_flat, k_flat, v_flat, f"past_key_values.{i}.key", f"past_key_values.{i}.value",
         SEQLENS, TOTAL] + ([COS, SIN] if rotary else []),
        [out, f"present.{i}.key", f"present.{i}.value"],
        name=f"gqa_{i}", domain="com.microsoft", num_heads=heads, kv_num_heads=kv_heads, **extra)


def _concat_new(present: str, producers: dict) -> str | None:
    """``present = Concat(past, new)`` -> new."""
    concat = producers.get(present)
    if concat is None or concat.op_type != "Concat" or len(concat.input) != 2:
        return None
    return concat.input[1]


def _unrotated(x: str | None, producers: dict) -> str | None:
    """``Add(Mul(t, cos), Mul(rotate_half(t), sin))`` -> t, the keys before the rotary embedding."""
    add = producers.get(x) if x else None
    if add is None or add.op_type != "Add":
        return None
    for name in add.input:
        mul = producers.get(name)
        if mul is not None and mul.op_type == "Mul":
            for t in mul.input:
                if t in producers and producers[t].op_type == "Transpose":
                    return t
    return None


def _query(k_flat: str, v_flat: str, producers: dict, consumers: dict) -> str | None:
    """The query projection's output: GPT-2 splits one qkv projection (q is output 0); Llama has
    three projections of the same normalized input (q is the one that is not k or v)."""
    k_node, v_node = producers.get(k_flat), producers.get(v_flat)
    if k_node is None or v_node is None:
        return None
    if k_node.op_type == "Split" and v_node is k_node and len(k_node.output) == 3:
        return k_node.output[0]
    siblings = [n for n in consumers.get(k_node.input[0], []) if n.op_type in ("MatMul", "MatMulNBits")]
    rest = [n.output[0] for n in siblings if n is not k_node and n is not v_node]
    return rest[0] if len(siblings) == 3 and len(rest) == 1 and v_node in siblings else None


def _packed(graph: onnx.GraphProto, q: str, k: str, v: str, producers: dict) -> str | None:
    """GPT-2's ``q, k, v = Split(qkv, 3 equal parts, last axis)`` -> qkv, which GroupQueryAttention
    takes whole (packed QKV) when its key and value inputs are left empty."""
    split = producers.get(q)
    if split is None or split.op_type != "Split" or list(split.output) != [q, k, v]:
        return None
    axis = next((a.i for a in split.attribute if a.name == "axis"), 0)
    if len(split.input) < 2 or not split.input[1]:
        equal = True                                                    # no sizes: equal parts
    else:
        sizes = graph_edit.constant(split.input[1], graph, producers)
        equal = sizes is not None and len(set(sizes.tolist())) == 1
    return split.input[0] if axis in (-1, 2) and equal else None


def _pack_projections(graph: onnx.GraphProto, gqa: onnx.NodeProto, producers: dict) -> None:
    """Llama's three products of one input with constant weights (q, k, v) -> one product with the
    weights side by side, fed to ``gqa`` as packed QKV: one weight read and two operators fewer per layer.
    The q product is rewritten in place; the k and v products are left for pruning."""
    made = [producers.get(name) for name in gqa.input[:3]]
    inits = {i.name: i for i in graph.initializer}
    if (any(n is None or n.op_type != "MatMul" or n.input[1] not in inits for n in made)
            or len({n.input[0] for n in made}) != 1):
        return
    weights = [numpy_helper.to_array(inits[n.input[1]]) for n in made]       # each [K, N_i]
    if any(w.ndim != 2 for w in weights):
        return
    q = made[0]
    packed = f"{q.input[1]}.qkv"
    graph.initializer.append(numpy_helper.from_array(np.concatenate(weights, axis=1), packed))
    q.input[1], q.output[0] = packed, f"{gqa.name}_qkv"
    gqa.input[0], gqa.input[1], gqa.input[2] = q.output[0], "", ""


def _up(x: str | None, producers: dict) -> str | None:
    """``Transpose(Reshape(flat))`` -> flat (batch, seq, heads * head_size)."""
    for op in ("Transpose", "Reshape"):
        if x is None:
            return None
        node = producers.get(x)
        if node is None or node.op_type != op:
            return None
        x = node.input[0]
    return x


def _attention_output(present_v: str, consumers: dict) -> str | None:
    """``Reshape(Transpose(MatMul(probs, repeat_kv(present_v))))`` -> its output (batch, seq, hidden)."""
    x, matmul = present_v, None
    for _ in range(4):                                 # through Unsqueeze/Expand/Reshape (repeat_kv)
        nxt = [n for n in consumers.get(x, []) if n.op_type in ("MatMul", "Unsqueeze", "Expand", "Reshape")]
        if len(nxt) != 1:
            return None
        if nxt[0].op_type == "MatMul":
            matmul = nxt[0]
            break
        x = nxt[0].output[0]
    if matmul is None:
        return None
    x = matmul.output[0]
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


def selectable_logits(model: onnx.ModelProto) -> bool:
    """Add an input ``logits_to_keep`` (int64 (1,), default 0 = all positions): the LM head then sees
    only the last k positions, so the runtime (k = 1) skips T - 1 rows of the biggest matrix product
    in a T-token prefill, while callers that need every position (perplexity) just leave it out."""
    graph = model.graph
    head = next((n for n in graph.node if "logits" in n.output), None)
    if head is None or head.op_type not in ("MatMul", "MatMulNBits"):
        return False
    graph.input.append(helper.make_tensor_value_info(KEEP, TensorProto.INT64, [1]))
    graph.initializer.append(numpy_helper.from_array(np.zeros(1, np.int64), KEEP))   # the default
    consts = [helper.make_node("Constant", [], [name], value=helper.make_tensor(name, TensorProto.INT64, [1], [v]))
              for name, v in (("keep_end", 2**62), ("keep_axis", 1))]
    nodes = consts + [
        helper.make_node("Neg", [KEEP], ["keep_start"]),
        helper.make_node("Slice", [head.input[0], "keep_start", "keep_end", "keep_axis"], ["kept_hidden"],
                         name="logits_to_keep"),
    ]
    head.input[0] = "kept_hidden"
    at = list(graph.node).index(head)
    for node in reversed(nodes):
        graph.node.insert(at, node)
    return True
