"""Execution providers a backend may be asked for, by their short names (settings ``engines.providers``)."""

ORT_NAMES = {
    "tensorrt": "TensorrtExecutionProvider",
    "cuda": "CUDAExecutionProvider",
    "cpu": "CPUExecutionProvider",
}
"""Short name -> ONNX Runtime's name for it."""
DEFAULT = ("tensorrt", "cuda", "cpu")
"""First available wins; the CPU is always last."""
