"""What a device reports about itself: online, or offline and why; and a frame it did not show."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceStatus:
    online: bool
    message: str
    """Why it is offline ("" when online), one line for the screen and the logs."""


class FrameDropped(Exception):
    """A display sink could not put this frame out (its ``status()`` says why when that is a
    fault): nothing new is on screen, so no latency may be stamped on it."""
