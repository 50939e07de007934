"""Dialogue models: corpora, tokenizers, training, export to ONNX with a KV cache, evaluation."""
