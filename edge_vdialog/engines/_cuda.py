"""Device memory for the TensorRT backend: cuda-python's runtime bindings, pycuda as the alternative.

Only what the backend needs: allocate, copy host <-> device, a stream, the device's compute
capability. Unverified on hardware (see README 'Jetson').
"""

from __future__ import annotations

import numpy as np


def _cudart():
    try:
        from cuda.bindings import runtime as cudart  # cuda-python >= 12.6
    except ImportError:
        try:
            from cuda import cudart  # older cuda-python
        except ImportError:
            return None
    return cudart


def _check(result):
    err, *rest = result
    if int(err) != 0:
        raise RuntimeError(f"CUDA error {err}")
    return rest[0] if len(rest) == 1 else rest


def runtime_version() -> str:
    cudart = _cudart()
    if cudart is not None:
        v = _check(cudart.cudaRuntimeGetVersion())
        return f"{v // 1000}.{v % 1000 // 10}"
    import pycuda.driver as drv
    return ".".join(map(str, drv.get_version()))


class Device:
    """One GPU through cuda-python (``cuda-bindings``) or, lacking it, pycuda."""

    def __init__(self) -> None:
        self.cudart = _cudart()
        if self.cudart is None:
            try:
                import pycuda.autoinit  # noqa: F401
                import pycuda.driver as drv
            except ImportError:
                raise RuntimeError("no CUDA Python bindings: pip install 'edge-vdialog[tensorrt]' "
                                   "(cuda-python) or pycuda") from None
            self.drv = drv
            self.stream = drv.Stream()
        else:
            self.stream = _check(self.cudart.cudaStreamCreate())

    @property
    def stream_handle(self) -> int:
        return int(self.stream) if self.cudart else self.stream.handle

    def compute_capability(self) -> str:
        if self.cudart:
            props = _check(self.cudart.cudaGetDeviceProperties(0))
            return f"{props.major}.{props.minor}"
        return "{}.{}".format(*self.drv.Device(0).compute_capability())

    def alloc(self, nbytes: int) -> int:
        """Device pointer of ``nbytes`` (at least 1) bytes, kept for the process's life."""
        if self.cudart:
            return int(_check(self.cudart.cudaMalloc(max(nbytes, 1))))
        self._keep = getattr(self, "_keep", []) + [self.drv.mem_alloc(max(nbytes, 1))]
        return int(self._keep[-1])

    def upload(self, ptr: int, host: np.ndarray) -> None:
        host = np.ascontiguousarray(host)
        if self.cudart:
            _check(self.cudart.cudaMemcpyAsync(ptr, host.ctypes.data, host.nbytes,
                                               self.cudart.cudaMemcpyKind.cudaMemcpyHostToDevice, self.stream))
        else:
            self.drv.memcpy_htod_async(ptr, host, self.stream)

    def download(self, host: np.ndarray, ptr: int) -> None:
        if self.cudart:
            _check(self.cudart.cudaMemcpyAsync(host.ctypes.data, ptr, host.nbytes,
                                               self.cudart.cudaMemcpyKind.cudaMemcpyDeviceToHost, self.stream))
        else:
            self.drv.memcpy_dtoh_async(host, ptr, self.stream)

    def copy(self, dst: int, src: int, nbytes: int) -> None:
        if self.cudart:
            _check(self.cudart.cudaMemcpyAsync(dst, src, nbytes,
                                               self.cudart.cudaMemcpyKind.cudaMemcpyDeviceToDevice, self.stream))
        else:
            self.drv.memcpy_dtod_async(dst, src, nbytes, self.stream)

    def sync(self) -> None:
        if self.cudart:
            _check(self.cudart.cudaStreamSynchronize(self.stream))
        else:
            self.stream.synchronize()
