"""Logs: one record per line on stdout, plain (journald priority prefixes) or JSON; what visitors say
only when the owner asks for it."""

from __future__ import annotations

import io
import json
import logging

import pytest
from service_helpers import Kiosk, service_env

from edge_vdialog.service.logs import setup_logging
from edge_vdialog.settings import Logging
from edge_vdialog.telemetry import VISITOR_WORDS


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


def test_visitor_words_are_logged_only_when_asked(root_logger):
    for asked in (False, True):
        out = io.StringIO()
        setup_logging(Logging(visitor_words=asked), out)
        logging.getLogger(VISITOR_WORDS).info("turn 1: my name is Ada")
        logging.getLogger("edge_vdialog.app").info("turn 1 (typed): 14 characters")
        assert ("my name is Ada" in out.getvalue()) is asked and "14 characters" in out.getvalue()


def test_the_kiosk_does_not_write_down_what_visitors_type(tmp_path):
    kiosk = Kiosk(["--camera", "test://", "--mic", "none", "--display", "null://"],
                  service_env(EDGE_VDIALOG__ENGINES__PROVIDERS='["cpu"]'))
    try:
        kiosk.wait_line(r"ready: ")
        kiosk.type("my name is Ada Lovelace")
        kiosk.wait_line(r"turn 1: first token on screen")
        assert "turn 1 (typed): 23 characters" in kiosk.output()
        assert "Ada" not in kiosk.output()
    finally:
        kiosk.close()
