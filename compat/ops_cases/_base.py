"""Case records and the input bank shared by the op-fixture generator and the keras_torch tests.

A case names an op by its Keras path (``"numpy.add"`` is ``keras.ops.numpy.add``, ``"image.resize"``
is ``keras.ops.image.resize``, ``"ops.cond"`` is ``keras.ops.cond``) and its arguments, where
``A("name")`` refers to an array of the input bank. A case with ``call`` instead runs
``call(keras_module, *arrays)``: the same code runs with real Keras and with keras_torch.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import numpy as np


@dataclasses.dataclass(frozen=True)
class A:
    """An argument taken from the input bank."""

    name: str


@dataclasses.dataclass(frozen=True)
class Case:
    """One op call compared with real Keras.

    Attributes:
        id: Unique key (``"numpy.add[0]"``).
        op: Keras path of the op (``"numpy.add"``); for a ``call`` case, the op it exercises.
        args: Positional arguments (``A`` references or constants).
        kwargs: Keyword arguments (``A`` references or constants).
        call: Optional ``call(K, *arrays)`` with ``K`` the keras(-torch) module; ``arrays`` are the
            ``A`` references of ``args`` resolved.
        symbolic: Also compare the output shapes of a symbolic call (first dim unknown).
        grad: Check the gradient with ``torch.autograd.gradcheck`` (float64) when outputs are float.
        tol: Relative tolerance of the float32 comparison (``atol`` is ``tol / 10``).
    """

    id: str
    op: str
    args: tuple = ()
    kwargs: dict = dataclasses.field(default_factory=dict)
    call: Callable[..., Any] | None = None
    symbolic: bool = True
    grad: bool = True
    tol: float = 1e-4

    def arrays(self) -> list[str]:
        """Names of the bank arrays this case reads, in argument order."""
        vals = list(self.args) + list(self.kwargs.values())
        out: list[str] = []
        for v in vals:
            for leaf in (v if isinstance(v, (list, tuple)) else [v]):
                if isinstance(leaf, A):
                    out.append(leaf.name)
        return out

    def resolve(self, K: Any) -> Callable[..., Any]:
        """The op function of module ``K`` (``keras`` or ``keras_torch``)."""
        mod, _, name = self.op.rpartition(".")
        obj = K.ops if mod == "ops" else getattr(K.ops, mod)
        return getattr(obj, name)

    def run(self, K: Any, bank: dict[str, Any]) -> Any:
        """Call the op of ``K`` with bank values substituted (values may be arrays or tensors)."""

        def sub(v: Any) -> Any:
            if isinstance(v, A):
                return bank[v.name]
            if isinstance(v, list):
                return [sub(x) for x in v]
            if isinstance(v, tuple):
                return tuple(sub(x) for x in v)
            return v

        args = [sub(a) for a in self.args]
        kwargs = {k: sub(v) for k, v in self.kwargs.items()}
        if self.call is not None:
            return self.call(K, *args, **kwargs)
        return self.resolve(K)(*args, **kwargs)


class Table:
    """Builds a list of cases with ids numbered per op."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.cases: list[Case] = []
        self._count: dict[str, int] = {}

    def add(self, op: str, *args: Any, call: Callable | None = None, symbolic: bool = True, grad: bool = True,
            tol: float = 1e-4, **kwargs: Any) -> None:
        n = self._count.get(op, 0)
        self._count[op] = n + 1
        self.cases.append(Case(f"{self.prefix}{op}[{n}]", op, tuple(args), dict(kwargs), call, symbolic, grad, tol))


def symbolic_inputs(tensor_type: Any, case: Case, bank: dict[str, np.ndarray], variant: str) -> dict[str, Any]:
    """Arguments of a symbolic call of ``case``.

    ``"first"``: the first array argument becomes ``tensor_type(shape with an unknown first dim)``
    and the other arrays stay concrete (a functional model's input and its constants);
    ``"static"``: every array becomes a ``tensor_type`` of its full shape.
    """
    names = list(dict.fromkeys(case.arrays()))
    if variant == "static":
        return {n: tensor_type(bank[n].shape, dtype=bank[n].dtype.name) for n in names}
    out: dict[str, Any] = dict(bank)
    if not names:
        return out
    first = names[0]
    out[first] = tensor_type((None,) + bank[first].shape[1:] if bank[first].ndim else (), dtype=bank[first].dtype.name)
    return out


def _spd(rng: np.random.Generator, n: int, batch: tuple = ()) -> np.ndarray:
    a = rng.normal(size=batch + (n, n))
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n)).astype(np.float32)


def make_bank(seed: int = 20250) -> dict[str, np.ndarray]:
    """The input arrays (small; deterministic for a given NumPy)."""
    rng = np.random.default_rng(seed)
    f32, i32 = np.float32, np.int32

    def normal(*shape: int) -> np.ndarray:
        return rng.normal(size=shape).astype(f32)

    def uniform(lo: float, hi: float, *shape: int) -> np.ndarray:
        return rng.uniform(lo, hi, size=shape).astype(f32)

    b: dict[str, np.ndarray] = {}
    b["x"], b["y"], b["z"] = normal(2, 3), normal(2, 3), normal(2, 3)
    b["row"], b["col"] = normal(3), normal(2, 1)
    b["pos"], b["pos2"] = uniform(0.5, 2.0, 2, 3), uniform(0.5, 2.0, 2, 3)
    b["unit"] = uniform(-0.9, 0.9, 2, 3)
    b["ge1"] = uniform(1.1, 3.0, 2, 3)
    b["prob"] = uniform(0.05, 0.95, 2, 3)
    b["x3"], b["y3"] = normal(2, 4, 3), normal(2, 4, 3)
    b["x4"] = normal(2, 3, 4, 5)
    b["v3"], b["w3"], b["v4"], b["v5"] = normal(3), normal(3), normal(4), normal(5)
    b["v8"] = normal(8)
    b["m33"], b["m34"], b["m43"], b["m44"] = normal(3, 3), normal(3, 4), normal(4, 3), normal(4, 4)
    b["bm33"], b["bm34"], b["bm43"] = normal(2, 3, 3), normal(2, 3, 4), normal(2, 4, 3)
    b["spd"], b["bspd"] = _spd(rng, 3), _spd(rng, 3, (2,))
    b["tril"] = (np.tril(normal(3, 3)) + 3 * np.eye(3)).astype(f32)
    b["xnan"] = normal(2, 4)
    b["xnan"][0, 1] = np.nan
    b["xnan"][1, 3] = np.nan
    b["x_nan2"] = normal(2, 4)
    b["x_nan2"][0, 1] = np.nan
    b["xinf"] = np.array([[1.0, np.inf, -np.inf], [np.nan, -2.0, 0.0]], f32)
    b["i"], b["j"] = rng.integers(-5, 6, size=(2, 3)).astype(i32), rng.integers(-5, 6, size=(2, 3)).astype(i32)
    b["ipos"], b["ipos2"] = rng.integers(1, 7, size=(2, 3)).astype(i32), rng.integers(1, 7, size=(2, 3)).astype(i32)
    b["ishift"] = rng.integers(0, 4, size=(2, 3)).astype(i32)
    b["b"], b["c"] = rng.random((2, 3)) > 0.5, rng.random((2, 3)) > 0.5
    b["idx"] = np.array([2, 0, 1, 1], i32)
    b["idx2"] = np.array([[0, 2, 1], [1, 1, 0]], i32)
    b["idx_col"] = np.array([[1], [0]], i32)
    b["sorted"] = np.sort(normal(6))
    b["ivec"] = np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3], i32)
    b["seg_ids"] = np.array([0, 0, 1, 2, 2, 2], i32)
    b["seg_data"] = normal(6, 2)
    b["img"] = uniform(0.0, 1.0, 2, 6, 6, 3)
    b["img_b"] = uniform(0.0, 1.0, 2, 6, 6, 3)
    b["img_cf"] = uniform(0.0, 1.0, 2, 3, 6, 6)
    b["vol"] = uniform(0.0, 1.0, 1, 4, 4, 4, 2)
    b["seq"] = normal(2, 8, 3)
    b["k1d"] = normal(3, 3, 4)
    b["k2d"] = normal(3, 3, 3, 4)
    b["k3d"] = normal(2, 2, 2, 2, 3)
    b["dk2d"] = normal(3, 3, 3, 2)
    b["pk2d"] = normal(1, 1, 6, 4)
    b["kt2d"] = normal(3, 3, 4, 3)
    b["vol2"] = normal(1, 4, 4, 4, 2)
    b["q"], b["k"], b["v"] = normal(2, 4, 2, 3), normal(2, 5, 2, 3), normal(2, 5, 2, 3)
    b["amask"] = rng.random((2, 2, 4, 5)) > 0.3
    b["abias"] = normal(2, 2, 4, 5)
    b["logits"] = normal(2, 5)
    b["labels"] = np.array([1, 4], i32)
    b["onehot"] = np.eye(5, dtype=f32)[[1, 4]]
    b["bin_t"] = (rng.random((2, 3)) > 0.5).astype(f32)
    b["ctc_y"] = np.array([[1, 2, 2, 0], [3, 1, 0, 0]], i32)
    b["ctc_x"] = normal(2, 7, 5)
    b["ctc_ylen"], b["ctc_xlen"] = np.array([3, 2], i32), np.array([7, 6], i32)
    b["affine"] = np.array([[1.1, 0.1, -0.5, 0.05, 0.9, 0.3, 0.0, 0.0], [0.9, -0.2, 0.7, 0.1, 1.2, -0.4, 0.01, 0.0]], f32)
    b["coords"] = uniform(-0.5, 5.5, 2, 4, 5)
    b["grid"] = uniform(0.0, 1.0, 5, 6)
    b["start_pts"] = np.array([[[0, 0], [5, 0], [0, 5], [5, 5]]], f32)
    b["end_pts"] = np.array([[[0.5, 0.2], [5.0, 0.6], [0.3, 4.6], [4.7, 5.2]]], f32)
    b["signal"] = normal(2, 32)
    b["cplx_re"], b["cplx_im"] = normal(2, 4), normal(2, 4)
    b["spec_re"], b["spec_im"] = normal(2, 8, 5), normal(2, 8, 5)
    b["bins"] = np.array([-1.0, 0.0, 0.5, 1.5], f32)
    b["topk_t"] = np.array([2, 0], i32)
    b["tangent"] = normal(2, 3)
    b["patch_img"] = uniform(0.0, 1.0, 1, 7, 7, 2)
    b["fold_x"] = normal(1, 8, 9)
    b["x0"] = normal(2, 3)
    b["x0"][0, 1] = b["x0"][1, 2] = 0.0
    b["x_close"] = (b["x"] + rng.choice([0.0, 5e-4, 0.1], size=(2, 3))).astype(f32)
    b["sorted3"] = np.sort(normal(3))
    b["bc"] = np.array([0, 1, 1, 3, 2, 1, 5], i32)
    b["bc_w"] = uniform(0.0, 1.0, 7)
    b["bm43r"] = normal(2, 4, 3)
    b["it"] = rng.integers(-3, 4, size=(3, 2)).astype(i32)
    b["m54"] = normal(5, 4)
    b["idx_neg"] = np.array([-1, 0, 2], i32)
    b["kt1d"] = normal(3, 2, 3)
    b["dts"], b["dts_cf"] = normal(1, 2, 3, 8), normal(1, 8, 2, 3)
    b["pos_v3"] = uniform(0.5, 2.0, 3)
    e = np.exp(b["logits"] - b["logits"].max(-1, keepdims=True))
    b["softmax_p"] = (e / e.sum(-1, keepdims=True)).astype(f32)
    b["ctc_y1"] = np.array([[1, 2, 2, 3], [3, 1, 0, 0]], i32)
    b["q3"], b["k3"], b["v3a"] = normal(2, 4, 3), normal(2, 5, 3), normal(2, 5, 3)
    b["big"] = np.array([[-300.5, -20.2, 0.7], [100.9, 255.5, 1e4]], f32)
    b["upd"] = normal(2, 2, 3)
    b["sc_idx"], b["sc_val"] = np.array([[0, 1], [2, 2], [3, 0]], i32), normal(3)
    b["sc_idx1"], b["sc_rows"] = np.array([[1], [3]], i32), normal(2, 3)
    b["cd_y"] = normal(2, 5, 3)
    b["triu"] = b["tril"].T.copy()
    b["m43b"] = normal(4, 3)
    b["rank2"] = (normal(4, 2) @ normal(2, 3)).astype(f32)
    b["vc"] = normal(2, 3, 2)
    stft_n = 32 // 4 + 1
    b["stft_re"], b["stft_im"] = normal(2, stft_n, 5), normal(2, stft_n, 5)
    b["stft_im"][..., 0] = 0.0
    b["stft_im"][..., -1] = 0.0
    b["img1"] = uniform(0.0, 1.0, 6, 6, 3)
    b["hsv"] = np.stack([uniform(0.0, 1.0, 2, 6, 6), uniform(0.0, 1.0, 2, 6, 6), uniform(0.0, 1.0, 2, 6, 6)], -1)
    b["sat_scale"], b["sat_scale2"] = np.array([1.5, 1.2], f32), np.array([0.6, 0.7], f32)
    b["sat_shift"] = np.array([0.45, -0.35], f32)  # off the kernels' kinks (gradcheck)
    return b
