"""``edge-vdialog run``: the kiosk, as a person meets it (and as systemd runs it).

SIGTERM, SIGINT and SIGHUP (terminal closed, ``systemctl kill -s HUP``) all stop it cleanly:
outputs are finalized (a ``file://`` video stays playable) and the exit status is 0. There is no
reload: restart the service to apply a changed configuration.
"""

from __future__ import annotations

import argparse
import signal
from pathlib import Path

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
"""Each stops the kiosk cleanly (see the module doc)."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run the kiosk: camera, microphone, dialogue, pictures, display")
    p.add_argument("--config", type=Path, default=None, metavar="FILE",
                   help="TOML settings (default: $EDGE_VDIALOG_CONFIG or /etc/edge-vdialog/config.toml)")
    p.add_argument("--camera", metavar="URI", help="v4l2:///dev/video0 | 0 | csi://0 | picam://0 | "
                   "rtsp://... | file://video.mp4 | test:// | none")
    p.add_argument("--mic", metavar="URI", help="mic://default | wav://file.wav | none")
    p.add_argument("--display", metavar="URI", help="display://0 | fb:///dev/fb0 | file://out.mp4 | "
                   "png://DIR | null://")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from edge_vdialog.assemble import build_kiosk, check_endpoints, load_models
    from edge_vdialog.media.typed import StdinReader
    from edge_vdialog.service import start_service
    from edge_vdialog.service.logs import setup_logging
    from edge_vdialog.settings import load_settings
    from edge_vdialog.telemetry import Telemetry

    settings = load_settings(args.config, {"camera.uri": args.camera, "mic.uri": args.mic,
                                           "display.uri": args.display})
    setup_logging(settings.logging)
    check_endpoints(settings)
    telemetry = Telemetry()
    telemetry.set_state("loading")
    service = start_service(settings, telemetry)
    try:
        kiosk = build_kiosk(settings, telemetry, load_models(settings))

        def on_signal(signum, frame) -> None:
            service.stopping()
            kiosk.stop()
        for signum in STOP_SIGNALS:
            signal.signal(signum, on_signal)
        StdinReader(kiosk.submit, kiosk.stop).start()
        kiosk.run(on_running=service.ready)
    finally:
        service.stop()
    return 0
