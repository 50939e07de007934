"""Logs: one record per line on stdout, plain (journald priority prefixes) or JSON."""

from __future__ import annotations

import io
import json
import logging

import pytest

from edge_vdialog.service.logs import setup_logging
from edge_vdialog.settings import Logging


@pytest.fixture
def root_logger():
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield root
    root.handlers[:], root.level = saved[0], saved[1]


def test_json_lines_with_level_filter(root_logger):
    out = io.StringIO()
    setup_logging(Logging(level="info", format="json"), out)
    log = logging.getLogger("edge_vdialog.test")
    log.debug("hidden")
    log.warning("camera offline: %s", "/dev/video0")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("turn failed")
    records = [json.loads(line) for line in out.getvalue().splitlines() if line.startswith("{")]
    assert [r["level"] for r in records] == ["warning", "error"]
    assert records[0]["msg"] == "camera offline: /dev/video0" and "ValueError: boom" in records[1]["exc"]


def test_plain_lines_under_journald_carry_priorities(root_logger, monkeypatch):
    monkeypatch.setenv("JOURNAL_STREAM", "8:12345")
    out = io.StringIO()
    setup_logging(Logging(level="debug", format="plain"), out)
    logging.getLogger("edge_vdialog.test").error("two\nlines")
    logging.getLogger("edge_vdialog.test").debug("detail")
    assert out.getvalue().splitlines() == ["<3>ERROR edge_vdialog.test: two", "<3>lines",
                                           "<7>DEBUG edge_vdialog.test: detail"]
