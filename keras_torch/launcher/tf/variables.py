"""``tf.Variable`` (a Keras variable, i.e. a torch ``Parameter``) and ``tf.function``."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import torch

from keras_torch.backend.variable import Variable as _KerasVariableFactory
from keras_torch.core.variables import KerasVariable
from keras_torch.launcher.tf import _convert as cv
from keras_torch.trainers.jit import is_compiler_error


class Variable(_KerasVariableFactory):
    """``tf.Variable(initial_value, trainable=True, name=None, dtype=None, shape=None, constraint=None)``.

    A :class:`~keras_torch.core.variables.KerasVariable` (``nn.Parameter``): tapes watch it when
    trainable, optimizers update it, ``assign``/``assign_add``/``assign_sub``/``numpy`` work as in
    TensorFlow. Python numbers follow TensorFlow's dtypes (float32, int32); integer variables are
    not trainable.
    """

    def __new__(cls, initial_value: Any = None, trainable: bool | None = None, validate_shape: bool = True,
                caching_device: Any = None, name: str | None = None, variable_def: Any = None, dtype: Any = None,
                import_scope: Any = None, constraint: Any = None, synchronization: Any = None,
                aggregation: Any = None, shape: Any = None, **kwargs: Any) -> KerasVariable:
        value = initial_value() if callable(initial_value) else initial_value
        t = cv.tensor(value, dtype)
        clean = None if name is None else str(name).replace("/", "_").split(":")[0]
        var = _KerasVariableFactory(t, trainable=True if trainable is None else bool(trainable), name=clean)
        if constraint is not None:
            var.__dict__["constraint"] = constraint
        return var


def function(func: Callable | None = None, input_signature: Any = None, autograph: bool = True,
             jit_compile: Any = None, reduce_retracing: bool = False, experimental_implements: Any = None,
             experimental_autograph_options: Any = None, experimental_attributes: Any = None,
             experimental_relax_shapes: Any = None, experimental_compile: Any = None,
             experimental_follow_type_hints: Any = None) -> Any:
    """``@tf.function``: the function runs eagerly on torch (TensorFlow would trace it to a graph).

    With ``jit_compile=True`` it goes through ``torch.compile``; if TorchDynamo cannot compile it,
    a warning is shown once and it runs eagerly.
    """

    def wrap(fn: Callable) -> Callable:
        if not (jit_compile or experimental_compile):
            @functools.wraps(fn)
            def eager(*args: Any, **kwargs: Any) -> Any:
                return fn(*args, **kwargs)

            eager.python_function = fn  # type: ignore[attr-defined]
            return eager
        compiled: list[Any] = [None]

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            if compiled[0] is False:
                return fn(*args, **kwargs)
            if compiled[0] is None:
                compiled[0] = torch.compile(fn)
            try:
                return compiled[0](*args, **kwargs)
            except Exception as err:  # noqa: BLE001 - classified below
                if not is_compiler_error(err):
                    raise
                compiled[0] = False
                warnings.warn(f"tf.function(jit_compile=True): torch.compile could not compile "
                              f"'{getattr(fn, '__name__', fn)}' ({type(err).__name__}); running it eagerly.",
                              stacklevel=2)
                return fn(*args, **kwargs)

        run.python_function = fn  # type: ignore[attr-defined]
        return run

    return wrap if func is None else wrap(func)
