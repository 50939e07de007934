"""Conversation history, prompt formats and the token budget."""

from __future__ import annotations

from edge_vdialog.bundle import Bundle
from edge_vdialog.dialogue import Sampling, load_chat
from edge_vdialog.dialogue.prompt import Message

QUICK = Sampling(greedy=True, max_new_tokens=8)
SHORT = Sampling(greedy=True, max_new_tokens=1)
"""Replies short enough that a tiny model's 128 positions hold a few exchanges."""


def test_eos_turns_format(tiny):
    chat = load_chat(Bundle.load(tiny["gpt2_fp32"]))
    eos, enc = chat.fmt.eos_id, chat.tok.encode_text
    ids, dropped = chat.fmt.build([Message("user", "hi"), Message("assistant", "hello")], Message("user", "bye"), 100)
    assert ids == [eos] + enc("hi") + [eos] + enc("hello") + [eos] + enc("bye") + [eos] and dropped == 0


def test_chatml_format(tiny):
    chat = load_chat(Bundle.load(tiny["llama_fp32"]))
    ids, _ = chat.fmt.build([], Message("user", "hi <|im_end|>"), 100)
    text = chat.tok.hf.decode(ids, skip_special_tokens=False)
    assert text.startswith("<|im_start|>system\nYou are a test.<|im_end|>\n<|im_start|>user\nhi ")
    assert text.endswith("<|im_end|>\n<|im_start|>assistant\n")
    assert ids.count(chat.tok.token_id("<|im_end|>")) == 2   # the typed one stays plain text


def test_budget_drops_oldest_turns(tiny):
    chat = load_chat(Bundle.load(tiny["gpt2_fp32"]))
    history = [Message("user" if i % 2 == 0 else "assistant", f"turn number {i} " * 3) for i in range(20)]
    ids, dropped = chat.fmt.build(history, Message("user", "newest"), 60)
    assert len(ids) <= 60 and 0 < dropped < 20
    assert chat.tok.decode(ids).endswith("turn number 19 turn number 19 turn number 19 newest")


def test_long_input_keeps_newest_text(tiny):
    chat = load_chat(Bundle.load(tiny["gpt2_fp32"]))
    text = "hello there " * 9000 + "THE END"                # ~100 kB
    ids, _ = chat.fmt.build([], Message("user", text), 50)
    assert len(ids) <= 50 and chat.tok.decode(ids).endswith("hello there THE END")
    reply = "".join(chat.send(text, QUICK))                   # and the model answers it
    assert isinstance(reply, str) and chat.decoder.length <= chat.decoder.max_context


def test_history_keeps_the_newest_exchanges_and_resets(tiny):
    """The history is what the next prompt starts from: the newest exchanges, in order. Those that
    compaction dropped are not kept (a 1,000-turn kiosk conversation held all 2,000 messages)."""
    chat = load_chat(Bundle.load(tiny["gpt2_fp32"]))           # 128 positions: a few exchanges
    said = [f"turn {i}" for i in range(12)]
    for n, text in enumerate(said, 1):
        "".join(chat.send(text, SHORT))
        users = [m.text for m in chat.history if m.role == "user"]
        assert users == said[n - len(users):n] and users and chat.history == chat.kept
    assert len(chat.history) < len(said)                      # compacted away, not kept
    prompt, dropped = chat.fmt.build(chat.history, Message("user", "next"), chat.decoder.max_context)
    assert dropped == 0 and users[0] in chat.tok.decode(prompt)
    chat.reset()
    assert chat.history == []


def test_context_never_overflows(tiny):
    chat = load_chat(Bundle.load(tiny["gpt2_fp32"]))
    chat.eos_ids = set()
    for i in range(12):                                       # 12 x (prompt + 30) > 128 positions
        "".join(chat.send(f"message {i} hello there", Sampling(seed=i, max_new_tokens=30)))
        assert chat.decoder.length <= 128


def test_reply_cancelled_before_its_first_word_leaves_no_trace(tiny):
    import threading

    chat = load_chat(Bundle.load(tiny["gpt2_fp32"]))
    "".join(chat.send("first", SHORT))
    cancel = threading.Event()
    cancel.set()                                              # barge-in before the first token
    assert "".join(chat.send("interrupted", QUICK, cancel=cancel)) == ""
    assert [m.text for m in chat.history if m.role == "user"] == ["first"]
    assert all(m.text for m in chat.history)                  # no empty assistant messages


def test_first_token_is_never_eos(tiny):
    chat = load_chat(Bundle.load(tiny["gpt2_fp32"]))
    first = chat.decoder.feed                                  # make eos the model's favourite
    eos = chat.fmt.eos_id

    def eos_first(ids):
        logits = first(ids)
        logits[eos] = logits.max() + 100.0
        return logits
    chat.decoder.feed = eos_first
    assert list(chat.tokens(chat.tok.encode_text("hello"), QUICK, 4))[:1] != []   # still answers


class CountingDecoder:
    """The real decoder, with the number of tokens each ``feed`` call ran."""

    def __init__(self, decoder) -> None:
        self.inner, self.fed = decoder, []

    def feed(self, ids):
        self.fed.append(len(ids))
        return self.inner.feed(ids)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_long_conversations_keep_a_cached_prefix(tiny):
    """Past the context limit, a turn's prefill holds only its own line and the previous reply:
    the history is compacted after a reply, not re-read at the start of every turn."""
    chat = load_chat(Bundle.load(tiny["gpt2_fp32"]))           # 128-token context
    chat.eos_ids = set()
    chat.decoder = counting = CountingDecoder(chat.decoder)
    prefills, sampling = [], Sampling(seed=0, max_new_tokens=8)
    for i in range(40):
        before = len(counting.fed)
        "".join(chat.send(f"line {i} hello", sampling))
        prefills.append(counting.fed[before])
        assert chat.decoder.length <= 128
    assert len(chat.history) < 2 * 40                         # the context did overflow
    assert max(prefills[1:]) <= 64, prefills   # at most half the context (without compaction: 109)


def test_system_prompt_is_prefilled_once_at_load(tiny):
    chat = load_chat(Bundle.load(tiny["llama_fp32"]))             # chatml with a system prompt
    head = len(chat.fmt.head)
    assert head > 1 and chat.decoder.length == head
    chat.decoder = counting = CountingDecoder(chat.decoder)
    ids, _ = chat.fmt.build([], Message("user", "hi"), 100)
    "".join(chat.send("hi", QUICK))
    assert counting.fed[0] == len(ids) - head                       # only the turn's own tokens
