"""Workstation toolchain: training, ONNX export, quantization and bundle writing (torch allowed)."""
