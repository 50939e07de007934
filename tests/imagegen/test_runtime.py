"""The picture runtime on a tiny real bundle: shapes, seeding, text edge cases, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from edge_vdialog.bundle import Bundle
from edge_vdialog.errors import BundleError, UserError
from edge_vdialog.imagegen import load_image_generator


@pytest.fixture(scope="module")
def gen(tiny_bundle):
    return load_image_generator(Bundle.load(tiny_bundle))


def test_picture_is_64x64_rgb_uint8(gen):
    image = gen.generate("a red apple", seed=1)
    assert image.shape == (64, 64, 3) and image.dtype == np.uint8


def test_same_seed_same_picture_other_seed_or_text_differs(gen):
    a = gen.generate("a red apple", seed=7)
    assert np.array_equal(a, gen.generate("a red apple", seed=7))
    assert not np.array_equal(a, gen.generate("a red apple", seed=8))
    assert not np.array_equal(a, gen.generate("a rainy day", seed=7))


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_gives_the_neutral_picture(gen, text):
    image = gen.generate(text, seed=3)
    assert image.shape == (64, 64, 3) and np.all(image == 245)


@pytest.mark.parametrize("text", ["你好，世界", "Привет, как дела?", "🍎🌧️", "x" * 20000,
                                  "the cat " * 3000, "\x00\x01 control", "ﬁ Ω ∑ é"])
def test_any_language_and_long_text_work(gen, text):
    image = gen.generate(text, seed=1)
    assert image.shape == (64, 64, 3)


def test_long_text_is_truncated_to_max_tokens(gen):
    ids_long = gen.encoder.tokenizer.encode("the cat " * 3000).ids
    assert len(ids_long) == gen.encoder.max_tokens == 16


def test_embeddings_are_unit_vectors(gen):
    emb = gen.encoder.encode(["a red apple", "你好", "sad dog"])
    assert emb.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, rtol=1e-4)


def test_random_seed_when_none(gen):
    assert gen.generate("a cat").shape == (64, 64, 3)


def test_bad_input_is_a_user_error(gen):
    with pytest.raises(UserError, match="string"):
        gen.generate(None)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="seed"):
        gen.generate("a cat", seed=-1)


def test_bundle_without_generator_is_reported(tmp_path, tiny_bundle):
    import json
    import shutil
    root = tmp_path / "partial"
    shutil.copytree(tiny_bundle, root)
    manifest = json.loads((root / "manifest.json").read_text())
    del manifest["components"]["generator"]
    (root / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match="no 'generator' component"):
        load_image_generator(Bundle.load(root))


def test_corrupt_generator_file_is_reported(tmp_path, tiny_bundle):
    import shutil
    root = tmp_path / "corrupt"
    shutil.copytree(tiny_bundle, root)
    (root / "generator" / "generator.onnx").write_bytes(b"not onnx")
    with pytest.raises(BundleError, match="generator"):
        load_image_generator(Bundle.load(root))


@pytest.mark.parametrize("field,value,says", [
    ("tokenizer", b"{ garbage", "is not a usable tokenizer.json"),
    ("config", {"max_tokens": 0}, "max_tokens 0"),
])
def test_bad_text_encoder_is_reported(tmp_path, tiny_bundle, field, value, says):
    import json
    import shutil

    from edge_vdialog.bundle import sha256_file
    root = tmp_path / "bad"
    shutil.copytree(tiny_bundle, root)
    manifest = json.loads((root / "manifest.json").read_text())
    comp = manifest["components"]["text_encoder"]
    if field == "tokenizer":                     # garbage, but with a matching sha256: not "corrupt"
        path = root / comp["files"]["tokenizer"]["path"]
        path.write_bytes(value)
        comp["files"]["tokenizer"].update(sha256=sha256_file(path), size=len(value))
    else:
        comp["config"].update(value)
    (root / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match=says):
        load_image_generator(Bundle.load(root))
