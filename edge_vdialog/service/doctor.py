"""Checks behind ``edge-vdialog doctor``: each returns a :class:`Check`; none raises.

``fail`` means the kiosk cannot work as configured (the command exits 1); ``warn`` means it
runs degraded or differently than configured; ``skip`` means the check does not apply.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from edge_vdialog.bundle import (
    MANIFEST,
    Bundle,
    default_bundle_dir,
    default_dialogue_bundle_dir,
)
from edge_vdialog.errors import BundleError, UserError
from edge_vdialog.service.health import provider_fallback
from edge_vdialog.settings import Settings

RUNTIME_OVERHEAD_BYTES = 400 * 2**20
"""Resident memory of the app without models (Python, OpenCV, ONNX Runtime, frame buffers)."""
MODEL_FACTOR = 2.0
"""Resident bytes per byte of model file once a session is built (weights + arena), measured ~1.5-2."""


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | warn | fail | skip
    detail: str
    fix: str = ""


def run_checks(settings: Settings) -> list[Check]:
    checks: list[Callable[[Settings], Check]] = [
        check_dialogue_bundle, check_imagegen_bundle, check_providers, check_camera,
        check_mic, check_display, check_fonts, check_memory, check_unit]
    return [_guarded(c, settings) for c in checks]


def _guarded(check: Callable[[Settings], Check], settings: Settings) -> Check:
    name = check.__name__.removeprefix("check_").replace("_", " ")
    try:
        return check(settings)
    except UserError as e:
        return Check(name, "fail", e.message, e.hint or "")
    except Exception as e:  # a broken probe must not hide the other checks
        return Check(name, "fail", f"{type(e).__name__}: {e}", "report this with the output above")


def _bundle_check(name: str, root: Path, components: tuple[str, ...]) -> Check:
    try:
        bundle = Bundle.load(root)
    except BundleError as e:
        return Check(name, "fail", e.message, f"run `make models`, or set [{name.split()[0]}] bundle")
    size = 0
    for comp in components:
        c = bundle.component(comp)  # verifies sha256 of every file
        size += sum(f.size for f in c.files.values())
    return Check(name, "ok", f"{root}: {', '.join(components)} verified ({size / 1e6:.1f} MB)")


def dialogue_dir(settings: Settings) -> Path:
    return settings.dialogue.bundle or default_dialogue_bundle_dir()


def imagegen_dir(settings: Settings) -> Path:
    return settings.imagegen.bundle or default_bundle_dir()


def check_dialogue_bundle(settings: Settings) -> Check:
    return _bundle_check("dialogue bundle", dialogue_dir(settings), ("dialogue",))


def check_imagegen_bundle(settings: Settings) -> Check:
    if not settings.imagegen.enabled:
        return Check("imagegen bundle", "skip", "[imagegen] enabled = false")
    return _bundle_check("imagegen bundle", imagegen_dir(settings), ("text_encoder", "generator"))


def check_providers(settings: Settings) -> Check:
    """Build a real session on the dialogue model and report the provider that runs it."""
    from edge_vdialog.engines import open_engine

    wanted = settings.engines.providers
    if not (dialogue_dir(settings) / MANIFEST).is_file():
        return Check("providers", "skip", "no dialogue bundle to try them on")
    model = Bundle.load(dialogue_dir(settings)).component("dialogue", verify=False).path("model")
    engine = open_engine(model, settings.engines.options())
    import onnxruntime as ort

    detail = f"runs on {engine.provider}; onnxruntime offers {', '.join(ort.get_available_providers())}"
    if provider_fallback(settings.engines, engine.provider):
        return Check("providers", "warn", detail, f"'{wanted[0]}' is not usable here: install its "
                     "runtime (onnxruntime-gpu, TensorRT), or leave [engines] providers unset "
                     "(first available wins)")
    return Check("providers", "ok", detail)


def check_camera(settings: Settings, timeout_s: float = 5.0) -> Check:
    from edge_vdialog.media.camera import (
        open_camera,  # the kiosk's own sources (helper D)
    )

    c = settings.camera
    source = open_camera(c.uri, c.width, c.height, c.fps, c.loop, c.reconnect_min_s,
                         c.reconnect_max_s)
    if source is None:
        return Check("camera", "skip", "[camera] uri = none")
    source.start()
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and ((f := source.latest()) is None or f.seq < 3):
            time.sleep(0.05)
        frame, status = source.latest(), source.status()
    finally:
        source.close()
    if frame is None or frame.seq < 3:
        return Check("camera", "fail", f"{status.message or c.uri}: no frames within {timeout_s:g} s",
                     "plug in or power the camera (`v4l2-ctl --list-devices`), or set [camera] uri")
    h, w = frame.image.shape[:2]
    return Check("camera", "ok", f"{c.uri}: {w}x{h} frames arrive")


def check_mic(settings: Settings) -> Check:
    uri = settings.mic.uri.strip()
    if uri.lower() == "none":
        return Check("microphone", "skip", "[mic] uri = none (typed input only)")
    if uri.startswith("wav://"):
        path = Path(uri[len("wav://"):])
        ok = path.is_file() and os.access(path, os.R_OK)
        return Check("microphone", "ok" if ok else "fail", f"{path} {'readable' if ok else 'missing'}",
                     "" if ok else "fix [mic] uri")
    try:
        import sounddevice as sd
    except (ImportError, OSError) as e:
        return Check("microphone", "fail", f"sounddevice unusable: {e}",
                     "apt-get install libportaudio2; pip install 'edge-vdialog[audio]'")
    inputs = [d["name"] for d in sd.query_devices() if d["max_input_channels"] > 0]
    if not inputs:
        return Check("microphone", "fail", "no audio input device",
                     "plug in a microphone (check `arecord -l`) or set [mic] uri = \"none\"")
    return Check("microphone", "ok", f"{len(inputs)} input(s): {', '.join(inputs[:3])}")


def check_display(settings: Settings) -> Check:
    uri = settings.display.uri.strip()
    if uri.startswith("display://"):
        from edge_vdialog.media.sinks import SCHEMES
        from edge_vdialog.media.uri import parse_uri
        from edge_vdialog.media.window import x_display  # the kiosk's own probe

        return Check("display", "ok", f"{uri}: X display {x_display(parse_uri(uri, 'display', SCHEMES))} "
                     "answers")
    if uri.startswith("fb://"):
        fb = Path(uri[len("fb://"):] or "/dev/fb0")
        ok = fb.exists() and os.access(fb, os.W_OK)
        return Check("display", "ok" if ok else "fail", f"{fb} {'writable' if ok else 'not writable'}",
                     "" if ok else "add the user to group video, or check the board has a framebuffer")
    return Check("display", "ok", f"{uri} (headless output)")


def check_fonts(settings: Settings) -> Check:
    from edge_vdialog.compose.text import Fonts  # what the compositor will draw with

    fonts = Fonts.find()
    if fonts.cjk is None:
        return Check("fonts", "fail", "no CJK font: Chinese replies would show as boxes",
                     "apt-get install fonts-noto-cjk")
    if fonts.emoji is None:
        return Check("fonts", "warn", f"CJK: {fonts.cjk}; no emoji font",
                     "apt-get install fonts-noto-color-emoji")
    return Check("fonts", "ok", f"CJK: {fonts.cjk}; emoji: {fonts.emoji}")


def check_memory(settings: Settings) -> Check:
    need_bytes = float(RUNTIME_OVERHEAD_BYTES)
    dirs = [dialogue_dir(settings)] + ([imagegen_dir(settings)] if settings.imagegen.enabled else [])
    for root in (d for d in dirs if (d / MANIFEST).is_file()):
        bundle = Bundle.load(root)
        need_bytes += MODEL_FACTOR * sum(f.size for c in bundle.components.values()
                                         for f in c.files.values())
    available = _meminfo_bytes("MemAvailable")
    detail = f"needs ~{need_bytes / 2**20:.0f} MiB, {available / 2**20:.0f} MiB available"
    if available < need_bytes:
        return Check("memory", "fail", detail, "close other programs, add swap (zram), or pick a "
                     "smaller bundle ([dialogue] bundle)")
    return Check("memory", "ok", detail)


def _meminfo_bytes(key: str) -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(key + ":"):
            return float(line.split()[1]) * 1024
    raise UserError(f"/proc/meminfo has no {key}")


def check_unit(settings: Settings) -> Check:
    from edge_vdialog.service.install import UNIT_DIR, UNIT_NAME, systemd_running

    unit = UNIT_DIR / UNIT_NAME
    if not unit.is_file():
        return Check("service unit", "warn", f"{unit} not installed",
                     "sudo edge-vdialog service install (for start at boot)")
    if not systemd_running():
        return Check("service unit", "ok", f"{unit} installed; systemd not running here")
    state = subprocess.run(["systemctl", "is-enabled", UNIT_NAME], capture_output=True, text=True)
    enabled = state.stdout.strip() or state.stderr.strip()
    return Check("service unit", "ok" if enabled == "enabled" else "warn", f"{unit}: {enabled}",
                 "" if enabled == "enabled" else f"sudo systemctl enable {UNIT_NAME}")
