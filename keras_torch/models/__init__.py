"""Models (``keras.models``)."""

from keras_torch.models import experimental as experimental
from keras_torch.models.functional import Functional
from keras_torch.models.model import Model
from keras_torch.models.sequential import Sequential
from keras_torch.saving.serialization import model_from_config, model_from_json

__all__ = ["Functional", "Model", "Sequential", "clone_model", "load_model", "model_from_config", "model_from_json",
           "model_from_yaml", "save_model"]


def clone_model(model: Model, input_tensors=None, clone_function=None, **kwargs) -> Model:
    """A new model with the same architecture and fresh weights (``keras.models.clone_model``)."""
    from keras_torch.saving.serialization import deserialize_layer, serialize_layer

    if clone_function is None and input_tensors is None:
        return deserialize_layer(serialize_layer(model))
    if isinstance(model, Sequential):
        fn = clone_function or (lambda layer: type(layer).from_config(layer.get_config()))
        layers = [fn(layer) for layer in model.layers]
        new = Sequential(name=model.name)
        if input_tensors is not None:
            new.add(input_tensors if not isinstance(input_tensors, (list, tuple)) else input_tensors[0])
        elif model._input_layer is not None:
            from keras_torch.layers.core import Input

            new.add(Input(batch_shape=model._input_layer.batch_shape))
        for layer in layers:
            new.add(layer)
        return new
    raise NotImplementedError("clone_model with input_tensors/clone_function is supported for Sequential models.")


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002 - Keras name
    """Load a Keras model file (.h5 / .keras)."""
    from keras_torch.saving import load_model as _load

    return _load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def save_model(model, filepath, overwrite=True, **kwargs):
    """Save ``model`` to ``filepath`` (.h5 or .keras)."""
    model.save(filepath, overwrite=overwrite, **kwargs)


def model_from_yaml(yaml_string: str, custom_objects: dict | None = None) -> Model:
    """Removed in tf-keras 2 for security; raises the same ``RuntimeError`` it does.

    Raises:
        RuntimeError: Always; use ``model.to_json()`` and :func:`model_from_json`.
    """
    raise RuntimeError("Method `model_from_yaml()` has been removed due to security risk of arbitrary code execution. "
                       "Please use `Model.to_json()` and `model_from_json()` instead.")
