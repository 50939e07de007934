"""Build a kiosk from validated settings: models loaded and warmed up, devices opened.

Shared by ``edge-vdialog run``, ``demo`` and the kiosk benchmark. Missing SDKs and broken
bundles raise :class:`UserError` here, before anything runs; devices that are merely absent
(camera unplugged, no microphone, no X server yet) do not: the kiosk starts degraded and keeps
retrying them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from edge_vdialog.app import Kiosk
from edge_vdialog.compose import Compositor
from edge_vdialog.dialogue.sampling import Sampling
from edge_vdialog.errors import ConfigError, UserError
from edge_vdialog.interfaces import Dialogue, FrameSink, ImageGenerator
from edge_vdialog.media.camera import open_camera
from edge_vdialog.media.sinks import open_sink
from edge_vdialog.settings import Settings
from edge_vdialog.telemetry import Telemetry

log = logging.getLogger(__name__)


@dataclass
class Models:
    chat: Dialogue
    sampling: Sampling
    generator: ImageGenerator | None
    backend: str
    """What runs the dialogue model, e.g. CPUExecutionProvider."""


def check_endpoints(settings: Settings) -> None:
    """Reject unknown camera/microphone/display URIs now, before seconds of model loading."""
    from edge_vdialog.media import mic, sinks, sources, speakers
    from edge_vdialog.media.uri import parse_uri

    checks = (("camera.uri", settings.camera.uri, "camera", sources.SCHEMES),
              ("mic.uri", settings.mic.uri, "microphone", mic.SCHEMES),
              ("display.uri", settings.display.uri, "display", sinks.SCHEMES),
              ("voice.output", settings.voice.output, "speaker", speakers.SCHEMES))
    for key, uri, kind, schemes in checks:
        try:
            parse_uri(uri, kind, schemes)
        except UserError as e:  # a configuration error: exit 2, which systemd does not restart on
            raise ConfigError(f"{key}: {e.message}", e.hint) from None


def load_models(settings: Settings) -> Models:
    """Dialogue (+ image generator when enabled) from their bundles, each by its component's kind,
    on the backend ``engines.backend``, warmed up; the ``recall`` skill's answers from the imagegen
    bundle if it has them (with the text encoder the picture path uses), else the default bundle's."""
    from edge_vdialog.bundle import (
        Bundle,
        default_bundle_dir,
        default_dialogue_bundle_dir,
    )
    from edge_vdialog.dialogue.answers import AnswerBank
    from edge_vdialog.dialogue.drafts import with_drafts
    from edge_vdialog.dialogue.skills import WRITTEN, Device, SkilledDialogue
    from edge_vdialog.loaders import load_component

    d, e = settings.dialogue, settings.engines
    chat = load_component(Bundle.load(d.bundle or default_dialogue_bundle_dir()), "dialogue",
                          e.options(d.threads))
    chat = with_drafts(chat, d.drafts)
    imagegen = settings.imagegen.bundle or default_bundle_dir()
    if d.skills:
        # The answers get a text encoder of their own (one CPU thread, ~12 MB) rather than the generator's: the
        # dialogue thread then never shares an engine with the picture thread (a TensorRT context is not
        # thread-safe), and a line is matched while a picture is being drawn.
        answers = AnswerBank.load_for(imagegen, d.answers) if WRITTEN & set(d.skills) else None
        from edge_vdialog.media import mic, sources
        device = Device(camera=not _off(settings.camera.uri, "camera", sources.SCHEMES),
                        microphone=not _off(settings.mic.uri, "microphone", mic.SCHEMES),
                        keeps_words=settings.logging.visitor_words)
        chat = SkilledDialogue(chat, d.skills, d.places, pictures=settings.imagegen.enabled, answers=answers,
                               device=device)
    generator = None
    if settings.imagegen.enabled:
        generator = load_component(Bundle.load(imagegen), "generator", e.options())
        generator.generate("hello", seed=0)  # warm-up (the dialogue loader warms its model itself)
    return Models(chat, d.sampling(), generator, chat.provider)


def _off(uri: str, kind: str, schemes: dict[str, str]) -> bool:
    """``uri`` turns the device off: scheme ``none``, read as the device's opener reads it."""
    from edge_vdialog.media.uri import parse_uri
    return parse_uri(uri, kind, schemes).scheme == "none"


def open_listener(settings: Settings, telemetry: Telemetry):
    """Microphone -> VAD -> ASR, or None for ``mic.uri = none``."""
    from edge_vdialog.media.asr import load_recognizer
    from edge_vdialog.media.listen import Listener
    from edge_vdialog.media.mic import open_mic
    from edge_vdialog.media.vad import Segmenter, load_detector

    m, c = settings.mic, settings.camera
    mic = open_mic(m.uri, m.sample_rate, c.reconnect_min_s, c.reconnect_max_s)
    if mic is None:
        return None
    recognizer = load_recognizer(settings.asr.model, settings.asr.language, threads=1)
    vad = Segmenter(load_detector(m.vad_threshold), m.vad_min_speech_ms, m.vad_silence_ms)
    return Listener(mic, vad, recognizer, telemetry)


def open_presence(camera):
    from edge_vdialog.media.presence import FaceDetector, Presence

    if camera is None:
        return None
    try:
        return Presence(camera, FaceDetector())
    except UserError as e:
        log.warning("no presence detection: %s", e)
        return None


def open_voice(settings: Settings, telemetry: Telemetry):
    """The voice and its speaker, warmed up, not started; None for ``voice.output = none``."""
    from edge_vdialog.media import speakers
    from edge_vdialog.media.speakers import open_speaker
    from edge_vdialog.voice.piper import load_voice
    from edge_vdialog.voice.speech import Speech

    v, c = settings.voice, settings.camera
    if _off(v.output, "speaker", speakers.SCHEMES):
        return None
    voice = load_voice(v.voice, v.threads)
    speaker = open_speaker(v.output, voice.sample_rate, c.reconnect_min_s, c.reconnect_max_s)
    voice.synthesize("Hello.")  # warm-up: the first run of a session is several times slower
    return Speech(voice, speaker, telemetry, tail_s=v.mute_tail_ms / 1000)


def build_kiosk(settings: Settings, telemetry: Telemetry, models: Models,
                sink: FrameSink | None = None) -> Kiosk:
    import cv2

    cv2.setNumThreads(1)  # frames here are small: leave the other cores to inference
    c, d = settings.camera, settings.display
    camera = open_camera(c.uri, c.width, c.height, c.fps, c.loop, c.reconnect_min_s,
                         c.reconnect_max_s)
    listener = open_listener(settings, telemetry)
    speech = open_voice(settings, telemetry)
    if listener is not None and speech is not None and settings.voice.mute_mic:
        listener.muted = lambda: speech.speaking  # the kiosk does not answer itself
    sink = sink or open_sink(d.uri, fps=30.0, fullscreen=d.fullscreen)
    telemetry.set_backend(models.backend)
    if settings.engines.backend == "tensorrt":   # its fallback shows on screen too, not only in /healthz
        from edge_vdialog.service.health import provider_fallback
        telemetry.set_degraded("backend", provider_fallback(settings.engines, models.backend))
    return Kiosk(models.chat, models.sampling, sink, telemetry, generator=models.generator,
                 compositor=Compositor(d.width, d.height), camera=camera,
                 presence=open_presence(camera), listener=listener,
                 image_seed=settings.imagegen.seed, image_follow=settings.imagegen.follow,
                 backend=models.backend, speech=speech,
                 speak_greeting=settings.voice.greet)
