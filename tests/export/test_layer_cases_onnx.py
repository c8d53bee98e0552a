"""Every ``compat/layer_cases.py`` model exports to ONNX and matches ``model.predict`` in onnxruntime.

* all 200 cases: exported once (traced at batch 2), checked at the fixture batch size and at a
  different batch size (dynamic batch axis);
* the sequence cases, rebuilt with a ``None`` time axis: checked at the fixture length and at a
  longer one (dynamic time axis, recurrent layers included);
* a table of layer families with the layers the cases do not cover.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from keras_torch.export import export_onnx

from ._helpers import (
    CASES,
    CASES_BY_NAME,
    FIXTURES,
    DynamicTime,
    assert_close,
    build_case,
    fixture_inputs,
    keras,
    load_fixture,
    onnx_io,
    ort_run,
    ort_session,
    predict,
    resize_batch,
    resize_time,
    seeded,
)

# Cases whose inputs are sequences: rebuilt with Input(shape=(None, ...)) and run at two lengths.
SEQUENCE_CASES = [
    # recurrent: fused kernels, Python-loop cells (relu / hard_sigmoid / GRU reset_before), masks
    "lstm_return_sequences", "lstm_return_state", "lstm_go_backwards", "lstm_relu_tutorial",
    "lstm_hard_sigmoid", "lstm_dropout_inference", "lstm_no_bias", "gru_reset_after", "gru_reset_before",
    "gru_return_state_backwards", "simple_rnn_seq", "simple_rnn_relu_state", "rnn_lstm_cell",
    "rnn_stacked_cells", "rnn_gru_cell_reset_before_backwards", "bidirectional_lstm_concat",
    "bidirectional_lstm_sum", "bidirectional_lstm_mul", "bidirectional_lstm_ave", "bidirectional_gru_merge_none",
    "bidirectional_lstm_return_state", "bidirectional_explicit_backward_layer", "embedding_mask_zero_lstm",
    "embedding_mask_zero_lstm_seq", "embedding_mask_zero_gru", "embedding_mask_zero_bidirectional",
    "embedding_mask_zero_stacked_lstm", "masking_lstm", "masking_gru", "multi_input_multi_output",
    # other sequence layers
    "time_distributed_dense", "time_distributed_conv2d", "conv1d_valid", "conv1d_same_stride2_even_kernel",
    "conv1d_causal_dilation2", "depthwise_conv1d_mult2", "separable_conv1d", "conv1d_transpose_same_s2",
    "max_pool1d_same", "avg_pool1d_same", "global_avg_pool1d_masked", "global_max_pool1d",
    "mha_self_attention", "mha_causal_mask", "attention_concat_scale_causal", "layernorm_last_axis",
    "zero_padding1d_asym", "cropping1d", "upsampling1d", "reshape_minus_one",
]


def _params(names=None):
    out = []
    for c in CASES if names is None else [CASES_BY_NAME[n] for n in names]:
        marks = () if (FIXTURES / f"{c.name}.npz").exists() else pytest.mark.skip(reason="no fixture")
        out.append(pytest.param(c, id=c.name, marks=marks))
    return out


def _check(case, model, path, xs):
    got = ort_run(ort_session(path), xs)
    want = predict(model, xs)
    assert_close(got, want, atol=case.atol, rtol=case.rtol, what=f"{case.name} {[x.shape for x in xs]}")


@pytest.mark.parametrize("case", _params())
def test_case_exports_dynamic_batch(case, tmp_path):
    data = load_fixture(case)
    model = build_case(case, data)
    path = export_onnx(model, tmp_path / "m.onnx")
    session = ort_session(path)
    xs = fixture_inputs(data)
    for batch in sorted({len(xs[0]), len(xs[0]) + 3}):
        xb = resize_batch(xs, batch)
        assert_close(ort_run(session, xb), predict(model, xb), atol=case.atol, rtol=case.rtol,
                     what=f"{case.name} batch {batch}")
    ins, _ = onnx_io(path)
    assert all(dims[0] == "batch" for _, dims in ins), ins


def test_sequence_case_list_is_valid():
    assert len(SEQUENCE_CASES) == len(set(SEQUENCE_CASES))
    assert all(n in CASES_BY_NAME for n in SEQUENCE_CASES)


@pytest.mark.parametrize("case", _params(SEQUENCE_CASES))
def test_sequence_case_dynamic_time(case, tmp_path):
    data = load_fixture(case)
    model = build_case(case, data, DynamicTime(keras))
    assert any(s[1] is None for s in (t.shape for t in model.inputs))
    path = export_onnx(model, tmp_path / "m.onnx")
    session = ort_session(path)
    xs = fixture_inputs(data)
    timed = [len(t.shape) > 1 and t.shape[1] is None for t in model.inputs]
    steps = xs[0].shape[1]
    for t in (steps, steps + 6):
        xt = [resize_time([x], t)[0] if dyn else x for x, dyn in zip(xs, timed)]
        assert_close(ort_run(session, xt), predict(model, xt), atol=case.atol, rtol=case.rtol,
                     what=f"{case.name} T={t}")
    ins, _ = onnx_io(path)
    assert isinstance(ins[0][1][1], str), f"time axis not dynamic: {ins}"


# ----------------------------------------------------------------- families not covered by the cases
class _Scale(keras.layers.Layer):
    """A custom layer (subclassing Layer, own weight)."""

    def build(self, input_shape):
        self.s = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        return x * self.s + keras.ops.tanh(x)


def _einsum_dense(k):
    return k.Sequential([k.Input(shape=(None, 4)), k.layers.EinsumDense("abc,cd->abd", output_shape=(None, 3),
                                                                       bias_axes="d")])


def _lambda_ops(k):
    return k.Sequential([k.Input(shape=(5,)), k.layers.Dense(4), k.layers.Lambda(lambda t: k.ops.square(t) - t)])


def _torch_module(k):
    return k.Sequential([k.Input(shape=(5,)), k.layers.TorchModuleWrapper(torch.nn.Linear(5, 3)),
                         k.layers.Dense(2)])


def _custom_layer(k):
    return k.Sequential([k.Input(shape=(None, 4)), _Scale(), k.layers.GlobalAveragePooling1D()])


def _subclassed(k):
    class Net(k.Model):
        def __init__(self):
            super().__init__()
            self.a = k.layers.Dense(4, activation="relu")
            self.b = k.layers.Dense(2)

        def call(self, x):
            return self.b(self.a(x))

    net = Net()
    net(np.zeros((1, 5), "float32"))
    return net


def _relu_lstm_stack(k):
    return k.Sequential([k.Input(shape=(None, 3)), k.layers.LSTM(4, activation="relu", return_sequences=True),
                         k.layers.GRU(3, reset_after=False, return_sequences=True),
                         k.layers.SimpleRNN(2, activation="relu")])


def _aliases(k):
    x = k.Input(shape=(8, 8, 2))
    h = k.layers.Convolution2D(3, 3)(x)
    h = k.layers.MaxPool2D()(h)
    h = k.layers.GlobalAvgPool2D()(h)
    return k.Model(x, k.layers.Maximum()([h, k.layers.Dense(3)(h)]))


FAMILIES = {
    "einsum_dense": (_einsum_dense, (2, 5, 4)),
    "lambda_keras_ops": (_lambda_ops, (2, 5)),
    "torch_module_wrapper": (_torch_module, (2, 5)),
    "custom_layer": (_custom_layer, (2, 5, 4)),
    "subclassed_model": (_subclassed, (2, 5)),
    "stacked_loop_rnns": (_relu_lstm_stack, (2, 5, 3)),
    "layer_aliases": (_aliases, (2, 8, 8, 2)),
}


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_layer_family_exports(name, tmp_path):
    build, shape = FAMILIES[name]
    model = build(keras)
    sig = None if getattr(model, "inputs", None) else [(None,) + shape[1:]]
    path = export_onnx(model, tmp_path / "m.onnx", input_signature=sig)
    session = ort_session(path)
    dyn_time = len(shape) == 3 and (sig is None and model.inputs[0].shape[1] is None)
    sizes = [shape, (4,) + shape[1:]] + ([(3, shape[1] + 4) + shape[2:]] if dyn_time else [])
    for i, s in enumerate(sizes):
        x = [seeded(*s, seed=i)]
        assert_close(ort_run(session, x), predict(model, x), what=f"{name} {s}")
