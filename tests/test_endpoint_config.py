"""An unknown device URI is a configuration error: exit 2 (no systemd restart loop), key path named."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize("flag, uri, key", [("--camera", "xx://foo", "camera.uri"),
                                            ("--mic", "speaker://0", "mic.uri"),
                                            ("--display", "hdmi://1", "display.uri")])
def test_unknown_scheme_exits_2_with_key(flag, uri, key, tmp_path):
    args = {"--camera": "none", "--mic": "none", "--display": "null://", flag: uri}
    cmd = [sys.executable, "-m", "edge_vdialog", "run", "--config", str(tmp_path / "none.toml")]
    (tmp_path / "none.toml").write_text("")
    for k, v in args.items():
        cmd += [k, v]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert out.returncode == 2, out.stderr
    assert out.stderr.startswith(f"error: {key}: unsupported"), out.stderr
    assert "Traceback" not in out.stderr
