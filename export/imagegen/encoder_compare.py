"""``python -m export encoder-compare``: which runtime text encoder? MiniLM as ONNX INT8 vs the static one.

For each candidate: file size, median latency for one sentence (tokenize + ONNX Runtime, one thread),
and mean cosine with the reference MiniLM (torch fp32) on held-out captions and held-out chat turns.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from export.common import OPSET
from export.imagegen.timing import TEXTS, timed


def register(sub) -> None:
    p = sub.add_parser("encoder-compare", help="MiniLM ONNX INT8 vs the static encoder: size, speed, agreement")
    p.add_argument("--static", default=".cache/gan_export/text_encoder.onnx", help="from gan-bundle")
    p.add_argument("--data", default=".cache/gan/gan_data.npz")
    p.add_argument("--minilm", default=None)
    p.add_argument("--work", default=".cache/encoder_compare")
    p.set_defaults(func=run)


def export_minilm_int8(m, work: Path) -> Path:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    class Pooled(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask):
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).float()                     # (B, T, 1)
            return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)

    fp32 = work / "minilm.fp32.onnx"
    ids = torch.ones(1, 8, dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    torch.onnx.export(Pooled(m.model).eval(), (ids, ids), str(fp32), input_names=["input_ids", "attention_mask"],
                      output_names=["embedding"], opset_version=OPSET, dynamo=False,
                      dynamic_axes={"input_ids": axes, "attention_mask": axes, "embedding": {0: "batch"}})
    out = work / "minilm.int8.onnx"
    quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8)
    return out


def measure(name: str, model: Path, tokenizer: Path, sets: dict, refs: dict) -> dict:
    from export.imagegen.gan_onnx import local_encoder
    from export.imagegen.minilm import MAX_TOKENS
    enc = local_encoder(model, tokenizer, MAX_TOKENS)
    res = {"size_mb": round(model.stat().st_size / 1e6, 2),
           **{f"latency_{k}": v for k, v in timed(lambda i: enc.encode([TEXTS[i % 8]]), 200, 20).items()}}
    for k, texts in sets.items():
        res[f"cosine_{k}"] = round(float((enc.encode(texts) * refs[k]).sum(1).mean()), 4)
    print(name, json.dumps(res), flush=True)
    return res


def run(args) -> int:
    import torch

    from export.imagegen.encoder_texts import chat_turns
    from export.imagegen.minilm import MiniLM
    torch.set_num_threads(1)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    data, m = np.load(args.data), MiniLM(args.minilm)
    caps = [str(c) for c, s in zip(data["captions"], data["split"]) if s > 0]
    sets = {"heldout_captions": caps, "heldout_chat": chat_turns(0)[1]}
    refs = {k: m.encode(v) for k, v in sets.items()}
    tok = m.dir / "tokenizer.json"
    results = {"minilm_onnx_int8": measure("minilm_onnx_int8", export_minilm_int8(m, work), tok, sets, refs),
               "static_int8_table": measure("static", Path(args.static), tok, sets, refs)}
    (work / "encoder_compare.json").write_text(json.dumps(results, indent=1))
    return 0
