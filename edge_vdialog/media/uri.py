"""Media endpoints addressed by URI: ``scheme://rest?key=value``; unknown schemes list the known ones."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from edge_vdialog.errors import UserError


@dataclass(frozen=True)
class Uri:
    text: str
    """The URI as given."""
    scheme: str
    """Lower-case scheme without ``://``; ``none`` for the bare word ``none``."""
    rest: str
    """Everything after ``://`` up to ``?``: a path, device, host or index."""
    params: dict[str, str] = field(default_factory=dict)
    """Query parameters (``?loop=0&fps=25``)."""

    def flag(self, key: str, default: bool) -> bool:
        value = self.params.get(key)
        return default if value is None else value.lower() in ("1", "true", "yes", "on")

    def number(self, key: str, default: float) -> float:
        value = self.params.get(key)
        if value is None:
            return default
        try:
            return float(value)
        except ValueError:
            raise UserError(f"{self.text}: ?{key}= must be a number, got {value!r}") from None


def parse_uri(text: str, kind: str, supported: dict[str, str]) -> Uri:
    """Split ``text``; ``supported`` maps each scheme to an example, listed when ``text`` is unknown."""
    text = text.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = (text, "") if text.lower() == "none" else ("", text)
    rest, _, query = rest.partition("?")
    uri = Uri(text, scheme.lower(), rest, dict(parse_qsl(query)))
    if uri.scheme not in supported:
        examples = ", ".join(supported.values())
        raise UserError(f"unsupported {kind} '{text}'", f"use one of: {examples}")
    return uri
