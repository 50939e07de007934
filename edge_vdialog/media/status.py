"""What a device reports about itself: online, or offline and why."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceStatus:
    online: bool
    message: str
    """Why it is offline ("" when online), one line for the screen and the logs."""
