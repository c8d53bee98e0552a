"""A local HTTP server standing in for Keras's weight and class-index hosts (no network needed)."""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - silence the per-request log
        pass

    def do_GET(self):  # noqa: N802 - http.server API
        self.server.requests.append(self.path)
        super().do_GET()


@pytest.fixture
def weights_server(tmp_path, monkeypatch):
    """Serves ``tmp_path/www`` as both mirrors (models and datasets); ``KERAS_HOME`` is a fresh dir."""
    root = tmp_path / "www"
    root.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))
    httpd.requests = []
    url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("KERAS_TORCH_MODELS_MIRROR", url)
    monkeypatch.setenv("KERAS_TORCH_DATASETS_MIRROR", url)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    httpd.root = root
    yield httpd
    httpd.shutdown()
    httpd.server_close()
