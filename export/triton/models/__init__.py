"""Triton Python-backend model sources, copied into a repository as ``<model>/1/model.py``.

They run inside ``tritonserver``'s Python backend (``triton_python_backend_utils`` exists only
there), in an environment with ``edge-vdialog`` installed (numpy, onnxruntime, tokenizers).
"""
