"""TensorRT toolchain: standard-operator ONNX variants (FP16, explicit Q/DQ INT8) and engine builds."""
