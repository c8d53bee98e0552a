"""Compiled loss and metrics containers: map user specs onto model outputs (Keras 3 rules)."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import tree
from keras_torch.metrics.metric import Metric


def _as_output_list(y: Any, output_names: list[str]) -> list[Any]:
    """Flatten y (single, list or dict keyed by output names) into output order."""
    if isinstance(y, dict):
        missing = [n for n in output_names if n not in y]
        if missing and len(output_names) == len(y) == 1:
            return list(y.values())
        if missing:
            raise ValueError(f"Missing targets for outputs {missing}. Received keys: {list(y)}; "
                             f"model outputs are {output_names}.")
        return [y[n] for n in output_names]
    if isinstance(y, (list, tuple)) and len(output_names) > 1:
        return list(y)
    return [y]


def _spec_per_output(spec: Any, output_names: list[str], what: str) -> list[Any]:
    n = len(output_names)
    if isinstance(spec, dict):
        unknown = [k for k in spec if k not in output_names]
        if unknown:
            from keras_torch.core.registry import did_you_mean

            raise ValueError(f"In the dict argument `{what}`, key '{unknown[0]}' does not correspond to any model "
                             f"output. Received: {what}={spec}; model outputs: {output_names}."
                             f"{did_you_mean(str(unknown[0]), output_names)}")
        return [spec.get(name) for name in output_names]
    if isinstance(spec, (list, tuple)) and n > 1:
        if len(spec) != n:
            raise ValueError(f"`{what}` should have {n} entries (one per output), received {len(spec)}: {spec}")
        return list(spec)
    if isinstance(spec, (list, tuple)) and n == 1 and what == "loss":
        if len(spec) != 1:
            raise ValueError(f"The model has 1 output but `loss` is a list of {len(spec)} entries.")
        return list(spec)
    return [spec] * n


class CompileLoss:
    """Sum of per-output losses (× loss_weights); remembers per-output values for logs."""

    def __init__(self, loss: Any, loss_weights: Any, output_names: list[str]) -> None:
        from keras_torch import losses as losses_mod

        self.output_names = output_names
        specs = _spec_per_output(loss, output_names, "loss")
        # Resolve strings now so a typo fails at compile() (as tf.keras does), naming close matches.
        self.fns = [losses_mod.get(s) if s is not None else None for s in specs]
        self.specs = specs
        if loss_weights is None:
            self.weights = [1.0] * len(output_names)
        else:
            w = _spec_per_output(loss_weights, output_names, "loss_weights")
            self.weights = [1.0 if v is None else float(v) for v in w]
        self._resolved = False
        self._fused = None  # single-output crossentropy in one torch call (losses/_fused.py)

    def _resolve(self, ys: list[Any], preds: list[Any]) -> None:
        from keras_torch import losses as losses_mod

        for i, (spec, y, p) in enumerate(zip(self.specs, ys, preds)):
            if spec is not None:
                fn = losses_mod.resolve_loss(spec, y, p)
                if fn is not None:
                    self.fns[i] = fn
        self._resolved = True
        if len(self.fns) == 1 and self.fns[0] is not None:
            from keras_torch.losses._fused import fused_for

            self._fused = fused_for(self.fns[0])

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> tuple[torch.Tensor, list]:
        if y_true is None and any(fn is not None for fn in self.fns):
            raise ValueError("None values not supported: the model was compiled with a loss but received no targets "
                             "(`y` is None). Pass `y` to fit()/evaluate() (or yield (x, y) batches), or compile "
                             "without a loss and use `add_loss()`.")
        fused = self._fused
        if fused is not None and sample_weight is None and type(y_pred) is torch.Tensor and type(y_true) is torch.Tensor:
            value = fused(y_true, y_pred)  # None when this batch does not fit the fused kernel
            if value is not None:
                w = self.weights[0]
                return (value * w if w != 1.0 else value), [value]
        preds = tree.flatten(y_pred) if isinstance(y_pred, (list, tuple, dict)) else [y_pred]
        ys = _as_output_list(y_true, self.output_names)
        if len(ys) != len(preds):
            raise ValueError(f"The model has {len(preds)} output(s) but received {len(ys)} target(s).")
        sws = _as_output_list(sample_weight, self.output_names) if sample_weight is not None else [None] * len(preds)
        if len(sws) != len(preds):
            sws = [sample_weight] * len(preds)
        if not self._resolved:
            self._resolve(ys, preds)
        total = None
        per_output = []
        for fn, w, y, p, sw in zip(self.fns, self.weights, ys, preds, sws):
            if fn is None or y is None:
                per_output.append(None)
                continue
            try:
                value = fn(y, p, sample_weight=sw) if sw is not None else fn(y, p)
            except RuntimeError as e:
                if "size of tensor" not in str(e) and "shape" not in str(e):
                    raise
                raise ValueError(
                    f"The targets of shape {tuple(getattr(y, 'shape', ()))} do not match the model output of shape "
                    f"{tuple(getattr(p, 'shape', ()))} for the loss {getattr(fn, '__name__', fn)!s}: they must have "
                    f"the same shape (or broadcast). ({e})"
                ) from e
            per_output.append(value)
            value = value * w if w != 1.0 else value
            total = value if total is None else total + value
        if total is None:
            total = preds[0].new_zeros(())
        return total, per_output


class CompileMetrics(Metric):
    """The compiled metrics as one ``Metric`` named ``"compile_metrics"`` (Keras 3's container).

    ``model.metrics`` lists it after the loss tracker. Its metric objects are built by the first
    ``update_state`` (resolving ``"accuracy"`` needs the shapes); ``result()`` is a dict of their results.
    """

    def __init__(self, metrics: Any, weighted_metrics: Any, output_names: list[str], loss_specs: list[Any]) -> None:
        super().__init__(name="compile_metrics")
        self.output_names = output_names
        self.metrics_spec = metrics
        self.weighted_spec = weighted_metrics
        self.loss_specs = loss_specs
        self.built = False
        self.entries: list[tuple[int, Any, bool]] = []  # (output index, metric, weighted)
        self._validate(metrics)
        self._validate(weighted_metrics)

    def _validate(self, spec: Any) -> None:
        from keras_torch import metrics as metrics_mod

        for m in tree.flatten(spec) if spec is not None else []:
            if isinstance(m, str) and m not in ("accuracy", "acc", "crossentropy", "ce"):
                metrics_mod.get(m)

    def _per_output(self, spec: Any) -> list[list[Any]]:
        n = len(self.output_names)
        if spec is None:
            return [[] for _ in range(n)]
        if isinstance(spec, dict):
            per = _spec_per_output(spec, self.output_names, "metrics")
            return [[] if v is None else (list(v) if isinstance(v, (list, tuple)) else [v]) for v in per]
        if isinstance(spec, (list, tuple)):
            if n > 1 and len(spec) == n and all(isinstance(v, (list, tuple)) or v is None for v in spec):
                return [[] if v is None else list(v) for v in spec]
            return [list(spec) for _ in range(n)]
        return [[spec] for _ in range(n)]

    def build(self, ys: list[Any], preds: list[Any]) -> None:
        from keras_torch import metrics as metrics_mod

        multi = len(self.output_names) > 1
        for weighted, spec in ((False, self.metrics_spec), (True, self.weighted_spec)):
            for i, specs in enumerate(self._per_output(spec)):
                for s in specs:
                    m = metrics_mod.resolve_metric(s, ys[i], preds[i], self.loss_specs[i] if i < len(self.loss_specs) else None)
                    if multi:
                        m._keras_display_name = f"{self.output_names[i]}_{m.name}"
                    elif weighted:
                        m._keras_display_name = f"weighted_{m.name}"
                    self.entries.append((i, m, weighted))
        self.built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        preds = tree.flatten(y_pred) if isinstance(y_pred, (list, tuple, dict)) else [y_pred]
        ys = _as_output_list(y_true, self.output_names)
        if not self.built:
            self.build(ys, preds)
        sws = _as_output_list(sample_weight, self.output_names) if sample_weight is not None else [None] * len(preds)
        if len(sws) != len(preds):
            sws = [sample_weight] * len(preds)
        for i, m, weighted in self.entries:
            if ys[i] is None:
                continue
            if weighted and sws[i] is not None:
                m.update_state(ys[i], preds[i], sample_weight=sws[i])
            else:
                m.update_state(ys[i], preds[i])

    @property
    def metrics(self) -> list[Any]:
        """The metric objects, in compile order (empty until built)."""
        return [m for _, m, _ in self.entries]

    @property
    def variables(self) -> list[Any]:
        return [v for m in self.metrics for v in m.variables]

    def result(self) -> dict[str, Any]:
        if not self.built:
            raise ValueError("Cannot get result() since the metric has not yet been built.")
        out: dict[str, Any] = {}
        for _, m, _ in self.entries:
            name = getattr(m, "_keras_display_name", m.name)
            r = m.result()
            if isinstance(r, dict):
                out.update(r)
            else:
                out[name] = r
        return out

    def reset_state(self) -> None:
        for _, m, _ in self.entries:
            m.reset_state()
