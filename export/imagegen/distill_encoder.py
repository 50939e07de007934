"""``python -m export distill-encoder``: a static text encoder distilled from all-MiniLM-L6-v2.

Sentence vector = L2-normalised mean of one learned 384-d vector per word piece (MiniLM's own
WordPiece tokenizer, [CLS]/[SEP] included). Rows start as MiniLM's output for the token alone, then are
fitted (cosine loss) to MiniLM's sentence embeddings of the training captions and of chat turns from
PyPI ``chitchat-dataset``. Held-out captions and chat turns measure the agreement (mean cosine with
MiniLM). Output: ``--out`` .npz with ``table`` (V, 384) float32 and ``metrics`` (JSON).
"""

from __future__ import annotations

import json

import numpy as np

from edge_vdialog.imagegen.text_encoder import DIM
from export.imagegen.encoder_texts import chat_turns


def register(sub) -> None:
    p = sub.add_parser("distill-encoder", help="distil a static (per-token mean) encoder from MiniLM")
    p.add_argument("--data", default=".cache/gan/gan_data.npz")
    p.add_argument("--minilm", default=None)
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--out", default=".cache/gan/static_encoder.npz")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run)


def token_vectors(m) -> np.ndarray:
    """(V, 384): MiniLM's mean-pooled output for each vocabulary token alone, [CLS] t [SEP]."""
    import torch
    tok = m.tokenizer
    v = len(tok)
    out = np.zeros((v, DIM), np.float32)
    with torch.inference_mode():
        for i in range(0, v, 1024):
            ids = torch.arange(i, min(v, i + 1024)).unsqueeze(1)                       # (b, 1)
            cls = torch.full_like(ids, tok.cls_token_id)
            sep = torch.full_like(ids, tok.sep_token_id)
            hidden = m.model(input_ids=torch.cat([cls, ids, sep], 1)).last_hidden_state  # (b, 3, 384)
            out[i:i + len(ids)] = hidden.mean(1).numpy()
    out[[tok.cls_token_id, tok.sep_token_id, tok.pad_token_id]] = 0
    return out


def encode_static(table: np.ndarray, id_lists: list[list[int]]) -> np.ndarray:
    vecs = np.stack([table[ids].mean(0) for ids in id_lists])
    return vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-8)


def fit(table: np.ndarray, id_lists: list[list[int]], targets: np.ndarray, epochs: int, seed: int) -> np.ndarray:
    import torch
    torch.manual_seed(seed)
    bag = torch.nn.EmbeddingBag.from_pretrained(torch.from_numpy(table.copy()), freeze=False,
                                                mode="mean", sparse=True)
    opt = torch.optim.SparseAdam(bag.parameters(), lr=2e-3)
    tgt = torch.from_numpy(targets)
    for epoch in range(epochs):
        order = np.random.default_rng(seed + epoch).permutation(len(id_lists))
        for i in range(0, len(order), 64):
            idx = order[i:i + 64]
            flat = torch.tensor([t for j in idx for t in id_lists[j]])
            offsets = torch.tensor(np.cumsum([0] + [len(id_lists[j]) for j in idx[:-1]]))
            pred = torch.nn.functional.normalize(bag(flat, offsets), dim=1)
            loss = 1 - (pred * tgt[idx]).sum(1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        print(f"epoch {epoch}: train cosine {1 - loss.item():.3f}", flush=True)
    return bag.weight.detach().numpy()


def run(args) -> int:
    import torch

    from export.imagegen.minilm import MAX_TOKENS, MiniLM
    torch.set_num_threads(1)
    data = np.load(args.data)
    m = MiniLM(args.minilm)
    captions, split = [str(c) for c in data["captions"]], data["split"]
    chat, heldout_chat = chat_turns(args.seed)
    train_text = [c for c, s in zip(captions, split) if s == 0] + chat
    sets = {"heldout_phrasing": [c for c, s in zip(captions, split) if s == 1],
            "heldout_concept": [c for c, s in zip(captions, split) if s == 2],
            "heldout_chat": heldout_chat}
    ids = lambda texts: [m.tokenizer(t, truncation=True, max_length=MAX_TOKENS)["input_ids"] for t in texts]
    targets = {k: m.encode(v) for k, v in sets.items()}
    table0 = token_vectors(m)
    table = fit(table0, ids(train_text), m.encode(train_text), args.epochs, args.seed)
    metrics = {}
    for name, tab in (("token_mean", table0), ("distilled", table)):
        for k, texts in sets.items():
            cos = (encode_static(tab, ids(texts)) * targets[k]).sum(1)
            metrics[f"{name}/{k}"] = round(float(cos.mean()), 4)
    print(json.dumps(metrics, indent=1))
    np.savez(args.out, table=table.astype(np.float32), metrics=json.dumps(metrics))
    return 0
