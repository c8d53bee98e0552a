"""``torch.export`` programs (``.pt2``) of keras_torch models.

The saved program loads with plain ``torch.export.load(path)`` (no keras_torch needed) and runs
with ``program.module()(*inputs)`` -> tuple of outputs in the model's output order.

The batch axis is dynamic; other ``None`` axes are dynamic where the program allows it (torch
specialises the time axis of recurrent layers: their loops are unrolled, torch's own
``nn.LSTM`` included), falling back to batch-only and then to fully static shapes. The axes
kept dynamic are reported by :func:`export_torch` (``return_info=True``) and in a warning.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator
from typing import Any

import torch

from keras_torch.export import _session
from keras_torch.export._common import ExportError, FlatModel, explain_failure, input_specs, probe, structure
from keras_torch.layers.training_mode import switch_training_flags


@contextlib.contextmanager
def _cells_registered(model: Any) -> Iterator[None]:
    """Built-in RNN cells as sub-modules for the export (see ``RNN._cell_in_module_tree``)."""
    from keras_torch.layers.rnn.rnn_layers import RNN

    layers = list(model._flatten_layers()) if hasattr(model, "_flatten_layers") else list(model.modules())
    with contextlib.ExitStack() as stack:
        for layer in layers:
            if isinstance(layer, RNN):
                stack.enter_context(layer._cell_in_module_tree())
        yield


@contextlib.contextmanager
def _contiguous_weights(model: Any) -> Iterator[None]:
    """Give strided weights (keras_torch keeps some conv kernels as permuted views of a Keras-layout
    buffer) contiguous storage while the program is built and saved, so the ``.pt2`` holds plain
    tensors (``torch.export.load`` warns about partial storages otherwise)."""
    swapped = []
    for t in list(model.parameters()) + list(model.buffers()):
        if not t.is_contiguous():
            swapped.append((t, t.data))
            t.data = t.data.contiguous()
    try:
        yield
    finally:
        for t, data in swapped:
            t.data = data


def export_torch(model: Any, filepath: str | os.PathLike, input_signature: Any = None, verify: bool = False,
                 return_info: bool = False, strict: bool = False, verbose: bool | None = None) -> Any:
    """Save a ``torch.export`` program (``.pt2``) loadable with plain ``torch.export.load``.

    Args:
        model: A keras_torch model.
        filepath: Destination (``.pt2``).
        input_signature: As for :func:`keras_torch.export.export_onnx`.
        verify: Load the saved program and compare it with the model at another batch size.
        return_info: Return ``(path, {input name: [dynamic axes]})`` instead of the path.
        strict: Passed to ``torch.export.export``.
        verbose: Print the path written and the axes kept dynamic per input.

    Returns:
        The path written, or ``(path, {input name: [dynamic axes]})`` with ``return_info``.
    """
    specs = input_specs(model, input_signature)
    wrapper = FlatModel(model, structure(model, len(specs)))
    restore_flags = switch_training_flags(model, False)
    path = os.fspath(filepath)
    program = None
    kept: dict[str, list[int]] = {}
    try:
        with _contiguous_weights(model), _session.exporting(model, "torch") as session:
            (batch, other), examples, _, _ = probe(model, wrapper, specs, session, "float32", None)
            full = [{i: torch.export.Dim(f"{_ident(s.name)}_d{i}" if i else "batch", min=1 if i == 0 else 2)
                     for i, d in enumerate(s.shape) if d is None} for s in specs]
            batch_only = [{i: dim for i, dim in d.items() if i == 0} for d in full]
            # torch.export specialises the time axis of recurrent layers (their loop is unrolled,
            # torch.nn.LSTM's too): don't spend an attempt on it.
            if full == batch_only:
                attempts = [full]
            else:
                attempts = [batch_only] if _has_rnn(model) else [full, batch_only]
            attempts.append([{} for _ in specs])
            first_err: BaseException | None = None
            for dyn in attempts:
                try:
                    with torch.no_grad(), _cells_registered(model), warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        program = torch.export.export(wrapper, tuple(examples),
                                                      dynamic_shapes=(tuple(dyn),) if any(dyn) else None,
                                                      strict=strict)
                    kept = {s.name: sorted(d) for s, d in zip(specs, dyn)}
                    break
                except Exception as err:  # noqa: BLE001 - retry with fewer dynamic axes
                    if first_err is None:
                        first_err = err
            if program is None:
                assert first_err is not None
                raise explain_failure(model, wrapper, first_err, "a torch.export program") from None
            torch.export.save(program, path)  # while the weights are contiguous (see _contiguous_weights)
    finally:
        restore_flags()
    wanted = {s.name: [i for i, d in enumerate(s.shape) if d is None] for s in specs}
    if kept != wanted:
        warnings.warn(f"torch.export kept these axes dynamic: {kept} (asked for {wanted}); the others are fixed "
                      f"at the example sizes (batch {batch}, other None axes {other}): recurrent layers unroll "
                      "their time loop in torch.export.", stacklevel=2)
    if verify:
        verify_torch(model, path, specs, kept, base=(batch, other))
    if verbose:
        shapes = "; ".join(f"{s.name}{list(s.shape)} dynamic axes {kept[s.name]}" for s in specs)
        print(f"Saved torch.export program to {path} (inputs: {shapes})")
    return (path, kept) if return_info else path


def _has_rnn(model: Any) -> bool:
    from keras_torch.layers.rnn.rnn_layers import RNN

    layers = model._flatten_layers() if hasattr(model, "_flatten_layers") else model.modules()
    return any(isinstance(layer, RNN) for layer in layers)


def _ident(name: str) -> str:
    out = "".join(ch if ch.isalnum() else "_" for ch in name)
    return out if out and not out[0].isdigit() else f"x_{out}"


def verify_torch(model: Any, path: str | os.PathLike, specs: Any = None, dynamic: dict | None = None,
                 base: tuple[int, int] = (2, 7), atol: float = 1e-5, rtol: float = 1e-4) -> None:
    """Load the ``.pt2`` with ``torch.export.load`` and compare it with ``model`` (raises :class:`ExportError`).

    Dynamic axes (``dynamic``: {input name: [axes]}) get new sizes; the others keep the traced
    example sizes ``base`` = (batch, other ``None`` axes).
    """
    from keras_torch.export._common import Spec, example, model_device, run_flat

    specs = specs or input_specs(model, None)
    program = torch.export.load(os.fspath(path))
    module = program.module()
    wrapper = FlatModel(model, structure(model, len(specs)))
    dynamic = dynamic or {}
    exs = []
    for i, s in enumerate(specs):
        dims = dynamic.get(s.name, [])
        shape = []
        for j, d in enumerate(s.shape):
            if d is not None:
                shape.append(d)
            elif j == 0:
                shape.append(base[0] + 1 if 0 in dims else base[0])
            else:
                shape.append(base[1] + 2 if j in dims else base[1])
        exs.append(example(Spec(tuple(shape), s.dtype, s.name), 0, 0, seed=11 + i, device=model_device(model)))
    restore_flags = switch_training_flags(model, False)
    try:
        want = run_flat(wrapper, exs)
    finally:
        restore_flags()
    with torch.no_grad():
        got = module(*exs)
    for k, (a, b) in enumerate(zip(got, want)):
        if a.shape != b.shape or not torch.allclose(a.float(), b.float(), atol=atol, rtol=rtol):
            raise ExportError(f"torch.export program output {k} differs from the model.")


__all__ = ["export_torch", "verify_torch"]
