"""backend = "tensorrt" without TensorRT (this machine): the kiosk runs on ONNX Runtime CPU and says so."""

from __future__ import annotations

import importlib.util
import threading

import pytest

from edge_vdialog.engines import EngineOptions, open_decoder, open_engine


def test_without_tensorrt_each_step_falls_back_with_its_reason(tiny, caplog):
    if importlib.util.find_spec("tensorrt"):
        pytest.skip("TensorRT is installed here: the fallback is not what runs")
    from edge_vdialog.bundle import Bundle
    path = Bundle.load(tiny["gpt2_fp32"]).component("dialogue").path("model")
    with caplog.at_level("WARNING"):
        dec = open_decoder(path, 32, EngineOptions(backend="tensorrt", threads=1), shared_kv=True)
    assert dec.provider.startswith("CPUExecutionProvider (TensorRT fallback: TensorRT: ")
    assert "shared buffer" in dec.provider and "ONNX Runtime GPU" in dec.provider
    assert dec.feed([5, 6]).shape == (dec.vocab,)                  # and it works
    assert "TensorRT unavailable" in caplog.text and "running on the CPU" in caplog.text
    engine = open_engine(path, EngineOptions(backend="tensorrt", cache_dir=None))
    assert "cache_dir" in engine.provider or "TensorRT's Python bindings" in engine.provider


def test_kiosk_on_the_tensorrt_backend_answers_and_reports_degraded(tmp_path):
    from edge_vdialog.assemble import build_kiosk, load_models
    from edge_vdialog.media.sinks import open_sink
    from edge_vdialog.service import ServiceHandle
    from edge_vdialog.service.notify import Notifier
    from edge_vdialog.settings import load_settings
    from edge_vdialog.telemetry import Telemetry

    env = {"EDGE_VDIALOG__ENGINES__BACKEND": "tensorrt", "EDGE_VDIALOG__ENGINES__CACHE_DIR": str(tmp_path),
           "EDGE_VDIALOG__CAMERA__URI": "none", "EDGE_VDIALOG__MIC__URI": "none",
           "EDGE_VDIALOG__VOICE__OUTPUT": "none", "EDGE_VDIALOG__DISPLAY__URI": "null://",
           "EDGE_VDIALOG__DIALOGUE__MAX_NEW_TOKENS": "8"}
    settings = load_settings(None, environ=env)
    telemetry = Telemetry()
    kiosk = build_kiosk(settings, telemetry, load_models(settings), sink=open_sink("null://", fps=30.0))
    reason = telemetry.degraded()["backend"]
    assert reason.startswith("TensorRT backend not running: CPUExecutionProvider (TensorRT fallback:")
    handle = ServiceHandle(settings, telemetry, Notifier(None))
    handle.ready()
    assert reason in handle.reasons() and "degraded: TensorRT backend not running" in handle.status()
    thread = threading.Thread(target=kiosk.run)
    thread.start()
    try:
        turn = kiosk.submit("hello there")
        assert turn.done.wait(60) and turn.reply and not turn.error
    finally:
        kiosk.stop()
        thread.join(10)
