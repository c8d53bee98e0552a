"""``keras.callbacks.RemoteMonitor``."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings
from typing import Any

import numpy as np

from keras_torch.callbacks._utils import tensor_to_python
from keras_torch.callbacks.callback import Callback
from keras_torch.core.registry import register


@register("RemoteMonitor", category="callbacks")
class RemoteMonitor(Callback):
    """POST the epoch's logs to a server at the end of every epoch.

    The payload is ``{"epoch": epoch, **logs}``: sent as a form field ``field`` holding its JSON
    (``application/x-www-form-urlencoded``, Keras's default) or, with ``send_as_json``, as the JSON
    body. An unreachable server only warns. Uses the standard library (Keras uses ``requests``).

    Args:
        root: Server root URL (default ``"http://localhost:9000"``).
        path: Path appended to ``root`` (default ``"/publish/epoch/end/"``).
        field: Form field of the JSON payload (default ``"data"``).
        headers: Extra HTTP headers.
        send_as_json: Send the payload as the JSON request body (default ``False``).
        timeout: Seconds to wait for the server (``requests`` waits without limit).

    Example:

    >>> monitor = keras.callbacks.RemoteMonitor(root="http://localhost:9000", path="/publish/epoch/end/")
    >>> monitor.root
    'http://localhost:9000'
    """

    def __init__(self, root: str = "http://localhost:9000", path: str = "/publish/epoch/end/", field: str = "data",
                 headers: dict[str, str] | None = None, send_as_json: bool = False, timeout: float = 10.0) -> None:
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json
        self.timeout = timeout

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        send: dict[str, Any] = {"epoch": epoch}
        for key, value in (logs or {}).items():
            value = tensor_to_python(value)
            send[key] = value.item() if isinstance(value, (np.ndarray, np.generic)) else value
        if self.send_as_json:
            body = json.dumps(send).encode()
            content_type = "application/json"
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode()
            content_type = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.root + self.path, data=body, method="POST",
                                         headers={"Content-Type": content_type, **(self.headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout):
                pass
        except urllib.error.HTTPError:
            pass  # the server answered (with an error status, which requests does not raise on either)
        except (urllib.error.URLError, OSError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}", stacklevel=2)
