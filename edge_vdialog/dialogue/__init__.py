"""Dialogue: a decoder-only model from a bundle, run token by token with a KV cache.

    chat = load_chat(bundle)                       # Bundle with a ``dialogue`` component
    for piece in chat.send("hi!", Sampling(seed=1)):
        print(piece, end="", flush=True)

Runtime dependencies only: numpy, onnxruntime, tokenizers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from edge_vdialog.bundle import Bundle, Component
from edge_vdialog.dialogue.chat import Chat
from edge_vdialog.dialogue.decoder import KVDecoder
from edge_vdialog.dialogue.prompt import PromptFormat
from edge_vdialog.dialogue.sampling import Sampling
from edge_vdialog.dialogue.tokenizer import Tokenizer
from edge_vdialog.errors import BundleError

__all__ = ["Chat", "Sampling", "load_chat"]


def load_chat(bundle: Bundle, providers: Sequence[str] = ("cpu",), threads: int | None = None,
              max_context: int | None = None, warm_up: bool = True, spinning: bool = True) -> Chat:
    """A :class:`Chat` on the bundle's ``dialogue`` component (files verified first).

    ``threads``, ``spinning``: see :func:`edge_vdialog.engines.ort.session_options`.
    ``max_context`` caps the tokens kept (prompt + reply); default: the bundle's limit.
    ``warm_up`` runs one throw-away prefill while loading (see :meth:`Chat.warm_up`).
    """
    comp = bundle.component("dialogue", verify=False)
    chat = _while_verifying(comp, lambda: _load(comp, providers, threads, max_context, spinning))
    if warm_up:
        chat.warm_up()
    return chat


def _while_verifying(comp: Component, load: Callable[[], Chat]) -> Chat:
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


def _load(comp: Component, providers: Sequence[str], threads: int | None, max_context: int | None,
          spinning: bool) -> Chat:
    from edge_vdialog.engines import open_engine

    cfg = comp.config
    try:
        eos_ids = [int(i) for i in cfg["eos_token_ids"]]
        ctx = int(cfg.get("max_context", 1024))
        fmt_name, stop = str(cfg.get("prompt_format", "eos-turns")), list(cfg.get("stop", []))
    except (KeyError, TypeError, ValueError) as e:
        raise BundleError(f"bundle {comp.root}: dialogue config is incomplete ({e})",
                          "rebuild the bundle") from None
    tok = Tokenizer.load(comp.path("tokenizer"))
    engine = open_engine(comp.path("model"), providers=providers, threads=threads, spinning=spinning)
    session = getattr(engine, "session", None)
    if session is None:
        raise BundleError("the dialogue decoder needs the ONNX Runtime backend", "use backend ort")
    decoder = KVDecoder(session, min(ctx, max_context or ctx), where=str(comp.path("model")),
                        shared=cfg.get("kv_cache") == "shared-buffer")
    fmt = PromptFormat(fmt_name, tok, eos_ids[0], str(cfg.get("system_prompt", "")))
    return Chat(decoder, tok, fmt, eos_ids, stop, engine.provider)
