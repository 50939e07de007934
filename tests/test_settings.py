"""Settings: validation, sources and their order, and the exit-2 contract of the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from edge_vdialog.engines import EngineOptions
from edge_vdialog.errors import ConfigError
from edge_vdialog.service.config_file import render_toml
from edge_vdialog.settings import Settings, load_settings

NO_ENV: dict[str, str] = {}


def cli(*args: str, env: dict[str, str] | None = None, launcher: tuple[str, ...] = ("-m", "edge_vdialog"),
        **run) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("EDGE_VDIALOG")}
    return subprocess.run([sys.executable, *launcher, *args], check=False, capture_output=True,
                          text=True, env={**clean, **(env or {})}, timeout=60, **run)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file():
    s = load_settings(None, environ=NO_ENV)
    assert s == Settings()
    assert s.metrics.bind == "127.0.0.1" and not s.metrics.enabled


def test_file_then_env_then_overrides(tmp_path):
    path = write(tmp_path, '[camera]\nuri = "file://a.mp4"\nfps = 10\n[engines]\nproviders = ["cpu"]\n')
    env = {"EDGE_VDIALOG__CAMERA__FPS": "15", "EDGE_VDIALOG__DISPLAY__URI": "null://",
           "EDGE_VDIALOG__METRICS__ENABLED": "true"}
    s = load_settings(path, {"camera.uri": "test://", "mic.uri": None}, environ=env)
    assert (s.camera.uri, s.camera.fps, s.display.uri) == ("test://", 15, "null://")
    assert s.engines.providers == ("cpu",) and s.metrics.enabled
    with pytest.raises(ValidationError, match="frozen"):
        s.camera.fps = 3


@pytest.mark.parametrize("text, expected", [
    ("[camera]\nfsp = 3\n", "unknown key camera.fsp (allowed here: uri, width"),
    ("[cameras]\n", "unknown key cameras"),
    ('[camera]\nfps = "fast"\n', "camera.fps = 'fast': Input should be a valid integer"),
    ("[camera]\nfps = 500\n", "allowed >= 1 and <= 240"),
    ('[engines]\nbackend = "trt"\n', "unknown backend 'trt'; this runtime has: ort"),
    ('[engines]\nproviders = ["gpu"]\n', "engines.providers.0 = 'gpu'"),
    ("[camera]\nreconnect_min_s = 20\nreconnect_max_s = 5\n", "reconnect_min_s must not exceed"),
    ("[camera\n", "is not valid TOML"),
    ('[engines]\nurl = "grpc://gpu:8001"\nfallback = false\n',
     'engines.url, engines.fallback only apply to backend = "triton" (backend is \'ort\')'),
    ('[engines]\nbackend = "triton"\nurl = "http://gpu:8000"\n', "not a server address; supported: grpc://"),
])
def test_bad_values_name_the_key(tmp_path, text, expected):
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, text), environ=NO_ENV)
    assert expected in str(err.value) and err.value.exit_code == 2


def test_triton_keys_reach_the_backend_options(tmp_path):
    text = '[engines]\nbackend = "triton"\nurl = "grpcs://gpu:8001"\npiece_timeout_s = 4\nfallback = true\n'
    options = load_settings(write(tmp_path, text), environ=NO_ENV).engines.options()
    assert (options.url, options.piece_timeout_s, options.fallback) == ("grpcs://gpu:8001", 4, True)
    assert options.timeout_s == EngineOptions().timeout_s                 # unset: the backend's default


def test_env_value_is_validated_too():
    with pytest.raises(ConfigError, match=r"metrics.port = 70000 \(from \$EDGE_VDIALOG__METRICS__PORT\)"):
        load_settings(None, environ={"EDGE_VDIALOG__METRICS__PORT": "70000"})


def test_a_rendered_file_takes_an_owners_places_table(tmp_path):
    text = render_toml(load_settings(None, environ=NO_ENV)) + '[dialogue.places]\ntoilet = "Past the lifts."\n'
    assert load_settings(write(tmp_path, text), environ=NO_ENV).dialogue.places == {"toilet": "Past the lifts."}


def test_rendered_toml_reads_back_the_same(tmp_path):
    s = load_settings(None, {"camera.uri": "file://café 中.mp4", "imagegen.seed": 7,
                             "dialogue.places": {"first aid": "At \"reception\"."}}, environ=NO_ENV)
    assert load_settings(write(tmp_path, render_toml(s)), environ=NO_ENV) == s


@pytest.mark.parametrize("text, key", [
    ("[camera]\nfsp = 3\n", "camera.fsp"),
    ('[dialogue]\nmax_new_tokens = "many"\n', "dialogue.max_new_tokens"),
    ("[metrics]\nport = 0\nbind = \"127.0.0.1\"\n[dialogue]\ntop_p = 1.5\n", "dialogue.top_p"),
])
def test_cli_config_check_exits_2_with_key_path(tmp_path, text, key):
    done = cli("config", "check", "--config", str(write(tmp_path, text)))
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: ") and key in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_run_refuses_a_bad_config_with_exit_2(tmp_path):
    """What systemd starts: exit 2, which the unit's RestartPreventExitStatus=2 does not restart."""
    done = cli("run", "--config", str(write(tmp_path, "[display]\nwidth = 10\n")), "--display", "null://")
    assert done.returncode == 2 and "display.width = 10" in done.stderr, done.stderr


def test_cli_unreadable_file_exits_2(tmp_path):
    missing = cli("config", "check", "--config", str(tmp_path / "nope.toml"))
    assert missing.returncode == 2 and "cannot read config file" in missing.stderr
    path = write(tmp_path, "[camera]\n")
    path.chmod(0)
    if os.access(path, os.R_OK):  # root reads anything: use a directory instead
        path = tmp_path
    done = cli("config", "check", "--config", str(path))
    assert done.returncode == 2 and "cannot read config file" in done.stderr


LIMITED = ("import resource, runpy; resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30)); "
           "runpy.run_module('edge_vdialog', run_name='__main__', alter_sys=True)")
"""The CLI under 1 GiB of address space, so reading an endless file fails fast, not the host. The limit is
set by the child itself: a ``preexec_fn`` would make subprocess fork this test process, and after the
Triton tests have used gRPC its fork handler restarts a poller thread in the child that aborts (SIGABRT,
"epoll_wait error: Bad file descriptor") when the child closes its descriptors before exec, about one
run in six."""


@pytest.mark.parametrize("make", ["fifo", "zero", "large"])
def test_cli_refuses_what_is_not_a_settings_file(tmp_path, make):
    if make == "fifo":
        path = tmp_path / "config.toml"
        os.mkfifo(path)  # nobody writes: a plain read blocks forever
    elif make == "large":
        path = write(tmp_path, "# " + "x" * (2 << 20) + "\n")
    else:
        path = Path("/dev/zero")
    done = cli("config", "check", "--config", str(path), launcher=("-c", LIMITED))
    expected = "over 1024 KiB" if make == "large" else "not a regular file"
    assert done.returncode == 2 and expected in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_cli_env_error_and_show(tmp_path):
    bad = cli("config", "show", env={"EDGE_VDIALOG__CAMERA__WIDTH": "-5"})
    assert bad.returncode == 2 and "camera.width" in bad.stderr
    shown = cli("config", "show", env={"EDGE_VDIALOG_CONFIG": str(write(tmp_path, "[camera]\nfps = 12\n"))})
    assert shown.returncode == 0 and "fps = 12" in shown.stdout and "[logging]" in shown.stdout
    assert cli("config", "check", "--config", str(tmp_path / "config.toml")).returncode == 0
