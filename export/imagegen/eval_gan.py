"""``python -m export eval-gan``: does the bundle's picture follow the text? Retrieval with a fixed feature.

Two query sets, each over ``--concepts`` concepts (gallery = their real Twemoji images):
  heldout_concept   every caption of concepts never seen in training;
  heldout_phrasing  the held-out caption of training concepts (sampled with ``--seed``).
For each, top-1/top-5 of: the GAN (runtime encoder + generator, averaged over ``--seeds`` noise seeds),
the GAN fed the reference MiniLM embeddings, and the nearest-caption lookup baseline (the real image of the
training caption nearest to the query, by the runtime encoder). Feature: 8x8 colour layout
(export/imagegen/gan_metrics.py). Also: the runtime encoder's mean cosine with MiniLM on each set.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from export.imagegen.gan_metrics import colour_layout, lookup_baseline, topk_accuracy


def register(sub) -> None:
    p = sub.add_parser("eval-gan", help="retrieval metrics of the bundle's text->picture path")
    p.add_argument("--bundle", default="models/default")
    p.add_argument("--data", default=".cache/gan/gan_data.npz")
    p.add_argument("--concepts", type=int, default=60, help="concepts per set (chance top-5 = 5/this)")
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None, help="write the metrics JSON here too")
    p.set_defaults(func=run)


def query_sets(data, n: int, seed: int) -> dict[str, np.ndarray]:
    """Set name -> caption indices of the queries."""
    split, concept = data["split"], data["concept"]
    held = np.flatnonzero(split == 2)
    keep = set(np.unique(concept[held])[:n])
    phr = np.flatnonzero(split == 1)
    rng = np.random.default_rng(seed)
    pick = rng.choice(np.unique(concept[phr]), n, replace=False)
    first = {int(c): int(i) for i, c in zip(phr[::-1], concept[phr][::-1])}        # one caption per concept
    return {"heldout_concept": np.array([i for i in held if concept[i] in keep]),
            "heldout_phrasing": np.array([first[int(c)] for c in pick])}


def evaluate(gen, data, queries: np.ndarray, seeds: int) -> dict[str, float]:
    from edge_vdialog.imagegen.generator import to_uint8
    concept, images = data["concept"], data["images"]
    own = concept[queries]
    gallery_concepts = np.unique(own)
    target = np.searchsorted(gallery_concepts, own)
    gallery = colour_layout(images[gallery_concepts])
    texts = [str(c) for c in data["captions"][queries]]
    emb = gen.encoder.encode(texts)
    ref = data["emb"][queries]
    res = {"queries": len(queries), "concepts": len(gallery_concepts),
           "chance_top5": round(5 / len(gallery_concepts), 3),
           "encoder_cosine_vs_minilm": round(float((emb * ref).sum(1).mean()), 4)}
    for name, e in (("gan", emb), ("gan_minilm_emb", ref)):
        accs = []
        for s in range(seeds):
            noise = np.stack([gen.noise(s * 100003 + i) for i in range(len(texts))])
            out = to_uint8(gen.engine.run({"noise": noise, "text_embedding": e.astype(np.float32)})["image"])
            accs.append(topk_accuracy(colour_layout(out), gallery, target))
        res.update({f"{name}_{k}": round(float(np.mean([a[k] for a in accs])), 3) for k in ("top1", "top5")})
    train = np.flatnonzero(data["split"] == 0)
    train_emb = gen.encoder.encode([str(c) for c in data["captions"][train]])
    base = lookup_baseline(emb, train_emb, concept[train], images)
    res.update({f"lookup_{k}": round(v, 3)
                for k, v in topk_accuracy(colour_layout(base), gallery, target).items()})
    return res


def run(args) -> int:
    from edge_vdialog.bundle import Bundle
    from edge_vdialog.engines import EngineOptions
    from edge_vdialog.imagegen import load_image_generator
    data = np.load(args.data)
    gen = load_image_generator(Bundle.load(args.bundle), EngineOptions(threads=1))
    results = {name: evaluate(gen, data, q, args.seeds)
               for name, q in query_sets(data, args.concepts, args.seed).items()}
    text = json.dumps(results, indent=1)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0
