"""Triton Python-backend model: one stateless ONNX model of a bundle (text encoder, GAN generator),
run by the kiosk's own ONNX Runtime engine; named arrays in, named arrays out (see config.pbtxt)."""

from __future__ import annotations

import json
from pathlib import Path

import triton_python_backend_utils as pb_utils

from edge_vdialog.engines import EngineOptions, open_engine


class TritonPythonModel:
    def initialize(self, args: dict) -> None:
        params = json.loads(args["model_config"])["parameters"]
        threads = int(params["threads"]["string_value"]) or None
        path = Path(args["model_repository"]) / args["model_version"] / "bundle" / params["file"]["string_value"]
        self.engine = open_engine(path, EngineOptions(threads=threads, spinning=False))

    def execute(self, requests: list) -> list:
        return [self._run(r) for r in requests]

    def _run(self, request):
        inputs = {n: pb_utils.get_input_tensor_by_name(request, n).as_numpy() for n in self.engine.input_names}
        try:
            outputs = self.engine.run(inputs)
        except Exception as e:  # noqa: BLE001 - a bad shape or type: the client gets the message, the model stays up
            return pb_utils.InferenceResponse(error=pb_utils.TritonError(f"{type(e).__name__}: {e}"))
        return pb_utils.InferenceResponse([pb_utils.Tensor(n, a) for n, a in outputs.items()])
