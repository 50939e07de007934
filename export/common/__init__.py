"""What every export shares: INT8 recipes, ONNX graph edits, atomic bundle writing, the opset."""

OPSET = 17
"""ONNX opset of every graph the toolchain exports or builds (17: LayerNormalization is standard)."""
