"""Serving bundles from a Triton Inference Server: the model repository and the server's launcher."""
