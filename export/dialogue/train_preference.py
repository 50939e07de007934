"""``python -m export train-preference``: direct preference optimisation (DPO) of a LoRA adapter.

Starts from a trained adapter (``--adapter``, e.g. the committed kiosk-persona one) on its base model
(the checkpoint its metadata names: ``smollm2`` or a directory) and trains it further on judged pairs (``preference-items`` writes them: the best-scored reply to a
visitor line against the worst of the model's own), so the model moves towards what judges liked and
away from what it does that they did not. The loss per pair (Rafailov et al. 2023, plus a small
likelihood term on the chosen reply that keeps it fluent):

    -log sigmoid(beta * ((log pi(c) - log ref(c)) - (log pi(r) - log ref(r))))  +  sft * nll(c) / tokens(c)

where ``ref`` is the starting adapter (its log-probabilities are computed once, before the first step,
and kept in the state) and log-probabilities are sums over the reply's tokens and its end token, in the
adapter's prompt format with its system prompt, as the runtime prompts. 5% of the pairs (at least 8)
are held out: validation reports how many of them the model prefers the right way round.

Writes ``OUT/adapter.safetensors`` (the same format as ``train-dialogue --lora``: ``python -m export
smollm2 --adapter`` merges it) and ``training.json``; running the same command again resumes.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

import numpy as np

from edge_vdialog.errors import UserError
from export.common.checkpoints import staged, warmup_cosine
from export.dialogue import dialogue_data as dd
from export.dialogue import lora

STATE = "preference_state.pt"
VAL_SHARE = 0.05


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train-preference", help="DPO of a LoRA adapter on judged reply pairs")
    p.add_argument("--adapter", type=Path, required=True, help="starting adapter (also the reference model)")
    p.add_argument("--pairs", type=Path, required=True, help="pairs.jsonl of preference-items")
    p.add_argument("--out", type=Path, required=True, help="checkpoint directory (resumed if it has a state)")
    p.add_argument("--beta", type=float, default=0.1, help="DPO temperature: how far from the reference")
    p.add_argument("--sft", type=float, default=0.1, help="weight of the chosen reply's per-token likelihood")
    p.add_argument("--lr", type=float, default=5e-5, help="peak learning rate")
    p.add_argument("--steps", type=int, required=True, help="optimizer steps in all (the schedule's length)")
    p.add_argument("--batch", type=int, default=8, help="pairs per step")
    p.add_argument("--warmup", type=int, default=10, help="learning-rate warm-up, optimizer steps")
    p.add_argument("--save-minutes", type=float, default=5.0, help="checkpoint this often")
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import torch

    from export.dialogue.smollm2_source import hf_checkpoint
    from export.dialogue.train_dialogue import _from_checkpoint

    if args.beta <= 0 or args.sft < 0 or args.steps < 1 or args.batch < 1:
        raise UserError("--beta must be > 0, --sft >= 0, --steps and --batch >= 1")
    pairs = read_pairs(args.pairs)
    meta = lora.read_meta(args.adapter)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model, tok = _from_checkpoint(hf_checkpoint() if meta["base"] == "smollm2" else Path(meta["base"]))
    lora.load_adapter(model, args.adapter)
    for name, p in model.named_parameters():
        p.requires_grad_(name.endswith((".lora_a", ".lora_b")))
    encoded = [encode_pair(tok, meta, p) for p in pairs]
    order = np.random.default_rng(args.seed).permutation(len(encoded))
    n_val = max(8, int(len(encoded) * VAL_SHARE))
    trainer = Trainer(args, meta, model, [encoded[i] for i in order[n_val:]], [encoded[i] for i in order[:n_val]])
    print(f"pairs: {len(encoded) - n_val} train, {n_val} validation; "
          f"{'resuming' if (args.out / STATE).is_file() else 'starting'} in {args.out}", file=sys.stderr)
    trainer.fit()
    return 0


def read_pairs(path: Path) -> list[dict]:
    try:
        pairs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as e:
        raise UserError(f"cannot read pairs from {path}: {e}", "write them with python -m export preference-items") from None
    bad = [i for i, p in enumerate(pairs, 1) if not all(isinstance(p.get(k), str) and p[k].strip()
                                                         for k in ("prompt", "chosen", "rejected"))]
    if bad or len(pairs) < 16:
        raise UserError(f"{path}: {'line ' + str(bad[0]) + ' lacks prompt/chosen/rejected' if bad else 'fewer than 16 pairs'}",
                        "write them with python -m export preference-items")
    return pairs


def encode_pair(tok, meta: dict, pair: dict) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """(chosen, rejected), each (ids (T,), scored (T,)): the whole prompt as the runtime builds it, the
    reply and its end token scored."""
    out = []
    for reply in (pair["chosen"], pair["rejected"]):
        s = dd.encode(tok, [[pair["prompt"], reply]], meta["prompt_format"], meta["system_prompt"], "assistant")
        out.append((s.ids, s.mask))
    return out[0], out[1]


def batch_logps(model, seqs: list[tuple[np.ndarray, np.ndarray]]):
    """Per sequence: (sum of the scored tokens' log-probabilities, number of scored tokens), as tensors (N,)."""
    import torch

    width = max(len(ids) for ids, _ in seqs)
    ids = torch.zeros((len(seqs), width), dtype=torch.long)
    scored = torch.zeros((len(seqs), width), dtype=torch.bool)
    attn = torch.zeros((len(seqs), width), dtype=torch.long)
    for i, (x, m) in enumerate(seqs):                      # right-padded: a causal model never sees the pad
        ids[i, :len(x)], scored[i, :len(x)], attn[i, :len(x)] = torch.from_numpy(x), torch.from_numpy(m), 1
    logits = model(input_ids=ids, attention_mask=attn).logits[:, :-1].float()        # (N, T-1, V)
    logp = torch.log_softmax(logits, -1).gather(-1, ids[:, 1:, None]).squeeze(-1)     # (N, T-1)
    mask = scored[:, 1:]
    return (logp * mask).sum(1), mask.sum(1)


class Trainer:
    def __init__(self, args, meta: dict, model, train: list, val: list):
        import torch

        self.args, self.meta, self.model, self.train, self.val = args, meta, model, train, val
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.opt = torch.optim.AdamW(self.params, lr=args.lr, betas=(0.9, 0.95), weight_decay=0.0)
        self.step, self.elapsed, self.history = 0, 0.0, []
        state = args.out / STATE
        if state.is_file():
            saved = torch.load(state, weights_only=True)
            lora.load_adapter_weights(model, args.out / lora.ADAPTER_FILE)
            self.opt.load_state_dict(saved["optimizer"])
            self.step, self.elapsed, self.history = saved["step"], saved["elapsed"], saved["history"]
            self.ref_train, self.ref_val = saved["ref_train"], saved["ref_val"]
        else:
            self.ref_train, self.ref_val = self.reference(train), self.reference(val)

    def reference(self, pairs: list):
        """Log-probabilities of (chosen, rejected) under the starting adapter: tensor (N, 2)."""
        import torch

        self.model.eval()
        rows = []
        with torch.no_grad():
            for k in range(0, len(pairs), 16):
                chunk = pairs[k:k + 16]
                lp, _ = batch_logps(self.model, [c for c, _ in chunk] + [r for _, r in chunk])
                rows.append(torch.stack([lp[:len(chunk)], lp[len(chunk):]], 1))
        return torch.cat(rows)

    def lr(self) -> float:
        return warmup_cosine(self.args.lr, self.step, self.args.warmup, self.step / self.args.steps)

    def losses(self, pairs: list, ref):
        """(loss, share of pairs the model prefers the right way round, mean reward margin)."""
        import torch.nn.functional as F

        lp, n = batch_logps(self.model, [c for c, _ in pairs] + [r for _, r in pairs])
        k = len(pairs)
        margin = self.args.beta * ((lp[:k] - ref[:, 0]) - (lp[k:] - ref[:, 1]))
        loss = -F.logsigmoid(margin).mean() + self.args.sft * (-lp[:k] / n[:k]).mean()
        margin = margin.detach()
        return loss, float((margin > 0).float().mean()), float(margin.mean())

    def fit(self) -> None:
        import torch

        last_save = time.monotonic()
        if self.step == 0:
            self.validate()
        while self.step < self.args.steps:
            t0 = time.monotonic()
            rng = np.random.default_rng([self.args.seed, self.step])
            idx = rng.choice(len(self.train), size=min(self.args.batch, len(self.train)), replace=False)
            for group in self.opt.param_groups:
                group["lr"] = self.lr()
            self.model.train()
            loss, acc, margin = self.losses([self.train[i] for i in idx], self.ref_train[torch.from_numpy(idx)])
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.params, 1.0)
            self.opt.step()
            self.step += 1
            self.elapsed += time.monotonic() - t0
            print(f"step {self.step}/{self.args.steps} ({self.elapsed / 60:.1f} min): loss {float(loss.detach()):.3f}, "
                  f"right way round {acc:.2f}, margin {margin:.3f}", file=sys.stderr)
            if self.step % 25 == 0 or self.step == self.args.steps:
                self.validate()
            if time.monotonic() - last_save > self.args.save_minutes * 60 or self.step == self.args.steps:
                self.save()
                last_save = time.monotonic()

    def validate(self) -> None:
        import torch

        self.model.eval()
        with torch.no_grad():
            parts = [self.losses(self.val[k:k + 16], self.ref_val[k:k + 16]) for k in range(0, len(self.val), 16)]
        w = [min(16, len(self.val) - k) for k in range(0, len(self.val), 16)]
        entry = {"step": self.step, "minutes": round(self.elapsed / 60, 2),
                 "val_loss": round(sum(float(p[0]) * n for p, n in zip(parts, w)) / len(self.val), 4),
                 "val_right_way_round": round(sum(p[1] * n for p, n in zip(parts, w)) / len(self.val), 3),
                 "val_margin": round(sum(p[2] * n for p, n in zip(parts, w)) / len(self.val), 4)}
        self.history.append(entry)
        print(f"validation at step {self.step}: {entry}", file=sys.stderr)

    def save(self) -> None:
        import torch

        report = {"command": "python -m export " + shlex.join(sys.argv[1:]), "adapter": str(self.args.adapter),
                  "pairs": str(self.args.pairs), "train_pairs": len(self.train), "val_pairs": len(self.val),
                  "beta": self.args.beta, "sft": self.args.sft, "lr": self.args.lr, "batch": self.args.batch,
                  "steps": self.step, "train_minutes": round(self.elapsed / 60, 2), "threads": self.args.threads,
                  "seed": self.args.seed, "history": self.history}
        with staged(self.args.out) as tmp:
            lora.save_adapter(self.model, tmp / lora.ADAPTER_FILE, self.meta)
            torch.save({"step": self.step, "elapsed": self.elapsed, "optimizer": self.opt.state_dict(),
                        "history": self.history, "ref_train": self.ref_train, "ref_val": self.ref_val}, tmp / STATE)
            (tmp / "training.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
