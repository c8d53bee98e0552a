"""``compile(jit_compile=True)``: the model's forward pass and loss through ``torch.compile``.

Only the forward computation is compiled (AOTAutograd then compiles its backward too): the
optimizer update is already one fused kernel or a few ``_foreach`` calls, and metric updates
mutate Python-held state that would only cause graph breaks. Shapes are static
(``dynamic=False``): a fit sees two batch sizes (full and last batch), each compiled once.

When TorchDynamo or its backend cannot compile the model (a torch version gap, an unsupported
custom layer), the step warns once and runs eagerly: the same math, so training goes on.
Errors that are the user's (bad shapes, wrong dtypes) surface exactly as in eager mode, since
the eager retry raises them again.
"""

from __future__ import annotations

import warnings
from typing import Any

import torch

from keras_torch.core.context import CALL_CONTEXT
from keras_torch.layers.base import Layer


def reset(model: Any) -> None:
    """Forget compiled functions (``compile()`` was called again)."""
    model._jit_state = None


def _state(model: Any) -> dict:
    """``model._jit_state``: ``"failed"`` (compilation failed: run eagerly) and the compiled functions."""
    st = model._jit_state
    if st is None:
        st = model._jit_state = {"failed": False}
    return st


def _compiled(model: Any, key: str, make: Any) -> Any:
    st = _state(model)
    fn = st.get(key)
    if fn is None:
        _eager_add_loss()
        fn = st[key] = torch.compile(make(model), dynamic=False)
    return fn


def _eager_add_loss() -> None:
    """``add_loss`` inside a compiled ``call`` becomes a graph break (see ``Layer.add_loss``); set up
    once per thread, on first use of ``jit_compile``: importing TorchDynamo is slow."""
    ctx = CALL_CONTEXT
    if ctx.eager_add_loss is None:
        ctx.eager_add_loss = torch.compiler.disable(Layer._record_loss)


def _forward_loss_fn(model: Any) -> Any:
    """The compiled region: forward pass and the compiled loss. Everything that reads per-step
    Python state (the call-generation counter behind ``add_loss``, metric trackers, weight
    regularizers) stays outside, in ``forward_loss``, so no guard changes between steps."""
    custom_loss = not model._uses_default_compute_loss()

    def forward_loss(x: Any, y: Any, sample_weight: Any) -> tuple[Any, Any]:
        y_pred = model(x, training=True)
        if custom_loss or model._compile_loss is None:
            return y_pred, None
        return y_pred, model._compile_loss(y, y_pred, sample_weight)

    return forward_loss


def _inference_fn(model: Any) -> Any:
    def inference(x: Any) -> Any:
        return model(x, training=False)

    return inference


def _run(model: Any, key: str, make: Any, *args: Any) -> Any:
    """``make(model)(*args)``, compiled; eagerly once compilation has failed for this model."""
    st = _state(model)
    if not st["failed"]:
        try:
            return _compiled(model, key, make)(*args)
        except Exception as e:  # noqa: BLE001 - classified below
            if not is_compiler_error(e):
                raise
            st["failed"] = True
            warnings.warn(
                f"jit_compile=True: torch.compile could not compile model '{getattr(model, 'name', '?')}' "
                f"({type(e).__name__}: {str(e).splitlines()[0][:200]}); running it eagerly.",
                stacklevel=4,
            )
    return make(model)(*args)


def is_compiler_error(e: BaseException) -> bool:
    """True when ``e`` comes from TorchDynamo/Inductor (compilation failed), not from the user's code."""
    mod = type(e).__module__ or ""
    return mod.startswith(("torch._dynamo", "torch._inductor", "torch.fx", "torch._subclasses")) or type(
        e
    ).__name__ in ("BackendCompilerFailed", "InductorError", "InternalTorchDynamoError", "Unsupported")


def forward_loss(model: Any, x: Any, y: Any, sample_weight: Any) -> tuple[Any, torch.Tensor]:
    """``(y_pred, loss)`` of a training forward pass, the forward and compiled loss compiled."""
    CALL_CONTEXT.generation += 1  # what the top-level Layer.__call__ does eagerly
    y_pred, compiled = _run(model, "train", _forward_loss_fn, x, y, sample_weight)
    if compiled is None:  # a custom compute_loss, or no compiled loss: all of it eagerly
        return y_pred, model.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
    return y_pred, model._finish_loss(compiled)


def inference(model: Any, x: Any) -> Any:
    """``model(x, training=False)``, compiled (evaluate / predict)."""
    CALL_CONTEXT.generation += 1
    return _run(model, "infer", _inference_fn, x)
