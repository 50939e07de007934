"""Frame composition: :class:`Compositor` turns a :class:`View` into a BGR frame."""

from edge_vdialog.compose.frame import Compositor, View
from edge_vdialog.compose.text import Fonts, TextRenderer

__all__ = ["Compositor", "Fonts", "TextRenderer", "View"]
