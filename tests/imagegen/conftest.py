from __future__ import annotations

import pytest

pytest.importorskip("torch")  # the tiny models are exported from torch here; the runtime itself never imports it


@pytest.fixture(scope="session")
def tiny_bundle(tmp_path_factory):
    from tests.imagegen.tiny import make_bundle
    return make_bundle(tmp_path_factory.mktemp("bundles") / "tiny")
