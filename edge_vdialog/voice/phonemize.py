"""Text -> phoneme ids for a piper voice, through the espeak-ng program.

espeak-ng (Debian package ``espeak-ng``, GPL-3.0) runs as a separate process per sentence
(``espeak-ng -q --ipa -v <voice>``, about 20 ms), so no GPL code is linked into this
Apache-2.0 runtime. The sentence is cut into clauses at punctuation, one clause per input line;
espeak-ng answers one line of IPA per clause, and the clause's punctuation is put back after its
phonemes, as piper's own phonemizer does (the voice was trained with it: commas pause,
question marks rise).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections.abc import Mapping, Sequence

from edge_vdialog.errors import UserError

ESPEAK = "espeak-ng"
CLAUSE_END = re.compile(r"(?<=[,;:.!?])\s+")
"""Punctuation followed by a space ends a clause (not the point in 3.50)."""
PUNCT = ",;:.!?"
TIMEOUT_S = 10.0
"""espeak-ng takes ~20 ms per sentence; a process silent this long is stuck, seconds."""
BOS, EOS, PAD = "^", "$", "_"


def espeak_path() -> str:
    path = shutil.which(ESPEAK)
    if path is None:
        raise UserError("speech output needs the espeak-ng program for phonemes",
                        "apt install espeak-ng, or set [voice] output = \"none\"")
    return path


def clauses(text: str) -> list[tuple[str, str]]:
    """``"Hi, you."`` -> ``[("Hi", ","), ("you", ".")]``; clauses without letters or digits dropped."""
    out = []
    for piece in CLAUSE_END.split(text.strip()):
        words = piece.rstrip(PUNCT)
        if any(c.isalnum() for c in words):
            out.append((" ".join(words.split()), piece[len(words):][:1]))
    return out


def phonemes(text: str, voice: str = "en-us") -> list[str]:
    """IPA phonemes (decomposed code points) of ``text``, with clause punctuation and spaces."""
    parts = clauses(text)
    if not parts:
        return []
    try:
        done = subprocess.run([espeak_path(), "-q", "--ipa", "-v", voice],
                              input="\n".join(w for w, _ in parts), capture_output=True,
                              text=True, timeout=TIMEOUT_S, check=True)
    except subprocess.CalledProcessError as e:
        raise UserError(f"espeak-ng failed for voice '{voice}': {e.stderr.strip()[:200]}",
                        "check the voice's espeak language (espeak-ng --voices)") from None
    except subprocess.TimeoutExpired:
        raise UserError(f"espeak-ng did not answer within {TIMEOUT_S:.0f} s") from None
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    if len(lines) != len(parts):  # espeak-ng cut a clause itself: keep only the last punctuation
        lines, parts = [" ".join(lines)], [("", parts[-1][1])]
    ipa = " ".join(line + punct for line, (_, punct) in zip(lines, parts))
    return list(unicodedata.normalize("NFD", ipa))


def to_ids(phones: Sequence[str], id_map: Mapping[str, Sequence[int]]) -> list[int]:
    """Piper's id sequence: BOS, then each known phoneme followed by the pad id, then EOS."""
    ids = [*id_map[BOS], *id_map[PAD]]
    for p in phones:
        if p in id_map:  # symbols the voice never saw are left out, as piper does
            ids += [*id_map[p], *id_map[PAD]]
    return ids + [*id_map[EOS]]
