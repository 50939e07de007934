"""TensorRT plan logic without TensorRT: profiles, binding types, cache key, atomic write, rebuild."""

from __future__ import annotations

import pytest

from edge_vdialog.engines._trt_plan import (
    EngineCache,
    binding_dtype,
    cache_key,
    dialogue_profiles,
    static_profile,
)

GPT2 = {"input_ids": (-1, -1), "attention_mask": (-1, -1), "position_ids": (-1, -1),
        "past_key_values.0.key": (-1, 4, -1, 16), "past_key_values.0.value": (-1, 4, -1, 16)}


def test_prefill_and_decode_profiles_start_from_an_empty_cache():
    prefill, decode = dialogue_profiles(GPT2, max_context=128, max_prompt=48)
    assert prefill.shapes["input_ids"] == ((1, 1), (1, 48), (1, 48))
    assert prefill.shapes["past_key_values.0.key"] == ((1, 4, 0, 16), (1, 4, 0, 16), (1, 4, 127, 16))
    assert decode.shapes["input_ids"] == ((1, 1),) * 3
    assert decode.shapes["past_key_values.0.value"][0] == (1, 4, 0, 16)          # zero-length minimum
    assert decode.shapes["attention_mask"] == ((1, 1), (1, 65), (1, 128))
    with pytest.raises(ValueError, match="no profile rule"):
        dialogue_profiles({**GPT2, "token_type_ids": (-1, -1)}, 128, 48)


def test_static_profile_sets_the_batch_to_one():
    assert static_profile({"noise": (-1, 64)}).shapes["noise"] == ((1, 64),) * 3


def test_tensorrt_8_binds_int64_as_int32():
    assert binding_dtype(8, "int64") == "int32"
    assert binding_dtype(10, "int64") == "int64"
    assert binding_dtype(8, "float16") == "float16"


def test_cache_key_changes_with_everything_the_plan_depends_on():
    profiles = dialogue_profiles(GPT2, 128, 48)
    base = dict(onnx_sha256="a" * 64, versions={"tensorrt": "10.3.0", "cuda": "12.6", "l4t": "R36"},
                compute_capability="8.7", precision="fp16", profiles=profiles)
    key = cache_key(**base)
    assert cache_key(**base) == key
    changes = [{"onnx_sha256": "b" * 64}, {"versions": {**base["versions"], "tensorrt": "8.6.2"}},
               {"versions": {**base["versions"], "l4t": "R35"}}, {"compute_capability": "7.2"},
               {"precision": "int8"}, {"profiles": dialogue_profiles(GPT2, 256, 48)}]
    assert len({cache_key(**{**base, **c}) for c in changes} | {key}) == len(changes) + 1


def test_cache_builds_once_then_loads(tmp_path):
    cache, builds = EngineCache(tmp_path), []
    build = lambda: builds.append(1) or b"PLAN"
    load = lambda plan: plan.decode() if plan == b"PLAN" else None
    assert cache.load_or_build("model", "k1", build, load) == "PLAN"
    assert cache.load_or_build("model", "k1", build, load) == "PLAN"
    assert len(builds) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["model.k1.plan"]              # no temp file left


def test_a_plan_that_does_not_load_is_rebuilt(tmp_path):
    cache = EngineCache(tmp_path)
    cache.path("model", "k1").write_bytes(b"PLA")                                 # truncated
    assert cache.load_or_build("model", "k1", lambda: b"PLAN",
                               lambda p: "ok" if p == b"PLAN" else None) == "ok"
    assert cache.path("model", "k1").read_bytes() == b"PLAN"

    def raises(plan):
        raise RuntimeError("serialization version mismatch")
    cache.path("model", "k2").write_bytes(b"OLD")
    with pytest.raises(RuntimeError, match="built an engine for model it cannot load"):
        cache.load_or_build("model", "k2", lambda: b"NEW", lambda p: None if p == b"NEW" else raises(p))
    assert not cache.path("model", "k2").exists()                 # neither the bad nor the unloadable


def test_a_failed_build_leaves_no_file(tmp_path):
    def fails() -> bytes:
        raise RuntimeError("out of memory")
    with pytest.raises(RuntimeError, match="out of memory"):
        EngineCache(tmp_path).load_or_build("model", "k", fails, lambda p: p)
    assert list(tmp_path.iterdir()) == []
