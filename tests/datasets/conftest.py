"""A local HTTP server standing in for the Keras dataset hosts (no network needed)."""

from __future__ import annotations

import functools
import http.server
import os
import threading

import pytest


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - silence the per-request log
        pass

    def do_GET(self):  # noqa: N802 - http.server API
        self.server.requests.append(self.path)
        super().do_GET()


class LocalServer:
    def __init__(self, root: str) -> None:
        self.root = root
        handler = functools.partial(_Handler, directory=root)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.requests = []
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def requests(self) -> list[str]:
        return self.httpd.requests

    def path(self, name: str) -> str:
        return os.path.join(self.root, name)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(tmp_path, monkeypatch):
    """Serves ``tmp_path/www``; the dataset mirror points at it and ``KERAS_HOME`` is a fresh dir."""
    root = tmp_path / "www"
    root.mkdir()
    srv = LocalServer(str(root))
    monkeypatch.setenv("KERAS_TORCH_DATASETS_MIRROR", srv.url)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    yield srv
    srv.close()
