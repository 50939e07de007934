"""Tokenization with Hugging Face ``tokenizers`` and streaming detokenization that never splits a character."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from tokenizers import Tokenizer as HFTokenizer

from edge_vdialog.errors import BundleError

REPLACEMENT = "\ufffd"
"""What a decoder yields for the bytes of an incomplete UTF-8 character."""


class Tokenizer:
    """A ``tokenizer.json``; user text is encoded with special tokens treated as plain text."""

    def __init__(self, hf: HFTokenizer) -> None:
        self.hf = hf

    @classmethod
    def load(cls, path: Path) -> Tokenizer:
        try:
            return cls(HFTokenizer.from_file(str(path)))
        except Exception as e:  # tokenizers raises bare Exception subclasses for bad JSON
            raise BundleError(f"{path} is not a valid tokenizer.json: {str(e)[:200]}",
                              "rebuild the bundle") from None

    @property
    def vocab_size(self) -> int:
        """Ids this tokenizer can produce, added tokens included."""
        return self.hf.get_vocab_size(with_added_tokens=True)

    def encode_text(self, text: str) -> list[int]:
        """Ids of user-supplied text: ``<|endoftext|>`` typed by a person stays text, not a control token."""
        self.hf.encode_special_tokens = True
        try:
            return self.hf.encode(text, add_special_tokens=False).ids
        finally:
            self.hf.encode_special_tokens = False

    def encode_template(self, text: str) -> list[int]:
        """Ids of prompt-template text, whose special tokens (``<|im_start|>``) are recognized."""
        return self.hf.encode(text, add_special_tokens=False).ids

    def token_id(self, token: str) -> int | None:
        return self.hf.token_to_id(token)

    def one_token_ids(self, spellings: tuple[str, ...]) -> tuple[int, ...]:
        """The ids of those ``spellings`` that this vocabulary encodes as a single token (a sampler can ban
        those; a word of several tokens has no one token to ban)."""
        ids = {tuple(self.encode_text(spelling)) for spelling in spellings}
        return tuple(sorted(i[0] for i in ids if len(i) == 1))

    def decode(self, ids: list[int]) -> str:
        return self.hf.decode(ids, skip_special_tokens=True)

    def stream(self) -> TextStream:
        return TextStream(self)


class TextStream:
    """Turns token ids, one at a time, into text pieces that always end on a whole character.

    Byte-level tokens can hold part of a UTF-8 character (an emoji spans up to 4 tokens), so a piece
    is only released once its text no longer ends in U+FFFD. Decoding restarts a few tokens back
    (``_prefix``) so that tokenizers whose decoders depend on context (leading spaces) stay exact.
    """

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tok = tokenizer
        self.ids: list[int] = []
        self._prefix = 0      # first id of the window decoded each time
        self._read = 0        # ids up to here have been released as text

    def push(self, token_id: int) -> str:
        """Add one id; returns the newly complete text ('' while a character is incomplete)."""
        self.ids.append(token_id)
        done = self.tok.decode(self.ids[self._prefix:self._read])
        text = self.tok.decode(self.ids[self._prefix:])
        if len(text) <= len(done) or text.endswith(REPLACEMENT):
            return ""
        self._prefix, self._read = self._read, len(self.ids)
        return text[len(done):]

    def flush(self) -> str:
        """Text still held back at the end (an incomplete final character is dropped)."""
        done = self.tok.decode(self.ids[self._prefix:self._read])
        text = self.tok.decode(self.ids[self._prefix:])
        self._prefix = self._read = len(self.ids)
        return text[len(done):].rstrip(REPLACEMENT) if len(text) > len(done) else ""


def clean_text(text: str) -> str:
    """User text made safe to tokenize: valid UTF-8, no control characters except newline and tab."""
    try:   # undecodable bytes from argv/stdin arrive as surrogate escapes
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "replace")
    text = raw.decode("utf-8", "replace")
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc").strip()
