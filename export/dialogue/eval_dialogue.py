"""``python -m export eval-dialogue``: held-out perplexity of a dialogue bundle (ONNX) or checkpoint (torch).

Scores the validation split of ``--corpus`` (the same split train-dialogue holds out, fixed by
``--seed``) in the model's own prompt format: the text of every turn after the first plus its
end-of-turn token. Reports perplexity per token of the model's tokenizer and bits per UTF-8 byte
(comparable across tokenizers and formats). Windows of ``--seq`` tokens, no context across windows.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from edge_vdialog.dialogue.prompt import FORMATS
from edge_vdialog.errors import UserError
from export.dialogue import dialogue_data as dd
from export.dialogue.corpus import load_corpus


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval-dialogue", help="held-out perplexity and bits/byte of a dialogue model")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--bundle", type=Path, help="bundle directory with a dialogue component (ONNX Runtime)")
    what.add_argument("--checkpoint", type=Path, help="Hugging Face checkpoint directory (torch, fp32)")
    p.add_argument("--corpus", action="append", help="as for train-dialogue (default: chitchat)")
    p.add_argument("--seed", type=int, default=0, help="the split's seed (train-dialogue's --seed)")
    p.add_argument("--seq", type=int, default=256, help="window, tokens (capped at the model's context)")
    p.add_argument("--conversations", type=int, help="score only the first N validation conversations")
    p.add_argument("--prompt-format", choices=FORMATS, default="eos-turns", help="checkpoints only")
    p.add_argument("--system", default=None, help="checkpoints, chatml only: system prompt (default: the bundles')")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json", type=Path, help="also append the result as one JSON line to this file")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    corpus = load_corpus(args.corpus or ["chitchat"], seed=args.seed)
    convs = corpus.val[:args.conversations] if args.conversations else corpus.val
    t0 = time.monotonic()
    if args.bundle:
        score, info = eval_bundle(args.bundle, convs, args.seq, args.threads)
    else:
        score, info = eval_checkpoint(args.checkpoint, convs, args.seq, args.threads,
                                      args.prompt_format, args.system)
    result = {"model": str(args.bundle or args.checkpoint), **info, "corpus": args.corpus or ["chitchat"],
              "seed": args.seed, "conversations": len(convs), **score.as_dict(), "seconds": round(time.monotonic() - t0, 1)}
    print(f"{result['model']} ({info['precision']}, {info['prompt_format']}): ppl {score.ppl:.2f} per token, "
          f"{score.bits_per_byte:.4f} bits/byte over {score.tokens:,} tokens / {score.bytes:,} bytes")
    if args.json:
        with args.json.open("a", encoding="utf-8") as f:
            f.write(json.dumps(result) + "\n")
    return 0


def eval_bundle(root: Path, convs, seq: int, threads: int) -> tuple[dd.Score, dict]:
    """Score with the runtime's decoder of the bundle (its engine, KV cache and prompt format)."""
    from tokenizers import Tokenizer

    from edge_vdialog.bundle import Bundle
    from edge_vdialog.engines import EngineOptions, open_decoder

    comp = Bundle.load(root).component("dialogue")
    cfg = comp.config
    tok = Tokenizer.from_file(str(comp.path("tokenizer")))
    seq = min(seq, int(cfg.get("max_context", seq)))
    decoder = open_decoder(comp.path("model"), seq, EngineOptions(threads=threads),
                           shared_kv=cfg.get("kv_cache") == "shared-buffer")
    fmt = cfg.get("prompt_format", "eos-turns")
    windows = dd.eval_windows(dd.encode(tok, convs, fmt, cfg.get("system_prompt", "")), seq)
    score, lengths = dd.Score(), dd.token_bytes(tok)
    for x, y in _progress(windows):
        score.add(_window_nll(decoder, x, y), y, lengths)
    return score, {"precision": comp.precision, "prompt_format": fmt, "windows": len(windows)}


def _window_nll(decoder, inputs: np.ndarray, targets: np.ndarray) -> float:
    """Summed negative log-likelihood (nats) of a window's scored targets; inputs, targets (T,).

    The window is fed from an empty cache in runs that each end at a scored position, whose
    next-token logits score that position's target (a prompt stretch costs one prefill)."""
    decoder.reset()
    nll, start = 0.0, 0
    for j in np.flatnonzero(targets >= 0):
        logits = decoder.feed(inputs[start:j + 1].tolist())             # (vocab,) predicting targets[j]
        nll += _nll(logits[None], targets[j:j + 1])
        start = j + 1
    return nll


def eval_checkpoint(path: Path, convs, seq: int, threads: int,
                    fmt: str, system: str | None = None) -> tuple[dd.Score, dict]:
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModelForCausalLM

    if not (path / "tokenizer.json").is_file():
        raise UserError(f"{path}: no tokenizer.json", "pass a checkpoint directory written by train-dialogue")
    torch.set_num_threads(threads)
    tok = Tokenizer.from_file(str(path / "tokenizer.json"))
    model = AutoModelForCausalLM.from_pretrained(str(path)).float()
    ctx = getattr(model.config, "n_positions", None) or model.config.max_position_embeddings
    if fmt == "chatml" and system is None:
        from export.dialogue.lm_bundle import DEFAULT_SYSTEM as system
    windows = dd.eval_windows(dd.encode(tok, convs, fmt, system or ""), min(seq, ctx))
    score = dd.evaluate_torch(model, windows, dd.token_bytes(tok))
    return score, {"precision": "fp32 (torch)", "prompt_format": fmt, "windows": len(windows)}


def _nll(logits: np.ndarray, targets: np.ndarray) -> float:
    """Summed negative log-likelihood (nats) of the scored targets; logits (T, V), targets (T,) or -100."""
    keep = targets >= 0
    z = logits[keep].astype(np.float64)
    z -= z.max(axis=1, keepdims=True)
    logp = z[np.arange(len(z)), targets[keep]] - np.log(np.exp(z).sum(axis=1))
    return float(-logp.sum())


def _progress(items: list):
    from tqdm import tqdm

    return tqdm(items, desc="windows", unit="win", mininterval=1 if sys.stderr.isatty() else 30)
