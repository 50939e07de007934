"""edge-vdialog: a visual-dialogue appliance runtime (numpy, ONNX Runtime, tokenizers, OpenCV)."""

__version__ = "0.1.0"
