"""Markdown tables of the evaluation reports."""

from __future__ import annotations

import unicodedata


def cell(text: str) -> str:
    """One markdown table cell: whitespace runs become one space, control characters are dropped."""
    text = "".join(c for c in " ".join(text.split()) if unicodedata.category(c) != "Cc")
    return text.replace("|", "\\|") or "(empty)"
