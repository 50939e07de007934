"""What makes a kiosk reply acceptable, measured: whole sentences, persona violations, repetition,
fitting the 720p reply panel. Shared by ``persona-eval`` (scoring set-ups) and the persona corpus
(checking training replies, export/dialogue/persona_corpus.py); the held-out visitor lines live beside it."""

from __future__ import annotations

import re
from pathlib import Path

from edge_vdialog.errors import UserError

LINES = Path(__file__).with_name("visitor_lines.txt")


def visitor_lines(path: Path = LINES) -> list[str]:
    """The non-blank lines of a visitor-lines file (default: the held-out evaluation lines), stripped."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise UserError(f"{path}: cannot read visitor lines ({e.strerror})") from None
    return [l.strip() for l in text.splitlines() if l.strip()]


VIOLATIONS = {
    "spouse/partner": r"\bmy (wife|husband|girlfriend|boyfriend|partner|fianc[eé]e?)\b|\b(wife|husband)\b",
    "family": r"\bmy (son|daughter|kids?|children|mom|mum|mother|dad|father|brother|sister|family|"
              r"grand\w+|aunt|uncle|cousin|parents)\b",
    "pet": r"\bmy (cat|dog|pet|puppy|kitten)\b",
    "shop/workplace": r"\b(my|our) (shop|store|caf[eé]|restaurant|bakery|menu|products?|customers|boss|"
                      r"office|company|job|team)\b|\bcustomers\b|\bwelcome to (the|our|my) \w+",
    "body": r"\bmy (body|hands?|eyes|legs?|feet|hair|face|stomach|arms?)\b|\bI('m| am) (so )?"
            r"(tired|hungry|sleepy|thirsty)\b",
    "meals/sleep/travel": r"\bI (ate|eat|had|drank|slept|cooked|baked|went|visited|travel(l?)ed|grew up|"
                          r"was born|live|lived)\b|\bI('ve| have) (been to|eaten|visited|traveled|travelled)\b",
    "invented name": r"\b[Mm]y name is (?!.*kiosk)\w+|\bI'm [A-Z][a-z]+, (your|the|welcome)|\bcall me [A-Z]",
    "AI boilerplate": r"\bas an AI\b|\blanguage model\b",
}
"""Persona violations: a kiosk has no spouse, family, pets, shop, body, meals or past (regexes,
case-insensitive except the name pattern)."""

def whole_sentence(text: str) -> bool:
    """A finished reply ends on a whole sentence (a final ``84.`` counts: the text is complete, so the
    period is no decimal point as it may be while streaming) and not on the cap's ellipsis."""
    from edge_vdialog.dialogue.endings import ELLIPSIS, is_sentence_end

    text = text.rstrip()
    return (is_sentence_end(text) or re.search(r"\d\.$", text) is not None) and not text.endswith(ELLIPSIS)


def violations(text: str) -> list[str]:
    hits = []
    for name, pattern in VIOLATIONS.items():
        flags = 0 if name == "invented name" else re.IGNORECASE
        if re.search(pattern, text, flags):
            hits.append(name)
    return hits


def repetition(text: str) -> float:
    """Share of word 3-grams in ``text`` that repeat an earlier one (0: none)."""
    words = re.findall(r"\w+", text.lower())
    grams = [tuple(words[i:i + 3]) for i in range(len(words) - 2)]
    return 1 - len(set(grams)) / len(grams) if grams else 0.0


def panel_fit():
    """``fits(heard, reply)``: the reply shows whole in the 720p frame's reply panel (no scrolling)
    under the visitor's line, laid out by the runtime's compositor."""
    from edge_vdialog.compose.frame import Compositor

    c = Compositor(1280, 720)
    _, y, width = c.right

    def fits(heard: str, reply: str) -> bool:
        top = y + 2 * c.small.line_height + c.heard_text.line_height * len(c.heard_text.wrap(heard, width)[-2:])
        return len(c.reply_text.wrap(reply, width)) <= (c.pip_box[1] - top) // c.reply_text.line_height
    return fits
