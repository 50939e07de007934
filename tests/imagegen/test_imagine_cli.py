"""``edge-vdialog imagine`` end to end on the tiny bundle."""

from __future__ import annotations

import numpy as np

from edge_vdialog.cli import main


def test_imagine_writes_a_png(tiny_bundle, tmp_path, capsys):
    import cv2
    out = tmp_path / "apple.png"
    assert main(["imagine", "--bundle", str(tiny_bundle), "--seed", "3", "--out", str(out), "a red apple"]) == 0
    image = cv2.imread(str(out))
    assert image.shape == (64, 64, 3)
    assert main(["imagine", "--bundle", str(tiny_bundle), "--seed", "3", "--scale", "2",
                 "--out", str(tmp_path / "big.png"), "a red apple"]) == 0
    big = cv2.imread(str(tmp_path / "big.png"))
    assert big.shape == (128, 128, 3) and np.array_equal(big[::2, ::2], image)


def test_imagine_bad_output_is_one_line(tiny_bundle, tmp_path, capsys):
    assert main(["imagine", "--bundle", str(tiny_bundle), "--out", str(tmp_path / "x.gif2"), "hi"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot tell the image format") and err.count("\n") == 1
    assert main(["imagine", "--bundle", str(tmp_path / "nope"), "--out", str(tmp_path / "x.png"), "hi"]) == 1
    assert "no manifest.json" in capsys.readouterr().err
