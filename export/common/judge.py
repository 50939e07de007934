"""Reading what a blind judge (a helper session) answered: one numbered answer per line."""

from __future__ import annotations

import re
from pathlib import Path


def numbered_answers(path: Path, pattern: str) -> dict[int, str]:
    """{number: answer} from the lines of ``path`` that ``pattern`` matches at their start (group 1: the
    number, group 2: the answer), case-insensitively, backticks ignored; answers stripped and lower-cased.
    A number answered twice keeps its last answer; lines that do not match are skipped."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(pattern, line.replace("`", ""), re.IGNORECASE)
        if m:
            out[int(m.group(1))] = m.group(2).strip().lower()
    return out


def rubric_scores(path: Path) -> dict[int, int]:
    """{item: score} from a judge's ``ITEM SCORE`` lines (scores 1-5, the persona-eval rubric's)."""
    return {item: int(score) for item, score in numbered_answers(path, r"\s*(\d+)\D+([1-5])\b").items()}
