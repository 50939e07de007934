"""Typed input: lines from stdin, and keys pressed in the display window."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TextIO

QUIT_WORDS = ("q", "/quit")
ENTER, BACKSPACE, ESC = (10, 13), (8, 127), 27


class StdinReader:
    """Calls ``on_line(line)`` for each non-empty line; ``on_quit()`` for ``q``. EOF just ends it."""

    def __init__(self, on_line: Callable[[str], None], on_quit: Callable[[], None],
                 stream: TextIO | None = None) -> None:
        self.on_line, self.on_quit = on_line, on_quit
        self.stream = stream or sys.stdin
        self._thread = threading.Thread(target=self._run, name="stdin", daemon=True)

    def start(self) -> StdinReader:
        self._thread.start()
        return self

    def _run(self) -> None:
        for raw in self.stream:
            line = raw.strip()
            if line.lower() in QUIT_WORDS:
                self.on_quit()
                return
            if line:
                self.on_line(line)


class LineEditor:
    """Builds a line from window key codes: Enter sends it, Backspace deletes, Esc quits."""

    def __init__(self, on_line: Callable[[str], None], on_quit: Callable[[], None]) -> None:
        self.on_line, self.on_quit = on_line, on_quit
        self.text = ""
        """The line being typed."""

    def key(self, code: int) -> None:
        if code < 0:
            return
        code &= 0xFFFF  # some HighGUI backends add modifier bits above
        if code == ESC:
            self.on_quit()
        elif code in ENTER:
            line, self.text = self.text.strip(), ""
            if line.lower() in QUIT_WORDS:
                self.on_quit()
            elif line:
                self.on_line(line)
        elif code in BACKSPACE:
            self.text = self.text[:-1]
        elif 32 <= code < 0x110000 and chr(code).isprintable():
            self.text += chr(code)
