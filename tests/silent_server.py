"""A network camera that never answers: for start-up and reconnect paths that must not wait on it."""

from __future__ import annotations

import socket
import threading


class SilentServer:
    """A TCP server on a free loopback port that accepts connections and never says a word."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                self.accepted.append(self.listener.accept()[0])
            except OSError:  # closed
                return

    def waiting(self) -> int:
        """Connections accepted whose client is still there, waiting for an answer."""
        alive = 0
        for conn in self.accepted:
            conn.setblocking(False)
            try:
                alive += conn.recv(4096, socket.MSG_PEEK) != b""
            except BlockingIOError:
                alive += 1
            except OSError:
                pass
        return alive

    def close(self) -> None:
        self.listener.close()
        for conn in self.accepted:
            conn.close()
