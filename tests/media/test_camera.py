"""Camera sources by URI: real OpenCV captures on real files, offline detection, reconnects."""

from __future__ import annotations

import os

import pytest

from edge_vdialog.errors import UserError
from edge_vdialog.media.camera import open_camera
from edge_vdialog.media.opencv_build import has_gstreamer
from edge_vdialog.media.sources import gstreamer_pipeline
from tests.silent_server import SilentServer
from tests.standins import wait_for, write_video


def test_file_source_delivers_frames_then_reports_the_end_and_reopens(tmp_path):
    video = write_video(tmp_path / "clip.mp4", frames=15)
    cam = open_camera(f"file://{video}?loop=0", reconnect_min_s=0.5, reconnect_max_s=0.5).start()
    try:
        assert wait_for(lambda: cam.latest() is not None)
        assert cam.latest().image.shape == (120, 160, 3)
        assert wait_for(lambda: "stream ended" in cam.status().message)  # offline for 0.5 s
        assert wait_for(lambda: cam.reconnects >= 1 and cam.status().online)
    finally:
        cam.close()


def test_looping_file_stays_online_and_frames_advance(tmp_path):
    video = write_video(tmp_path / "clip.mp4", frames=5)
    cam = open_camera(f"file://{video}", loop=True).start()
    try:
        assert wait_for(lambda: cam.latest() is not None and cam.latest().seq > 12)
        assert cam.status().online and cam.reconnects == 0
    finally:
        cam.close()


def test_device_that_disappears_and_returns(tmp_path):
    video = write_video(tmp_path / "clip.mp4", frames=10)
    cam = open_camera(f"file://{video}?loop=0", reconnect_min_s=0.05, reconnect_max_s=0.1).start()
    try:
        assert wait_for(lambda: cam.latest() is not None)
        os.rename(video, video + ".away")
        assert wait_for(lambda: "does not exist" in cam.status().message)
        os.rename(video + ".away", video)
        seq = cam.latest().seq
        assert wait_for(lambda: cam.latest().seq > seq and cam.status().online)
    finally:
        cam.close()


def test_camera_that_fails_to_open_is_offline_not_fatal():
    cam = open_camera("v4l2:///dev/video-missing", reconnect_min_s=0.05).start()
    try:
        assert wait_for(lambda: "does not exist" in cam.status().message)
        assert not cam.status().online and cam.latest() is None
    finally:
        cam.close()


def test_test_pattern_moves():
    cam = open_camera("test://?width=320&height=180&fps=60").start()
    try:
        assert wait_for(lambda: cam.latest() is not None and cam.latest().seq >= 3)
        first = cam.latest()
        assert wait_for(lambda: cam.latest().seq > first.seq)
        assert first.image.shape == (180, 320, 3)
        assert (cam.latest().image != first.image).any()
    finally:
        cam.close()


def test_none_and_unknown_schemes():
    assert open_camera("none") is None
    with pytest.raises(UserError) as e:
        open_camera("webcam://0")
    for example in ("v4l2:///dev/video0", "csi://0", "picam://0", "rtsp://", "file://", "test://"):
        assert example in str(e.value)


def test_csi_pipeline_and_missing_gstreamer_starts_degraded():
    pipeline = gstreamer_pipeline(1, 1280, 720, 30)
    assert pipeline.startswith("nvarguscamerasrc sensor-id=1 ") and "appsink" in pipeline
    if has_gstreamer():
        pytest.skip("this OpenCV has GStreamer")
    cam = open_camera("csi://0", reconnect_min_s=0.05).start()  # no exit: offline, retried
    try:
        assert wait_for(lambda: "GStreamer" in cam.status().message)
        assert not cam.status().online and cam.latest() is None
    finally:
        cam.close()


def test_picam_without_its_sdk_starts_degraded_and_names_its_extra():
    try:
        import picamera2  # noqa: F401
        pytest.skip("picamera2 is installed")
    except ImportError:
        pass
    cam = open_camera("picam://0", reconnect_min_s=0.05).start()
    try:
        assert wait_for(lambda: "edge-vdialog[picamera]" in cam.status().message)
        assert not cam.status().online
    finally:
        cam.close()


def test_rtsp_camera_that_never_answers_does_not_block_and_is_retried():
    server = SilentServer()
    try:
        cam = open_camera(f"rtsp://127.0.0.1:{server.port}/stream", reconnect_min_s=0.05,
                          timeout_s=1.0)
        assert server.accepted == []  # opening the source contacted nobody
        cam.start()
        try:
            assert wait_for(lambda: server.waiting() == 1)  # connected, unanswered...
            assert cam.status().message.endswith(": connecting")  # ...and the caller goes on
            assert wait_for(lambda: "cannot open stream" in cam.status().message)  # timed out
            assert wait_for(lambda: len(server.accepted) >= 2)  # and tried again
        finally:
            cam.close()
    finally:
        server.close()
