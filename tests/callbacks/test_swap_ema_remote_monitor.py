"""SwapEMAWeights and RemoteMonitor (against a local HTTP server on 127.0.0.1)."""

from __future__ import annotations

import http.server
import json
import threading
import urllib.parse

import numpy as np
import pytest
import torch

import keras_torch as keras


def _data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 3)).astype("float32")
    return x, x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")


def _model(use_ema=True):
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05, use_ema=use_ema, ema_momentum=0.5), loss="mse")
    return model


def _weights(model):
    return [w.detach().clone() for w in model.trainable_weights]


def test_evaluate_and_predict_use_the_averages_then_swap_back():
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    weights = _weights(model)
    averages = [a.detach().clone() for a in model.optimizer._model_variables_moving_average]
    assert not all(torch.equal(a, w) for a, w in zip(averages, weights))
    swap = keras.callbacks.SwapEMAWeights()
    loss = model.evaluate(x, y, verbose=0, callbacks=[swap])
    with torch.no_grad():
        expected = float(((torch.from_numpy(x) @ averages[0].t() + averages[1] - torch.from_numpy(y)) ** 2).mean())
    assert loss == pytest.approx(expected, rel=1e-5)
    for w, ref in zip(model.trainable_weights, weights):  # swapped back
        torch.testing.assert_close(w.detach(), ref)
    pred = model.predict(x, verbose=0, callbacks=[swap])
    np.testing.assert_allclose(pred, (x @ averages[0].t().numpy() + averages[1].numpy()), atol=1e-5)
    for w, ref in zip(model.trainable_weights, weights):
        torch.testing.assert_close(w.detach(), ref)


def test_swap_on_epoch_ends_fit_with_the_averages():
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=3, batch_size=8, verbose=0, validation_data=(x, y),
              callbacks=[keras.callbacks.SwapEMAWeights(swap_on_epoch=True)])
    for w, a in zip(model.trainable_weights, model.optimizer._model_variables_moving_average):
        torch.testing.assert_close(w.detach(), a.detach())


def test_requires_an_ema_optimizer():
    x, y = _data()
    model = _model(use_ema=False)
    model.fit(x, y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="use_ema=True"):
        model.evaluate(x, y, verbose=0, callbacks=[keras.callbacks.SwapEMAWeights()])


class _Recorder(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - http.server API
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        type(self).received.append((self.path, dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture()
def server():
    _Recorder.received = []
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Recorder.received
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("as_json", [False, True], ids=["form", "json"])
def test_remote_monitor_posts_epoch_logs(server, as_json):
    root, received = server
    x, y = _data()
    model = _model(use_ema=False)
    monitor = keras.callbacks.RemoteMonitor(root=root, path="/epoch/", field="payload", send_as_json=as_json,
                                            headers={"X-Run": "7"})
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0, validation_data=(x, y), callbacks=[monitor])
    assert len(received) == 2
    for epoch, (path, headers, body) in enumerate(received):
        assert path == "/epoch/" and headers["X-Run"] == "7"
        if as_json:
            assert headers["Content-Type"] == "application/json"
            payload = json.loads(body)
        else:
            assert headers["Content-Type"] == "application/x-www-form-urlencoded"
            payload = json.loads(urllib.parse.parse_qs(body)["payload"][0])
        assert payload["epoch"] == epoch
        assert payload["loss"] == pytest.approx(history.history["loss"][epoch])
        assert payload["val_loss"] == pytest.approx(history.history["val_loss"][epoch])


def test_remote_monitor_warns_when_unreachable():
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monitor = keras.callbacks.RemoteMonitor(root=f"http://127.0.0.1:{port}")
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor"):
        monitor.on_epoch_end(0, {"loss": np.float32(0.5)})
