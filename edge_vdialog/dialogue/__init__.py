"""Dialogue: a decoder-only model from a bundle, run token by token with a KV cache.

    chat = load_chat(bundle)                       # Bundle with a ``dialogue`` component
    for piece in chat.send("hi!", Sampling(seed=1)):
        print(piece, end="", flush=True)

Runtime dependencies only: numpy, tokenizers, and the chosen backend (see :mod:`edge_vdialog.engines`).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from edge_vdialog.bundle import Bundle, Component
from edge_vdialog.dialogue.chat import Conversation
from edge_vdialog.dialogue.prompt import FORMATS, PromptFormat
from edge_vdialog.dialogue.sampling import Sampling
from edge_vdialog.dialogue.tokenizer import Tokenizer
from edge_vdialog.engines import EngineOptions, dialogue_loader, open_decoder
from edge_vdialog.errors import BundleError

__all__ = ["Conversation", "Sampling", "load_chat", "load_dialogue"]

MIN_CONTEXT = 32
"""Fewest tokens a dialogue cache may hold: a prompt head, a short line and a short reply."""


def load_chat(bundle: Bundle, options: EngineOptions = EngineOptions(), max_context: int | None = None,
              warm_up: bool = True) -> Conversation:
    """A :class:`Conversation` on the bundle's ``dialogue`` component (files verified first)."""
    return load_dialogue(bundle, bundle.component("dialogue", verify=False), options, max_context, warm_up)


def load_dialogue(bundle: Bundle, comp: Component, options: EngineOptions,
                  max_context: int | None = None, warm_up: bool = True) -> Conversation:
    """Loader of ``causal-lm`` components (see :mod:`edge_vdialog.loaders`).

    ``max_context`` caps the tokens kept (prompt + reply); default: the bundle's limit.
    ``warm_up`` runs one throw-away prefill while loading (see :meth:`Conversation.warm_up`).
    A backend that generates elsewhere loads its own dialogue (:func:`~edge_vdialog.engines.dialogue_loader`).
    """
    own = dialogue_loader(options)
    if own is not None:
        return own(bundle, comp, options)
    chat = _while_verifying(comp, lambda: _load(comp, options, max_context))
    if warm_up:
        chat.warm_up()
    return chat


def _while_verifying(comp: Component, load: Callable[[], Conversation]) -> Conversation:
    """Run ``load`` while the component's files are checked against their sha256 in a thread
    (hashing releases the GIL), so the check costs no start-up time; a failed check wins."""
    with ThreadPoolExecutor(1) as pool:
        check = pool.submit(comp.verify)
        try:
            chat = load()
        except Exception:
            check.result()              # a corrupt or missing file explains the failure best
            raise
        check.result()
    return chat


@dataclass(frozen=True)
class DialogueConfig:
    """A ``causal-lm`` component's ``config``, validated."""

    eos_ids: list[int]
    max_context: int
    """Tokens the cache holds, at most the model's own limit (``model_max_context``)."""
    prompt_format: str
    stop: list[str]
    system_prompt: str
    shared_kv: bool

    @classmethod
    def read(cls, comp: Component, vocab_size: int) -> DialogueConfig:
        cfg, where = comp.config, f"bundle {comp.root}: dialogue config"
        try:
            eos = [int(i) for i in cfg["eos_token_ids"]]
            ctx = int(cfg.get("max_context", 1024))
            limit = int(cfg.get("model_max_context", ctx))
            fmt, stop = str(cfg.get("prompt_format", "eos-turns")), [str(s) for s in cfg.get("stop", [])]
        except (KeyError, TypeError, ValueError) as e:
            raise BundleError(f"{where} is incomplete ({e})", "rebuild the bundle") from None
        problems = [p for p, bad in (
            (f"eos_token_ids {eos} must name 1 or more ids below the vocabulary size {vocab_size}",
             not eos or any(not 0 <= i < vocab_size for i in eos)),
            (f"max_context {ctx} must be from {MIN_CONTEXT} to the model's limit {limit}",
             not MIN_CONTEXT <= ctx <= limit),
            (f"prompt_format {fmt!r} is not one of {', '.join(FORMATS)}", fmt not in FORMATS),
        ) if bad]
        if problems:
            raise BundleError(f"{where}: " + "; ".join(problems), "rebuild the bundle")
        return cls(eos, ctx, fmt, stop, str(cfg.get("system_prompt", "")),
                   cfg.get("kv_cache") == "shared-buffer")


def _load(comp: Component, options: EngineOptions, max_context: int | None) -> Conversation:
    tok = Tokenizer.load(comp.path("tokenizer"))
    cfg = DialogueConfig.read(comp, tok.vocab_size)
    ctx = min(cfg.max_context, max_context or cfg.max_context)
    fmt = PromptFormat(cfg.prompt_format, tok, cfg.eos_ids[0], cfg.system_prompt)
    if len(fmt.head) > ctx // 2:                  # checked before the model's session is built
        raise BundleError(f"bundle {comp.root}: the system prompt takes {len(fmt.head)} tokens, more than "
                          f"half of the {ctx}-token context", "shorten it or raise max_context")
    decoder = open_decoder(comp.path("model"), ctx, options, shared_kv=cfg.shared_kv)
    return Conversation(decoder, tok, fmt, cfg.eos_ids, cfg.stop)
