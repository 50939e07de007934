"""What this OpenCV was built with (``cv2.getBuildInformation()``), for clear errors about missing features."""

from __future__ import annotations

import cv2


def build_value(name: str) -> str:
    """The value of ``name`` in OpenCV's build information (``GUI``, ``GStreamer``, ...); '' when absent."""
    for line in cv2.getBuildInformation().splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() == name:
            return value.strip()
    return ""


def has_gstreamer() -> bool:
    return build_value("GStreamer").startswith("YES")


def has_gui() -> bool:
    return build_value("GUI") != "NONE"
