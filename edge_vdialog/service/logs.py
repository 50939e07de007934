"""Logs to stdout, one record per line, at the configured level; journald picks them up.

``plain``: ``LEVEL logger: message``; under journald (``$JOURNAL_STREAM`` set) each line starts
with the sd-daemon(3) priority prefix ``<N>`` so ``journalctl -p`` filters by level, and the
timestamp is left to the journal. ``json``: one object per line with ``ts`` (Unix seconds),
``level``, ``logger``, ``msg`` and ``exc`` when there is a traceback.

What visitors say goes to its own logger, :data:`VISITOR_WORDS`, which writes nothing unless
``[logging] visitor_words`` is on.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import TextIO

from edge_vdialog.settings import Logging
from edge_vdialog.telemetry import VISITOR_WORDS

PRIORITY = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3,
            logging.CRITICAL: 2}
"""Python level -> syslog priority (sd-daemon(3))."""


class JournalFormatter(logging.Formatter):
    def __init__(self, journald: bool) -> None:
        fmt = "%(levelname)s %(name)s: %(message)s"
        super().__init__(fmt if journald else "%(asctime)s " + fmt)
        self.journald = journald

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if not self.journald:
            return text
        prefix = f"<{PRIORITY.get(record.levelno, 6)}>"
        return "\n".join(prefix + line for line in text.splitlines())


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": round(record.created, 3), "level": record.levelname.lower(),
               "logger": record.name, "msg": record.getMessage()}
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def setup_logging(cfg: Logging, stream: TextIO | None = None) -> None:
    """Replace the root handlers with one stdout handler per ``cfg`` (level, format)."""
    handler = logging.StreamHandler(stream or sys.stdout)
    journald = bool(os.environ.get("JOURNAL_STREAM"))
    handler.setFormatter(JsonFormatter() if cfg.format == "json" else JournalFormatter(journald))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(cfg.level.upper())
    logging.getLogger(VISITOR_WORDS).disabled = not cfg.visitor_words
