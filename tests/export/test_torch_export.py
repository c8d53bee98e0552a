"""``format="torch"``: a ``torch.export`` program (``.pt2``) that plain ``torch.export.load`` runs."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

from keras_torch.export import export_torch

from ._helpers import CASES_BY_NAME, ROOT, build_case, keras, load_fixture, predict, seeded


def _run_pt2(path, xs):
    program = torch.export.load(str(path))
    with torch.no_grad():
        out = program.module()(*[torch.from_numpy(x) for x in xs])
    return [o.numpy() for o in out]


def _close(got, want, atol=1e-5):
    assert len(got) == len(want)
    for a, b in zip(got, want):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, atol=atol, rtol=1e-4)


@pytest.fixture(scope="module")
def mlp_pt2(tmp_path_factory):
    case = CASES_BY_NAME["dense_stack_softmax"]
    data = load_fixture(case)
    model = build_case(case, data)
    return model, data, model.export(str(tmp_path_factory.mktemp("pt2") / "mlp.pt2"), format="torch")


@pytest.mark.parametrize("name", ["dense_stack_softmax", "conv2d_same_stride2_odd", "lstm_relu_tutorial",
                                  "multi_input_multi_output"])
def test_pt2_matches_predict_with_dynamic_batch(name, tmp_path, mlp_pt2):
    case = CASES_BY_NAME[name]
    if name == "dense_stack_softmax":
        model, data, path = mlp_pt2
    else:
        data = load_fixture(case)
        model = build_case(case, data)
        path = model.export(str(tmp_path / "m.pt2"), format="torch")
    xs = [data[f"x_{i}"] for i in range(int(data["n_inputs"]))]
    for batch in (1, len(xs[0]), 5):  # dynamic batch, batch 1 included
        xb = [np.concatenate([x] * 5, 0)[:batch] for x in xs]
        _close(_run_pt2(path, xb), predict(model, xb), atol=max(case.atol, 1e-5))


def test_pt2_masked_rnn_and_time_axis_report(tmp_path):
    model = keras.Sequential([keras.Input(shape=(None,), dtype="int32"), keras.layers.Embedding(10, 4, mask_zero=True),
                              keras.layers.GRU(3)])
    with pytest.warns(UserWarning, match="kept these axes dynamic"):
        path, kept = export_torch(model, tmp_path / "g.pt2", return_info=True, verify=True)
    assert list(kept.values()) == [[0]]  # torch.export specialises the time loop; batch stays dynamic
    x = np.array([[1, 2, 0, 0, 0, 0, 0], [0, 0, 3, 4, 5, 6, 7], [1, 0, 2, 0, 3, 0, 4]], "int32")
    _close(_run_pt2(path, [x]), predict(model, [x]))


def test_pt2_dynamic_time_for_convolutions(tmp_path):
    model = keras.Sequential([keras.Input(shape=(None, 3)), keras.layers.Conv1D(4, 3, padding="same"),
                              keras.layers.GlobalAveragePooling1D()])
    path, kept = export_torch(model, tmp_path / "c.pt2", return_info=True, verify=True)
    assert list(kept.values()) == [[0, 1]]
    for shape in ((1, 5, 3), (3, 12, 3)):
        x = seeded(*shape)
        _close(_run_pt2(path, [x]), predict(model, [x]))


@pytest.mark.slow
def test_pt2_loads_without_keras_torch(tmp_path, mlp_pt2):
    model, _, path = mlp_pt2
    x = seeded(3, 5)
    np.save(tmp_path / "x.npy", x)
    want = predict(model, [x])[0]
    code = textwrap.dedent(f"""
        import sys, numpy as np, torch
        program = torch.export.load({str(path)!r})
        (y,) = program.module()(torch.from_numpy(np.load({str(tmp_path / 'x.npy')!r})))
        assert not any(m.startswith("keras_torch") for m in sys.modules), "keras_torch was imported"
        np.save({str(tmp_path / 'y.npy')!r}, y.detach().numpy())
    """)
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(tmp_path), timeout=120,
                   env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ""} | _torch_env())
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), want, atol=1e-6)
    assert ROOT.exists()


def _torch_env():
    import os

    keep = {k: v for k, v in os.environ.items() if k in ("HOME", "LD_LIBRARY_PATH", "PYENV_ROOT", "PYENV_VERSION")}
    keep["OMP_NUM_THREADS"] = "1"
    return keep
