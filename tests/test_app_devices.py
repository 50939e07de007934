"""The kiosk with faulty devices: it starts and answers typed input while a camera is still
connecting, and reports (rather than pretends to show) frames a display could not write."""

from __future__ import annotations

from edge_vdialog.media.camera import open_camera
from edge_vdialog.media.sinks import open_sink
from tests.silent_server import SilentServer
from tests.standins import wait_for
from tests.test_app import compositor, running  # noqa: F401  (fixtures)


def test_typed_input_is_answered_while_a_network_camera_is_still_connecting(running):  # noqa: F811
    server = SilentServer()
    try:
        camera = open_camera(f"rtsp://127.0.0.1:{server.port}/stream")  # default open timeout
        kiosk = running(camera=camera)
        assert wait_for(lambda: server.waiting() == 1)  # the camera waits for an answer...
        turn = kiosk.submit("hello there")
        assert wait_for(lambda: turn.first_token_s is not None)  # ...the kiosk does not
        assert server.waiting() == 1 and camera.status().message.endswith(": connecting")
        assert wait_for(lambda: "connecting" in kiosk.telemetry.degraded().get("camera", ""))
    finally:
        server.close()


def test_unwritable_video_output_is_degraded_and_claims_no_frames(running, tmp_path):  # noqa: F811
    blocker = tmp_path / "out"
    blocker.write_text("a file where the output directory should be")
    kiosk = running(sink=open_sink(f"file://{blocker}/kiosk.mp4", retry_s=0.2))
    turn = kiosk.submit("hello there")
    assert turn.done.wait(10)
    assert wait_for(lambda: "cannot write video" in kiosk.telemetry.degraded().get("display", ""))
    assert turn.first_token_s is None and not kiosk.frame_times  # nothing was on screen
    blocker.unlink()
    blocker.mkdir()  # writable again: frames go out, the reply with them
    assert wait_for(lambda: turn.first_token_s is not None)
    assert wait_for(lambda: "display" not in kiosk.telemetry.degraded())
