"""picture-blind: draw, pair and tally a blind naming check with the committed picture path."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from export.imagegen import picture_blind as pb

DEFAULT = ROOT / "models" / "default"
COLOURS = ["red", "green", "blue", "yellow", "purple", "orange", "black", "white", "pink", "brown", "grey",
           "cyan", "gold", "navy", "lime", "teal", "maroon", "olive", "silver", "violet"]


def tiny_data(path: Path) -> None:
    """A gan-data npz: 20 concepts (plain colour squares), 12 held out, 8 with a held-out phrasing."""
    images = np.stack([np.full((64, 64, 3), 12 * i, np.uint8) for i in range(len(COLOURS))])
    captions, concept, split = [], [], []
    for i, c in enumerate(COLOURS):
        for k, text in enumerate((f"a {c} square", f"the colour {c}", f"something {c}")):
            captions.append(text)
            concept.append(i)
            split.append(2 if i < 12 else (1 if k == 2 else 0))
    np.savez(path, images=images, captions=np.array(captions), concept=np.array(concept, np.int32),
             split=np.array(split, np.int8))


def export(*argv: str) -> int:
    from edge_vdialog.cli import build_parser, run
    return run(build_parser("python -m export", "toolchain", "export", ["imagegen.picture_blind"]), list(argv))


def test_blind_check_round_trip(tmp_path):
    data, out = tmp_path / "data.npz", tmp_path / "check"
    tiny_data(data)
    assert export("picture-blind", "--bundle", f"committed={DEFAULT}", "--data", str(data), "--out", str(out)) == 0
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    assert len(key["captions"]) == 64 and list(key["sources"]) == ["committed", "lookup"]
    assert sorted(it["item"] for it in key["items"]) == list(range(1, 129))
    sheets = sorted(out.glob("sheet_*.png"))
    assert len(sheets) == 8 and Image.open(sheets[0]).size == (4 * pb.SHOWN, 4 * (pb.SHOWN + pb.LABEL_H))
    judge = (out / "judge.md").read_text(encoding="utf-8")
    assert "committed" not in judge and "lookup" not in judge and "square" not in judge

    # judge: names each picture by its caption's first word for the committed bundle, 'unclear' for the lookup
    caps = key["captions"]
    names = tmp_path / "names.txt"
    names.write_text("".join(f"{it['item']}: {caps[it['caption']]['text'].split()[-1] if it['source'] == 'committed' else 'unclear'}\n"
                             for it in key["items"]), encoding="utf-8")
    assert export("picture-blind", "--out", str(out), "--names", str(names)) == 0
    match = (out / "match.md").read_text(encoding="utf-8")
    assert "committed" not in match and "| 1 |" in match
    pairs = json.loads((out / "match_key.json").read_text(encoding="utf-8"))
    by_item = {it["item"]: it for it in key["items"]}
    # match judge: yes for the committed pictures of the chat sets only
    answers = tmp_path / "matches.txt"
    answers.write_text("".join(
        f"{p['pair']} {'yes' if p['name'] != 'unclear' and caps[by_item[p['item']]['caption']]['set'].startswith('chat') else 'no'}\n"
        for p in pairs), encoding="utf-8")
    assert export("picture-blind", "--out", str(out), "--matches", str(answers)) == 0
    table = (out / "scores.md").read_text(encoding="utf-8")
    assert re.search(r"\| committed \| 0 \| 0 \| 12 \| 32 \| \*\*12\*\* \| 44 \|", table), table
    assert re.search(r"\| lookup \| 0 \| 0 \| 0 \| 0 \| \*\*0\*\* \| 0 \|", table), table
