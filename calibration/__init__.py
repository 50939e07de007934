"""Calibration sets and the readers that feed them to ONNX Runtime (and later TensorRT) INT8 calibrators."""
