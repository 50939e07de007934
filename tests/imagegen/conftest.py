from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def tiny_bundle(tmp_path_factory):
    pytest.importorskip("torch")  # the tiny generator is exported from torch; the runtime never imports it
    from tests.imagegen.tiny import make_bundle
    return make_bundle(tmp_path_factory.mktemp("bundles") / "tiny")
