"""Fixtures for the service tests."""

from __future__ import annotations

import pytest
from service_helpers import NotifyListener


@pytest.fixture
def notify_socket(tmp_path):
    listener = NotifyListener(str(tmp_path / "notify.sock"))
    yield listener
    listener.close()
