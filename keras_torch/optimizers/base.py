"""``Optimizer``: the Keras 3 optimizer contract on torch tensors.

Semantics follow ``keras.src.optimizers.base_optimizer.BaseOptimizer`` with the TensorFlow
backend (the reference for the golden fixtures): gradient filtering, loss-scale unscaling,
gradient accumulation, clipping, decoupled weight decay, the update itself, EMA, constraints and
finally ``iterations += 1``.

The training loop calls :meth:`Optimizer.step` every batch. It reads ``p.grad``, keeps the
learning rate and the iteration counter as device tensors and updates all variables with
``torch._foreach_*`` kernels, so it never waits for the device. Only two decisions depend on the
iteration count (gradient accumulation, EMA overwrite); they use a host-side mirror of the
counter that the optimizer keeps in step with ``iterations`` itself.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import torch

from keras_torch.core import config as _config
from keras_torch.core import dtensor, naming
from keras_torch.optimizers import _utils
from keras_torch.optimizers._state import StateMixin
from keras_torch.optimizers.schedules import LearningRateSchedule

_IGNORED_LEGACY_KWARGS = ("jit_compile", "is_legacy_optimizer", "mesh")


def _dtype(name: Any) -> torch.dtype:
    from keras_torch.core.dtypes import to_torch_dtype

    return to_torch_dtype(name or _config.floatx())


class Optimizer(StateMixin):
    """Base class of every keras_torch optimizer (Keras 3 arguments and behaviour).

    Args:
        learning_rate: A float, a ``LearningRateSchedule`` or a no-argument callable.
        weight_decay: If set, decoupled weight decay ``var -= var * weight_decay * lr`` is
            applied before each update.
        clipnorm: If set, each gradient is clipped to this L2 norm.
        clipvalue: If set, each gradient is clipped elementwise to ``[-clipvalue, clipvalue]``.
        global_clipnorm: If set, all gradients are scaled so their global norm is at most this.
        use_ema: Keep an exponential moving average of the model variables.
        ema_momentum: Momentum of the moving average.
        ema_overwrite_frequency: Every this many iterations, overwrite the variables with
            their moving average (``None``: only in :meth:`finalize_variable_values`).
        loss_scale_factor: Gradients are divided by this factor before being applied.
        gradient_accumulation_steps: Apply the averaged gradients every this many calls.
        name: Name of the optimizer (defaults to the snake-cased class name, uniquified).
        **kwargs: Keras 2 leftovers: ``lr`` (alias of ``learning_rate``), ``decay`` (ignored
            with a warning, as in Keras 3), ``jit_compile``/``is_legacy_optimizer`` (ignored).

    Example:

    >>> optimizer = keras.optimizers.SGD(learning_rate=0.1)
    >>> var = keras.Variable([1.0, 2.0])
    >>> _ = optimizer.apply_gradients([(torch.tensor([1.0, 1.0]), var)])
    >>> var.numpy()
    array([0.9, 1.9], dtype=float32)
    """

    def __init__(
        self,
        learning_rate: float | LearningRateSchedule | Callable[[], Any],
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        loss_scale_factor: float | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if "lr" in kwargs:
            learning_rate = kwargs.pop("lr")
        decay = kwargs.pop("decay", None)
        if decay:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.", stacklevel=2)
        for key in _IGNORED_LEGACY_KWARGS:
            kwargs.pop(key, None)
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        self.name = name if name is not None else naming.uniquify(naming.to_snake_case(type(self).__name__))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.global_clipnorm = global_clipnorm
        self.clipvalue = clipvalue
        self.use_ema = use_ema
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        if gradient_accumulation_steps and not gradient_accumulation_steps >= 2:
            raise ValueError(
                "`gradient_accumulation_steps` must be an integer >= 2. "
                f"Received: gradient_accumulation_steps={gradient_accumulation_steps}"
            )
        if use_ema:
            if ema_momentum > 1 or ema_momentum < 0:
                raise ValueError(f"`ema_momentum` must be in the range [0, 1]. Received: ema_momentum={ema_momentum}")
            if ema_overwrite_frequency and (
                not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1
            ):
                raise ValueError(
                    "`ema_overwrite_frequency` must be an integer >= 1 or None. "
                    f"Received: ema_overwrite_frequency={ema_overwrite_frequency}"
                )
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
            )
        self.built = False
        # Every optimizer variable, in Keras order, plus the model variable each one shadows.
        self._variables: list[torch.Tensor] = []
        self._variable_names: list[str] = []
        self._variable_owners: list[torch.Tensor | None] = []
        self._trainable_variables: list[torch.Tensor] = []
        self._trainable_variables_indices: dict[int, int] = {}
        self._device: torch.device | None = None
        self._deferred_state: dict[str, Any] | None = None
        self._warned_missing = False
        self._iterations = torch.zeros((), dtype=torch.int64)
        self._host_iterations = 0
        self._track(self._iterations, "iteration", None)
        self._lr_var: torch.Tensor | None = None
        self._learning_rate: Any = None
        # exclude_from_weight_decay(): excluded variables (by id), name pattern, per-variable verdicts.
        self._exclude_from_weight_decay: set[int] = set()
        self._exclude_from_weight_decay_pattern: re.Pattern | None = None
        self._exclude_from_weight_decay_cache: dict[int, bool] = {}
        self._set_initial_learning_rate(learning_rate)

    # ------------------------------------------------------------------ learning rate
    def _set_initial_learning_rate(self, learning_rate: Any) -> None:
        if isinstance(learning_rate, LearningRateSchedule) or (
            callable(learning_rate) and not torch.is_tensor(learning_rate)
        ):
            self._learning_rate = learning_rate
            return
        try:
            value = float(learning_rate)
        except (TypeError, ValueError):
            raise ValueError(
                "Argument `learning_rate` should be float, or an instance of LearningRateSchedule, or a "
                "callable (that takes in the current iteration value and returns the corresponding "
                f"learning rate value). Received instead: learning_rate={learning_rate}"
            ) from None
        self._lr_var = torch.full((), value, dtype=_dtype(None))
        self._learning_rate = self._lr_var
        self._track(self._lr_var, "learning_rate", None)

    @property
    def learning_rate(self) -> torch.Tensor:
        """The current learning rate as a 0-d float tensor (``float(opt.learning_rate)`` works).

        For a float learning rate this is the optimizer's own storage, so in-place updates
        (``K.set_value``) are seen by the next step. Assigning a float updates it in place;
        assigning a ``LearningRateSchedule`` or callable replaces it.
        """
        return self._current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, learning_rate: Any) -> None:
        prev = self._lr_var
        if isinstance(learning_rate, LearningRateSchedule) or (
            callable(learning_rate) and not torch.is_tensor(learning_rate)
        ):
            self._learning_rate = learning_rate
            if prev is not None:
                self._untrack(prev)
                self._lr_var = None
            return
        if self._lr_var is None:
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` "
                "constructor argument, hence its learning rate is not settable. If you need the learning "
                "rate to be settable, you should instantiate the optimizer with a float `learning_rate` "
                "argument."
            )
        with torch.no_grad():
            if torch.is_tensor(learning_rate):
                self._lr_var.copy_(learning_rate.detach().reshape(()))
            else:
                self._lr_var.fill_(float(np.asarray(learning_rate).reshape(())))

    lr = learning_rate  # Keras 2 alias

    def _current_learning_rate(self) -> torch.Tensor:
        if self._deferred_state is not None:
            self._restore_deferred()
        lr = self._learning_rate
        if lr is self._lr_var:
            return lr
        if isinstance(lr, LearningRateSchedule):
            value = lr(self._iterations)
        else:
            value = lr()
        if torch.is_tensor(value):
            return value
        return torch.full((), float(value), dtype=_dtype(None), device=self._iterations.device)

    # ------------------------------------------------------------------ iterations
    @property
    def iterations(self) -> torch.Tensor:
        """Number of applied updates as an int64 0-d tensor (accumulation steps count as one)."""
        self._restore_deferred()
        if self.gradient_accumulation_steps:
            return torch.div(self._iterations, self.gradient_accumulation_steps, rounding_mode="floor")
        return self._iterations

    @iterations.setter
    def iterations(self, value: Any) -> None:
        steps = int(np.asarray(value.cpu() if torch.is_tensor(value) else value))
        if self.gradient_accumulation_steps:
            steps *= self.gradient_accumulation_steps
        self._set_iterations(steps)

    def _set_iterations(self, steps: int) -> None:
        with torch.no_grad():
            self._iterations.fill_(int(steps))
        self._host_iterations = int(steps)

    def _host_step_count(self) -> int:
        if self.gradient_accumulation_steps:
            return self._host_iterations // self.gradient_accumulation_steps
        return self._host_iterations

    # ------------------------------------------------------------------ variables
    def _track(self, tensor: torch.Tensor, name: str, owner: torch.Tensor | None) -> None:
        self._variables.append(tensor)
        self._variable_names.append(name)
        self._variable_owners.append(owner)

    def _untrack(self, tensor: torch.Tensor) -> None:
        for i, v in enumerate(self._variables):
            if v is tensor:
                del self._variables[i], self._variable_names[i], self._variable_owners[i]
                return

    @property
    def variables(self) -> list[torch.Tensor]:
        """Optimizer state in Keras 3 order: iteration, learning_rate (unless a schedule), slots."""
        self._restore_deferred()
        return self._variables[:]

    weights = variables  # Keras 2 alias

    @property
    def variable_names(self) -> list[str]:
        """Keras-style names of :attr:`variables` (``"iteration"``, ``"<path>_momentum"``...)."""
        return self._variable_names[:]

    def slots_of(self, variable: torch.Tensor) -> list[torch.Tensor]:
        """The optimizer variables that shadow ``variable`` (its moments, accumulators, average...).

        Args:
            variable: A model variable the optimizer was built with.

        Returns:
            Its slot tensors (empty for an unknown variable).
        """
        return [v for v, owner in zip(self._variables, self._variable_owners) if owner is variable]

    def add_variable(
        self,
        shape: Sequence[int],
        initializer: Any = "zeros",
        dtype: Any = None,
        aggregation: str = "none",
        layout: Any = None,
        name: str | None = None,
    ) -> torch.Tensor:
        """Create and track an optimizer variable (a plain tensor) on the optimizer's device."""
        del aggregation, layout
        device = self._iterations.device
        value = _initial_value(initializer, tuple(shape), _dtype(dtype), device)
        self._track(value, name or "variable", None)
        return value

    def add_variable_from_reference(
        self, reference_variable: torch.Tensor, name: str | None = None, initializer: Any = "zeros"
    ) -> torch.Tensor:
        """Create a slot shaped like ``reference_variable`` on its device (zeros by default)."""
        ref = reference_variable.detach()
        if dtensor.is_sharded(ref):  # the slot of a sharded weight is sharded like it
            value = _sharded_initial_value(initializer, ref)
            path = reference_variable.__dict__.get("_keras_path") or "variable"
            self._track(value, f"{str(path).replace('/', '_').replace(':', '_')}_{name or 'var'}", reference_variable)
            return value
        value = _initial_value(initializer, tuple(ref.shape), ref.dtype, ref.device)
        if not ref.is_contiguous():  # slots share a channels_last variable's layout (fused kernels)
            fmt = {4: torch.channels_last, 5: torch.channels_last_3d}.get(ref.dim())
            if fmt is not None and ref.is_contiguous(memory_format=fmt):
                value = value.contiguous(memory_format=fmt)
        path = getattr(reference_variable, "path", None) or getattr(reference_variable, "name", None) or "variable"
        self._track(value, f"{str(path).replace('/', '_').replace(':', '_')}_{name or 'var'}", reference_variable)
        return value

    def add_optimizer_variables(
        self, trainable_variables: Sequence[torch.Tensor], name: str | Sequence[str], initializer: Any = "zeros"
    ) -> Any:
        """One slot per variable and name, interleaved per variable like Keras.

        Returns a list (single ``name``) or a tuple of lists (several names). Variables flagged
        ``overwrite_with_gradient`` get ``None`` slots.
        """
        names = [name] if isinstance(name, str) else list(name)
        inits = initializer if isinstance(initializer, (list, tuple)) else [initializer] * len(names)
        if len(names) != len(inits):
            raise ValueError(
                "The number of provided names must match the number of provided initializers.  "
                f"Received name='{name}', initializer='{initializer}'"
            )
        out: tuple[list[Any], ...] = tuple([] for _ in names)
        for variable in trainable_variables:
            overwrite = getattr(variable, "overwrite_with_gradient", False)
            for i, (n, init) in enumerate(zip(names, inits)):
                out[i].append(None if overwrite else self.add_variable_from_reference(variable, n, init))
        return out[0] if isinstance(name, str) else out

    def build(self, variables: Sequence[torch.Tensor]) -> None:
        """Create the optimizer state for ``variables`` (subclasses add their slots after this)."""
        variables = list(variables)
        if variables:
            self._move_scalars(variables[0].device)
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(variables, "average")
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = [
                self.add_variable_from_reference(v, "gradient_accumulator") for v in variables
            ]
        self._trainable_variables_indices = {id(v): i for i, v in enumerate(variables)}
        self._trainable_variables = variables
        self._overwrite_ids = {id(v) for v in variables if getattr(v, "overwrite_with_gradient", False)}
        self.built = True

    def _var_key(self, variable: torch.Tensor) -> int:
        return id(variable)

    def _get_variable_index(self, variable: torch.Tensor) -> int:
        return self._trainable_variables_indices[id(variable)]

    def _ensure_built(self, variables: Sequence[torch.Tensor]) -> None:
        if not self.built:
            with torch.no_grad():
                self.build(list(variables))
            self.built = True
        self._restore_deferred()

    # ------------------------------------------------------------------ devices
    def _move_scalars(self, device: torch.device) -> None:
        for v, owner in zip(self._variables, self._variable_owners):
            if owner is None and v.device != device:
                v.data = v.data.to(device)
        self._device = device

    def _migrate(self, device: torch.device) -> None:
        """Follow the model to ``device`` (``model.to(...)`` after the state was created)."""
        with torch.no_grad():
            for v, owner in zip(self._variables, self._variable_owners):
                target = device if owner is None else owner.device
                if v.device != target:
                    v.data = v.data.to(target)
        self._device = device

    # ------------------------------------------------------------------ applying gradients
    def step(self, variables: Sequence[torch.Tensor] | None = None) -> None:
        """Fast path: apply ``v.grad`` to each of ``variables`` (``None`` grads are skipped).

        Args:
            variables: The trainable variables (typically ``model.trainable_weights``). The
                optimizer is built on this list the first time; later calls may pass the same
                list or a subset of it. ``None``: the variables the optimizer was built with.
        """
        if variables is None:
            if not self.built:
                raise ValueError("Call `optimizer.build(variables)` or pass `variables` to `step()`.")
            variables = self._trainable_variables
        elif not isinstance(variables, (list, tuple)):
            variables = list(variables)
        if len(variables) == 0:
            return
        self._ensure_built(variables)
        if id(variables[0]) not in self._trainable_variables_indices:
            self._maybe_rebind(variables)
        params, grads = [], []
        for v in variables:
            g = v.grad
            if g is not None:
                params.append(v)
                grads.append(g.to_dense() if g.is_sparse else g)
        if not params:
            raise ValueError("No gradients provided for any variable.")
        if len(params) != len(variables) and not self._warned_missing:
            self._warn_missing([v for v in variables if v.grad is None])
        self._apply_filtered(params, grads)

    def _maybe_rebind(self, variables: Sequence[torch.Tensor]) -> None:
        """Adopt new variable objects that replaced the built ones one-for-one (same shapes).

        ``model.to(device)`` keeps parameter identity, but re-created parameters (``to_empty``,
        ``load_state_dict(assign=True)``, wrappers) do not; the state then follows by position.
        """
        old = self._trainable_variables
        if len(variables) != len(old) or any(tuple(a.shape) != tuple(b.shape) for a, b in zip(variables, old)):
            return
        mapping = {id(o): n for o, n in zip(old, variables)}
        self._variable_owners = [None if o is None else mapping.get(id(o), o) for o in self._variable_owners]
        self._trainable_variables = list(variables)
        self._trainable_variables_indices = {id(v): i for i, v in enumerate(variables)}
        self._overwrite_ids = {id(v) for v in variables if getattr(v, "overwrite_with_gradient", False)}
        self._exclude_from_weight_decay = {
            id(mapping[k]) for k in self._exclude_from_weight_decay if k in mapping
        }
        self._exclude_from_weight_decay_cache = {}
        self._device = None

    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, torch.Tensor]]) -> torch.Tensor:
        """Apply ``(gradient, variable)`` pairs; returns the iteration counter (tf.keras compat)."""
        pairs = list(grads_and_vars)
        if not pairs:
            return self._iterations
        grads, variables = zip(*pairs)
        self.apply(list(grads), list(variables))
        return self._iterations

    def apply(self, grads: Sequence[Any], trainable_variables: Sequence[torch.Tensor] | None = None) -> None:
        """Apply ``grads`` to ``trainable_variables`` (or to the variables built with)."""
        if len(grads) == 0:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be built on a list "
                    "of variables. Call `optimizer.build(trainable_variables)` first. "
                )
            if len(grads) != len(self._trainable_variables_indices):
                raise ValueError(
                    "When passing `grads` as a list of gradient tensors, the gradients must match "
                    f"`optimizer.variables` one-to-on. Received a list of {len(grads)} gradients, but the "
                    f"optimizer is tracking {len(self._trainable_variables)} trainable variables."
                )
            trainable_variables = self._trainable_variables
        else:
            trainable_variables = list(trainable_variables)
            self._ensure_built(trainable_variables)
        self._restore_deferred()
        params, tensors, missing = [], [], []
        for g, v in zip(grads, trainable_variables):
            if g is None:
                missing.append(v)
                continue
            if not torch.is_tensor(g):
                g = torch.as_tensor(np.asarray(g), device=v.device)
            g = g.detach()
            if g.is_sparse:
                g = g.to_dense()
            if g.dtype != v.dtype or g.device != v.device:
                g = g.to(device=v.device, dtype=v.dtype)
            params.append(v)
            tensors.append(g)
        if not params:
            raise ValueError("No gradients provided for any variable.")
        if missing:
            self._warn_missing(missing)
        self._apply_filtered(params, tensors)

    def minimize(self, loss: Any, var_list: Sequence[torch.Tensor], tape: Any = None) -> torch.Tensor:
        """tf.keras compat: differentiate ``loss`` (a tensor or a no-arg callable) and apply."""
        del tape
        var_list = list(var_list() if callable(var_list) else var_list)
        with torch.enable_grad():
            value = loss() if callable(loss) else loss
            grads = torch.autograd.grad(value, var_list, allow_unused=True)
        return self.apply_gradients(zip(grads, var_list))

    def _warn_missing(self, variables: Sequence[torch.Tensor]) -> None:
        self._warned_missing = True
        names = [getattr(v, "path", None) or getattr(v, "name", None) or tuple(v.shape) for v in variables]
        warnings.warn(
            f"Gradients do not exist for variables {names} when minimizing the loss. If using "
            "`model.compile()`, did you forget to provide a `loss` argument?",
            stacklevel=3,
        )

    @torch.no_grad()
    def _apply_filtered(self, params: list[torch.Tensor], grads: list[torch.Tensor]) -> None:
        try:
            idx = [self._trainable_variables_indices[id(p)] for p in params]
        except KeyError:
            unknown = [p for p in params if id(p) not in self._trainable_variables_indices][0]
            raise ValueError(
                f"Unknown variable: {getattr(unknown, 'path', tuple(unknown.shape))}. This optimizer can only be "
                "called for the variables it was originally built with. When working with a new set of "
                "variables, you should recreate a new optimizer instance."
            ) from None
        device = params[0].device
        if device != self._device:
            self._migrate(device)
        if self._overwrite_ids:
            params, grads, idx = self._overwrite_with_gradients(params, grads, idx)
        if params:
            if self.loss_scale_factor is not None:
                grads = torch._foreach_div(grads, float(self.loss_scale_factor))
            steps = self.gradient_accumulation_steps
            if steps:
                accs = [self._accumulated_gradients[i] for i in idx]
                if (self._host_iterations + 1) % steps == 0:
                    grads = torch._foreach_add(grads, accs)
                    torch._foreach_div_(grads, float(steps))
                    self._update_block(params, grads, idx)
                    torch._foreach_zero_([a for a in self._accumulated_gradients if a is not None])
                else:
                    torch._foreach_add_(accs, grads)
            else:
                self._update_block(params, grads, idx)
        if self.use_ema:
            self._update_moving_average()
            freq = self.ema_overwrite_frequency
            if freq and (self._host_step_count() + 1) % freq == 0:
                self._overwrite_model_variables_with_average_value(self._trainable_variables)
        for v in params:
            constraint = getattr(v, "constraint", None)
            if constraint is not None and callable(constraint):
                v.copy_(constraint(v))
        self._iterations.add_(1)
        self._host_iterations += 1

    def _overwrite_with_gradients(
        self, params: list[torch.Tensor], grads: list[torch.Tensor], idx: list[int]
    ) -> tuple[list[torch.Tensor], list[torch.Tensor], list[int]]:
        keep = []
        steps = self.gradient_accumulation_steps
        for k, (p, g, i) in enumerate(zip(params, grads, idx)):
            if id(p) not in self._overwrite_ids:
                keep.append(k)
                continue
            if steps:
                acc = self._accumulated_gradients[i]
                if (self._host_iterations + 1) % steps == 0:
                    p.copy_(torch.maximum(g, acc))
                    acc.zero_()
                else:
                    acc.copy_(torch.maximum(g, acc))
            else:
                p.copy_(g)
        return [params[k] for k in keep], [grads[k] for k in keep], [idx[k] for k in keep]

    def _clip_gradients(self, grads: list[torch.Tensor]) -> list[torch.Tensor]:
        if self.clipnorm and self.clipnorm > 0:
            return _utils.clip_by_norm(grads, self.clipnorm)
        if self.global_clipnorm and self.global_clipnorm > 0:
            return _utils.clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue and self.clipvalue > 0:
            return _utils.clip_by_value(grads, self.clipvalue)
        return grads

    def _update_block(self, params: list[torch.Tensor], grads: list[torch.Tensor], idx: list[int]) -> None:
        """Clip, decay and update (one real optimizer step)."""
        grads = self._clip_gradients(grads)
        lr = self._current_learning_rate()
        self._prepare_step(lr)
        for members in _utils.group_by_device_dtype(params):
            if len(members) == len(params):
                p, g, i = params, grads, idx
            else:
                p, g, i = [params[k] for k in members], [grads[k] for k in members], [idx[k] for k in members]
            lr_g = lr.to(device=p[0].device, dtype=p[0].dtype)
            self._apply_weight_decay(p, lr_g)
            self._update(p, g, i, lr_g)

    def _prepare_step(self, learning_rate: torch.Tensor) -> None:
        """Hook run once per real step before the per-group updates (Nadam's ``u_product``)."""

    def _update(self, params: list[torch.Tensor], grads: list[torch.Tensor], idx: list[int], lr: torch.Tensor) -> None:
        """Update one device/dtype group. Built-ins override this with ``_foreach`` kernels;
        the default calls the Keras-style :meth:`update_step` per variable."""
        for g, p in zip(grads, params):
            self.update_step(g, p, lr)

    def update_step(self, gradient: torch.Tensor, variable: torch.Tensor, learning_rate: torch.Tensor) -> None:
        """Keras API for custom optimizers: update one ``variable`` in place."""
        raise NotImplementedError

    def _local_step(self, like: torch.Tensor, offset: int = 1) -> torch.Tensor:
        """``cast(iterations + offset, like.dtype)`` on ``like``'s device."""
        return (self.iterations + offset).to(device=like.device, dtype=like.dtype)

    # Keras API used by custom ``update_step`` implementations.
    def assign(self, variable: torch.Tensor, value: Any) -> None:
        variable.copy_(value)

    def assign_add(self, variable: torch.Tensor, value: Any) -> None:
        variable.add_(value)

    def assign_sub(self, variable: torch.Tensor, value: Any) -> None:
        variable.sub_(value)

    # ------------------------------------------------------------------ weight decay
    def exclude_from_weight_decay(
        self, var_list: Sequence[torch.Tensor] | None = None, var_names: Sequence[str] | None = None
    ) -> None:
        """Exclude variables (by identity, or by a substring of their name) from weight decay."""
        self._exclude_from_weight_decay = {id(v) for v in var_list} if var_list else set()
        self._exclude_from_weight_decay_pattern = re.compile("|".join(set(var_names))) if var_names else None
        self._exclude_from_weight_decay_cache = {}

    def _use_weight_decay(self, variable: torch.Tensor) -> bool:
        cache = self._exclude_from_weight_decay_cache
        key = id(variable)
        if key in cache:
            return cache[key]
        use = key not in self._exclude_from_weight_decay
        pattern = self._exclude_from_weight_decay_pattern
        if use and pattern is not None:
            name = getattr(variable, "name", None) or getattr(variable, "path", None) or ""
            use = re.search(pattern, str(name)) is None
        cache[key] = use
        return use

    def _apply_weight_decay(self, params: list[torch.Tensor], lr: torch.Tensor) -> None:
        if self.weight_decay is None:
            return
        decayed = [p for p in params if self._use_weight_decay(p)]
        if decayed:
            delta = torch._foreach_mul(decayed, float(self.weight_decay))
            torch._foreach_mul_(delta, lr)
            torch._foreach_sub_(decayed, delta)

    # ------------------------------------------------------------------ EMA
    def _update_moving_average(self) -> None:
        pairs = [
            (v, a) for v, a in zip(self._trainable_variables, self._model_variables_moving_average) if a is not None
        ]
        if not pairs:
            return
        momentum = torch.ne(self.iterations, 0).to(torch.float32) * float(self.ema_momentum)
        for members in _utils.group_by_device_dtype([v for v, _ in pairs]):
            vs = [pairs[k][0] for k in members]
            avgs = [pairs[k][1] for k in members]
            m = momentum.to(device=vs[0].device, dtype=vs[0].dtype)
            new = torch._foreach_mul(vs, 1 - m)
            torch._foreach_mul_(avgs, m)
            torch._foreach_add_(avgs, new)

    def _overwrite_model_variables_with_average_value(self, trainable_variables: Sequence[torch.Tensor]) -> None:
        averages = self._model_variables_moving_average
        if len(trainable_variables) != len(averages):
            raise ValueError(
                f"The length of model variables ({len(trainable_variables)}) to override does not match the "
                f"length of model variables stored in the optimizer ({len(averages)}). Please check if the "
                "optimizer was called on your model."
            )
        with torch.no_grad():
            for var, avg in zip(trainable_variables, averages):
                if avg is not None:
                    var.copy_(avg)

    def finalize_variable_values(self, var_list: Sequence[torch.Tensor]) -> None:
        """With ``use_ema``, overwrite ``var_list`` with their moving averages (end of ``fit``)."""
        if self.use_ema:
            self._overwrite_model_variables_with_average_value(list(var_list))

    def scale_loss(self, loss: Any) -> Any:
        """Multiply ``loss`` by ``loss_scale_factor`` (if set) before computing gradients."""
        return loss * self.loss_scale_factor if self.loss_scale_factor is not None else loss

    def zero_grad(self, set_to_none: bool = True) -> None:
        """torch convenience: clear ``.grad`` of the variables the optimizer was built with."""
        for v in self._trainable_variables:
            if v.grad is not None:
                if set_to_none:
                    v.grad = None
                else:
                    v.grad.zero_()

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        """Keras 3 config (``learning_rate`` is a float32-rounded float or a serialized schedule)."""
        from keras_torch.core.registry import serialize_keras_object
        from keras_torch.optimizers import schedules

        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            learning_rate: Any = schedules.serialize(lr)
        elif lr is self._lr_var:
            learning_rate = float(lr.detach().cpu())
        elif callable(lr):
            learning_rate = serialize_keras_object(lr, "schedules")
        else:
            learning_rate = 0.5
        return {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Optimizer:
        """Instantiate from :meth:`get_config` output (Keras 2 and Keras 3 configs)."""
        config = dict(config)
        lr = config.get("learning_rate", config.get("lr"))
        if isinstance(lr, dict):
            from keras_torch.optimizers import schedules

            config.pop("lr", None)
            config["learning_rate"] = schedules.deserialize(lr, custom_objects=custom_objects)
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} built={self.built}>"


def _sharded_initial_value(initializer: Any, reference: torch.Tensor) -> torch.Tensor:
    """A slot laid out like the sharded ``reference``; constants never exist whole."""
    fill = {"zeros": 0.0, "zero": 0.0, "ones": 1.0, "one": 1.0}.get(initializer.lower()) \
        if isinstance(initializer, str) else (float(initializer) if isinstance(initializer, (int, float)) else None)
    if fill is not None:
        return dtensor.initial_like(reference, fill)
    whole = _initial_value(initializer, tuple(reference.shape), reference.dtype, reference.to_local().device)
    return dtensor.initial_like(reference, None, value=whole)


def _initial_value(initializer: Any, shape: tuple[int, ...], dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    if isinstance(initializer, str) and initializer.lower() in ("zeros", "zero"):
        return torch.zeros(shape, dtype=dtype, device=device)
    if isinstance(initializer, str) and initializer.lower() in ("ones", "one"):
        return torch.ones(shape, dtype=dtype, device=device)
    if isinstance(initializer, (int, float)):
        return torch.full(shape, float(initializer), dtype=dtype, device=device)
    from keras_torch import initializers

    init = initializers.get(initializer)
    value = init(shape, dtype=str(dtype).replace("torch.", ""))
    return torch.as_tensor(value).to(device=device, dtype=dtype).clone()
