"""Regenerate ``rnn_reference_*.npz`` with real Keras 3 (run with the reference venv, not keras_torch).

    KERAS_BACKEND=tensorflow /opt/kref/bin/python tests/layers/data/rnn_make_reference.py

Each case is a layer expression evaluated with ``L`` bound to the layers module, so the test can
build the same layer in keras_torch, load the same weights and compare outputs.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import json  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402

L = keras.layers

# name: (layer expression, mask (False, "mixed" or "block"), initial-state shapes or None, input shape)
CASES = {
    "lstm_default": ("L.LSTM(4, return_sequences=True)", False, None, (2, 5, 3)),
    "lstm_last": ("L.LSTM(4)", False, None, (2, 5, 3)),
    "lstm_relu": ("L.LSTM(4, activation='relu', return_sequences=True)", False, None, (2, 5, 3)),
    "lstm_hard_sigmoid": ("L.LSTM(4, recurrent_activation='hard_sigmoid', return_sequences=True)", False, None, (2, 5, 3)),
    "lstm_nobias": ("L.LSTM(4, use_bias=False, return_sequences=True)", False, None, (2, 5, 3)),
    "lstm_state_back": ("L.LSTM(4, return_sequences=True, return_state=True, go_backwards=True)", False, None, (2, 5, 3)),
    "lstm_init_state": ("L.LSTM(4, return_sequences=True, return_state=True)", False, [(2, 4), (2, 4)], (2, 5, 3)),
    "lstm_mask": ("L.LSTM(4, return_sequences=True, return_state=True)", "mixed", None, (3, 5, 3)),
    "lstm_mask_relu_back": ("L.LSTM(4, activation='relu', return_sequences=True, go_backwards=True)", "mixed", None, (3, 5, 3)),
    "lstm_mask_init": ("L.LSTM(4, return_sequences=True, return_state=True)", "mixed", [(3, 4), (3, 4)], (3, 5, 3)),
    "gru_after": ("L.GRU(4, return_sequences=True, return_state=True)", False, None, (2, 5, 3)),
    "gru_before": ("L.GRU(4, reset_after=False, return_sequences=True, return_state=True)", False, None, (2, 5, 3)),
    "gru_after_nobias": ("L.GRU(4, use_bias=False, return_sequences=True)", False, None, (2, 5, 3)),
    "gru_back_init": ("L.GRU(4, go_backwards=True, return_state=True)", False, [(2, 4)], (2, 5, 3)),
    "gru_mask": ("L.GRU(4, return_sequences=True, return_state=True)", "mixed", None, (3, 5, 3)),
    "gru_before_mask": ("L.GRU(4, reset_after=False, return_sequences=True)", "mixed", None, (3, 5, 3)),
    "gru_relu_hard": ("L.GRU(4, activation='relu', recurrent_activation='hard_sigmoid', return_sequences=True)", False, None, (2, 5, 3)),
    "simple": ("L.SimpleRNN(4, return_sequences=True, return_state=True)", False, None, (2, 5, 3)),
    "simple_relu_back": ("L.SimpleRNN(4, activation='relu', go_backwards=True, return_sequences=True)", False, None, (2, 5, 3)),
    "simple_elu": ("L.SimpleRNN(4, activation='elu')", False, None, (2, 5, 3)),
    "simple_mask": ("L.SimpleRNN(4, return_sequences=True)", "mixed", None, (3, 5, 3)),
    "simple_zero_mask": ("L.SimpleRNN(4, return_sequences=True, zero_output_for_mask=True)", "mixed", None, (3, 5, 3)),
    "rnn_lstmcell": ("L.RNN(L.LSTMCell(4), return_sequences=True, return_state=True)", False, None, (2, 5, 3)),
    "rnn_stacked": ("L.RNN([L.LSTMCell(4), L.GRUCell(3), L.SimpleRNNCell(2)], return_sequences=True, return_state=True)", False, None, (2, 5, 3)),
    "rnn_stacked_mask_back": ("L.RNN(L.StackedRNNCells([L.GRUCell(4, reset_after=False), L.LSTMCell(3, activation='relu')]), return_sequences=True, return_state=True, go_backwards=True)", "mixed", None, (3, 5, 3)),
    "bidi_concat": ("L.Bidirectional(L.LSTM(4, return_sequences=True))", False, None, (2, 5, 3)),
    "bidi_sum": ("L.Bidirectional(L.GRU(4, return_sequences=True), merge_mode='sum')", False, None, (2, 5, 3)),
    "bidi_mul": ("L.Bidirectional(L.SimpleRNN(4), merge_mode='mul')", False, None, (2, 5, 3)),
    "bidi_ave": ("L.Bidirectional(L.LSTM(4, activation='relu'), merge_mode='ave')", False, None, (2, 5, 3)),
    "bidi_none_state": ("L.Bidirectional(L.LSTM(4, return_sequences=True, return_state=True), merge_mode=None)", False, None, (2, 5, 3)),
    "bidi_state": ("L.Bidirectional(L.GRU(4, return_state=True))", False, None, (2, 5, 3)),
    "bidi_mask": ("L.Bidirectional(L.LSTM(4, return_sequences=True))", "mixed", None, (3, 5, 3)),
    "bidi_mask_last": ("L.Bidirectional(L.GRU(4), merge_mode='sum')", "mixed", None, (3, 5, 3)),
    "bidi_backward_layer": ("L.Bidirectional(L.LSTM(4, return_sequences=True), backward_layer=L.GRU(4, return_sequences=True, go_backwards=True))", False, None, (2, 5, 3)),
    "bidi_init": ("L.Bidirectional(L.LSTM(4, return_sequences=True))", False, [(2, 4), (2, 4), (2, 4), (2, 4)], (2, 5, 3)),
    "lstm_block": ("L.LSTM(4, return_sequences=True, return_state=True)", "block", None, (4, 5, 3)),
    "lstm_block_back_init": ("L.LSTM(4, return_sequences=True, return_state=True, go_backwards=True)", "block", [(4, 4), (4, 4)], (4, 5, 3)),
    "lstm_block_last_zero": ("L.LSTM(4, zero_output_for_mask=True)", "block", None, (4, 5, 3)),
    "gru_block": ("L.GRU(4, return_sequences=True, return_state=True, go_backwards=True)", "block", None, (4, 5, 3)),
    "gru_block_zero": ("L.GRU(4, return_sequences=True, zero_output_for_mask=True)", "block", [(4, 4)], (4, 5, 3)),
    "simple_block": ("L.SimpleRNN(4, activation='relu', return_sequences=True)", "block", None, (4, 5, 3)),
    "bidi_block": ("L.Bidirectional(L.LSTM(4, return_sequences=True, return_state=True))", "block", None, (4, 5, 3)),
    "rnn_block_stacked": ("L.RNN([L.LSTMCell(4), L.GRUCell(3)], return_sequences=True)", "block", None, (4, 5, 3)),
    "td_dense": ("L.TimeDistributed(L.Dense(3, activation='relu'))", False, None, (2, 5, 3)),
    "td_conv": ("L.TimeDistributed(L.Conv2D(2, 3, padding='same'))", False, None, (2, 3, 5, 5, 2)),
}

MASKS = {
    # a right-padded row, a row with holes (leading masked step too) and a fully masked row
    "mixed": np.array([[1, 1, 1, 0, 0], [0, 1, 1, 0, 1], [0, 0, 0, 0, 0]], dtype=bool),
    # one contiguous block of valid steps per row (what pad_sequences + mask_zero gives)
    "block": np.array([[1, 1, 1, 0, 0], [0, 0, 1, 1, 1], [0, 0, 0, 0, 0], [1, 1, 1, 1, 1]], dtype=bool),
}


def main() -> None:
    rng = np.random.default_rng(0)
    out: dict[str, dict] = {}
    for name, (expr, use_mask, init_shapes, in_shape) in CASES.items():
        layer = eval(expr, {"L": L})
        x = rng.normal(size=in_shape).astype("float32")
        kwargs = {}
        if use_mask:
            kwargs["mask"] = MASKS[use_mask][: in_shape[0], : in_shape[1]]
        inits = [rng.normal(size=s).astype("float32") for s in init_shapes or []]
        if inits:
            kwargs["initial_state"] = inits
        layer.build(in_shape)
        weights = [rng.uniform(-0.7, 0.7, size=w.shape).astype("float32") for w in layer.get_weights()]
        layer.set_weights(weights)
        y = layer(x, **kwargs)
        flat = keras.tree.flatten(y)
        ys = [keras.ops.convert_to_numpy(o) for o in flat]
        # One flat array + a JSON header per case keeps the files small (few zip entries).
        groups = {"x": [x], "init": inits, "w": weights, "y": ys}
        meta = {"expr": expr, "mask": use_mask, **{k: [list(a.shape) for a in v] for k, v in groups.items()}}
        data = np.concatenate([a.ravel() for v in groups.values() for a in v]).astype("float32")
        family = {"simple": "rnn"}.get(name.split("_")[0], name.split("_")[0])
        family = "bidi_mask" if name.startswith(("bidi_mask", "bidi_block")) else family
        out.setdefault(family, {})[name] = (json.dumps(meta), data)
    here = os.path.dirname(os.path.abspath(__file__))
    for family, cases in out.items():
        arrays = {f"{n}.meta": np.array(m) for n, (m, _) in cases.items()}
        arrays.update({f"{n}.data": d for n, (_, d) in cases.items()})
        arrays.update({f"mask_{k}": v for k, v in MASKS.items()})
        path = os.path.join(here, f"rnn_reference_{family}.npz")
        np.savez_compressed(path, **arrays)
        print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
