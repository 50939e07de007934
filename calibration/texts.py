"""Text that looks like what the models see at run time: chat turns (replies) and prompts.

Source: PyPI ``chitchat-dataset`` (MIT; real human chats), installed with the ``export`` extra.
"""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from edge_vdialog.errors import UserError

if TYPE_CHECKING:
    from edge_vdialog.dialogue.prompt import PromptFormat


@functools.cache
def conversations() -> list[list[str]]:
    """Each conversation as its list of messages (consecutive messages of one speaker kept apart).

    Cached: the file is read once per process. Callers must not modify the lists."""
    try:
        import chitchat_dataset
    except ImportError:
        raise UserError("chitchat-dataset is not installed", "pip install chitchat-dataset==0.9.0") from None
    d = json.loads((Path(chitchat_dataset.__file__).parent / "dataset.json").read_text(encoding="utf-8"))
    return [[m["text"].strip() for turn in c["messages"] for m in turn if m["text"].strip()]
            for c in d.values()]


def reply_texts(n: int, seed: int = 0) -> list[str]:
    """``n`` chat messages, sampled with ``seed`` (what the picture generator is given)."""
    texts = [t for conv in conversations() for t in conv]
    return random.Random(seed).sample(texts, n)


def dialogue_prompts(n: int, seed: int = 0, turns: int = 3) -> list[list[str]]:
    """``n`` dialogue contexts: up to ``turns`` consecutive messages, the last one the person's to
    answer. Prompt ids come from the runtime's format (``edge_vdialog.dialogue.prompt.PromptFormat``),
    so calibration sees exactly what the kiosk feeds."""
    rng = random.Random(seed)
    convs = [c for c in conversations() if len(c) >= 2]
    out = []
    for conv in rng.sample(convs, n):
        end = rng.randrange(1, len(conv))
        out.append(conv[max(0, end - turns):end])
    return out


def prompt_ids(fmt: PromptFormat, context: Sequence[str], budget: int) -> list[int]:
    """The runtime's prompt ids for one dialogue context (as :func:`dialogue_prompts` returns it):
    the last message is the user's, the earlier ones alternate roles back from it (``ROLES`` of
    the training streams), and ``fmt.build`` drops the oldest that do not fit in ``budget`` tokens."""
    from edge_vdialog.dialogue.prompt import Message
    from export.dialogue.dialogue_data import ROLES

    n = len(context)
    history = [Message(ROLES[(n - 1 - k) % 2], text) for k, text in enumerate(context[:-1])]
    return fmt.build(history, Message(ROLES[0], context[-1]), budget)[0]
