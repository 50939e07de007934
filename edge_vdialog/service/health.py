"""``/healthz`` and ``/metrics`` over HTTP (stdlib server in a daemon thread).

Bound to 127.0.0.1 by default and off unless ``[metrics] enabled = true``. ``/healthz`` answers
200 with ``{"status": "ok", ...}`` or 503 with ``{"status": "degraded", "reasons": [...]}``;
``/metrics`` is the Prometheus text exposition of the Telemetry registry.

At most :data:`MAX_CLIENTS` connections are served at once (more are closed unanswered) and a
client silent for :data:`CLIENT_TIMEOUT_S` is dropped, so idle or stuck clients cannot pile up
threads; a client that goes away mid-request is logged at debug level, never as a traceback.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from edge_vdialog.errors import ConfigError
from edge_vdialog.settings import Engines
from edge_vdialog.telemetry import Telemetry

log = logging.getLogger(__name__)

MAX_CLIENTS = 8
"""Connections served at once; a scraper needs one."""
CLIENT_TIMEOUT_S = 5.0
"""A client that sends nothing for this long is disconnected, seconds."""


def provider_fallback(engines: Engines, running: str) -> str | None:
    """Why inference running on ``running`` is degraded, or None.

    Only providers the operator listed (``[engines] providers``) count: the default list means
    "first available wins", so a CPU-only machine running on the CPU is as configured."""
    if engines.backend == "tensorrt" and running != "tensorrt":
        return f"TensorRT backend not running: {running}"
    wanted = engines.providers
    if "providers" not in engines.model_fields_set or wanted[0] == "cpu" or "cpu" not in running.lower():
        return None
    return f"inference fell back to CPU ({running}; configured: {', '.join(wanted)})"


class HealthServer:
    """Serves until :meth:`close`; ``port`` is the bound one (useful with port 0)."""

    def __init__(self, bind: str, port: int, telemetry: Telemetry,
                 reasons: Callable[[], list[str]]) -> None:
        handler = type("Handler", (_Handler,), {"telemetry": telemetry, "reasons": staticmethod(reasons)})
        try:
            self._server = _BoundedServer((bind, port), handler)
        except OSError as e:
            raise ConfigError(f"cannot serve metrics on {bind}:{port}: {e.strerror or e}",
                              "choose another [metrics] bind/port or free that one") from None
        self.bind, self.port = self._server.server_address[:2]
        self._thread = threading.Thread(target=self._server.serve_forever, name="health",
                                        kwargs={"poll_interval": 0.2}, daemon=True)

    def start(self) -> HealthServer:
        self._thread.start()
        log.info("health and metrics on http://%s:%d/healthz and /metrics", self.bind, self.port)
        return self

    def close(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()


class _BoundedServer(ThreadingHTTPServer):
    """One daemon thread per connection, at most MAX_CLIENTS of them; errors logged, not printed."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._slots = threading.BoundedSemaphore(MAX_CLIENTS)

    def process_request(self, request, client_address) -> None:
        if not self._slots.acquire(blocking=False):
            log.debug("http %s: %d clients already, closed", client_address[0], MAX_CLIENTS)
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request, client_address) -> None:
        log.debug("http %s: %s", client_address[0], sys.exc_info()[1])


class _Handler(BaseHTTPRequestHandler):
    telemetry: Telemetry
    reasons: Callable[[], list[str]]
    timeout = CLIENT_TIMEOUT_S

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            reasons = self.reasons()
            body = {"status": "degraded" if reasons else "ok", "reasons": reasons,
                    **self.telemetry.snapshot()}
            self._reply(503 if reasons else 200, "application/json",
                        json.dumps(body).encode() + b"\n")
        elif path == "/metrics":
            self._reply(200, CONTENT_TYPE_LATEST, generate_latest(self.telemetry.registry))
        else:
            self._reply(404, "text/plain", b"not found: try /healthz or /metrics\n")

    def _reply(self, code: int, ctype: str, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt: str, *args: object) -> None:
        log.debug("http %s - " + fmt, self.client_address[0], *args)
